import type Database from 'better-sqlite3';
import { CompiledQuery, SqliteDriver, type DatabaseConnection, type QueryResult } from 'kysely';
import type { AsyncLock } from '../../core/async-lock.js';
import { withStatementCache } from './sqlite-statement-cache.js';

/**
 * Kysely's SQLite driver, except that transactions start with `BEGIN IMMEDIATE`. A deferred transaction that
 * reads first and writes later fails with SQLITE_BUSY when another process committed in between (the CLI
 * beside the server); taking the write lock up front makes it wait for the busy timeout instead, and makes
 * "read the next seq, then insert" one atomic step across processes.
 *
 * With a `transactionLock`, a transaction holds it from before `BEGIN` until after its end, and a single write
 * statement outside a transaction (a new session, a failed login) while it runs: the store's append thread
 * takes the same lock for its commits, so a write here waits for one of those on the event loop rather than
 * sleeping in SQLite's busy handler, which would block the thread and every request on it. Reads never wait:
 * WAL readers see the last commit. `afterCommit` runs once a transaction or single write has committed (it
 * wakes the WAL checkpointer).
 */
export class SqliteImmediateDriver extends SqliteDriver {
  private holdsLock = false;

  constructor(
    private readonly database: Database.Database,
    private readonly options: { afterCommit?: () => void; transactionLock?: AsyncLock } = {},
  ) {
    super({ database: withStatementCache(database) });
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    const lock = this.options.transactionLock;
    if (!lock) return connection;
    return {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        if (this.holdsLock || query.query.kind === 'SelectQueryNode') return connection.executeQuery<R>(query);
        await lock.acquire();
        try {
          const result = await connection.executeQuery<R>(query);
          this.options.afterCommit?.();
          return result;
        } finally {
          lock.release();
        }
      },
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
    };
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const lock = this.options.transactionLock;
    if (lock) {
      await lock.acquire();
      this.holdsLock = true;
    }
    try {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    } catch (error) {
      this.releaseLock();
      throw error;
    }
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    // A failed commit is followed by Kysely's rollback, which releases the lock.
    await super.commitTransaction(connection);
    this.releaseLock();
    this.options.afterCommit?.();
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      // After some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM) SQLite has already rolled the transaction
      // back itself: a ROLLBACK then fails with "no transaction is active", and that error would replace the
      // one that says what happened (a full disk answers 503, not 500).
      if (this.database.inTransaction) await super.rollbackTransaction(connection);
    } finally {
      this.releaseLock();
    }
  }

  private releaseLock(): void {
    // One writer connection, whose transactions Kysely runs one at a time: one flag is enough.
    if (!this.holdsLock) return;
    this.holdsLock = false;
    this.options.transactionLock?.release();
  }
}
