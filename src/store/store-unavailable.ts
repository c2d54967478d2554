/** Error codes that mean "the database cannot answer right now", not "this request is wrong". */
const UNAVAILABLE_CODES = new Set([
  // SQLite: another process held the write lock past the busy timeout, or the file cannot be reached.
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_TIMEOUT',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  // Network errors of the PostgreSQL client.
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  // PostgreSQL: admin shutdown, crash shutdown, cannot connect now, too many connections.
  '57P01',
  '57P02',
  '57P03',
  '53300',
  // PostgreSQL ended a transaction left idle past idle_in_transaction_session_timeout.
  '25P03',
]);

/** Messages of closed or unreachable connections, which carry no code. */
const UNAVAILABLE_MESSAGES = [
  /driver has already been destroyed/, // Kysely, after the store was closed
  /database connection is not open/, // better-sqlite3, after close
  /Connection terminated/, // pg, server went away mid-query
  /Client has encountered a connection error and is not queryable/, // pg, a statement after the connection was lost
  /timeout exceeded when trying to connect/, // pg pool
  /Cannot use a pool after calling end/, // pg pool, after close
];

/**
 * True when an error says the store cannot be reached (closed, locked past the busy timeout, server down)
 * rather than that a query or request is wrong, so the API answers 503 `STORE_UNAVAILABLE` (retry later), as
 * `/readyz` does, instead of a 500. Recognises SQLite, PostgreSQL (SQLSTATE class 08, connection exceptions)
 * and client-side errors by shape, without needing the store instance.
 */
export function isStoreUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (code !== undefined && (UNAVAILABLE_CODES.has(code) || code.startsWith('SQLITE_IOERR') || /^08[0-9A-Z]{3}$/.test(code))) return true;
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}

/**
 * True when the store refused a write for lack of space (SQLite's SQLITE_FULL; PostgreSQL's 53100
 * disk_full): nothing was written, and a retry succeeds once an operator frees space.
 */
export function isStoreFullError(error: unknown): boolean {
  if (!(error instanceof Error) || !('code' in error)) return false;
  return error.code === 'SQLITE_FULL' || error.code === '53100';
}

/**
 * True when PostgreSQL cancelled a statement that ran past `ATTEST_PG_STATEMENT_TIMEOUT_MS` (57014
 * query_canceled, by the statement timeout): the connection went back to the pool, and the request may be
 * retried, perhaps with a narrower query.
 */
export function isStoreTimeoutError(error: unknown): boolean {
  if (!(error instanceof Error) || !('code' in error)) return false;
  return error.code === '57014' && /statement timeout/.test(error.message);
}
