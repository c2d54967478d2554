import type { Kysely } from 'kysely';
import type { AttestDatabase } from '../database-schema.js';

/**
 * What a named query runs on: the store's write connection (`store.db`), its read connection
 * (`store.dialect.readDb`) or an open transaction (`tx` of `store.transaction`). The caller decides which, so a
 * query joins the caller's transaction instead of opening its own.
 *
 * @example
 * await store.transaction(async (tx) => { await insertMembership(tx, row); await store.appendEventsIn(tx, [event]); });
 */
export type QueryExecutor = Kysely<AttestDatabase>;

// Rows or ids per statement: a statement of up to 16 columns × 500 stays far below SQLite's 32,766 and
// PostgreSQL's 65,535 bound parameters.
const CHUNK = 500;

/** Runs `work` on `items` 500 at a time, one after another (a transaction runs one statement at a time), and joins the results. */
export async function inChunks<T, R>(items: readonly T[], work: (chunk: T[]) => Promise<readonly R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(...(await work(items.slice(i, i + CHUNK))));
  return out;
}

/** Runs `work` on `items` 500 at a time, one after another, for what it writes. */
export async function forEachChunk<T>(items: readonly T[], work: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += CHUNK) await work(items.slice(i, i + CHUNK));
}
