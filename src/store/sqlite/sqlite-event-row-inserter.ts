import type Database from 'better-sqlite3';
import type { AuditEventsTable } from '../database-schema.js';

// Every column, in the order of the statement's placeholders; typed so that a new column cannot be forgotten.
const COLUMNS = [
  'org_id',
  'seq',
  'log_id',
  'occurred_at',
  'recorded_at',
  'expires_at',
  'type',
  'product',
  'action',
  'security',
  'actor_id',
  'actor_email',
  'trace_id',
  'idempotency_key',
  'leaf_hash',
  'record',
] as const satisfies readonly (keyof AuditEventsTable)[];
// Fails to compile when the table gains a column that COLUMNS does not list.
const listsEveryColumn: Exclude<keyof AuditEventsTable, (typeof COLUMNS)[number]> extends never ? true : false = true;
void listsEveryColumn;

/**
 * Inserts audit event rows on the SQLite writer connection with one statement prepared once and run per row.
 * Measured on 200,000 events: a quarter faster than the multi-row `INSERT … VALUES` Kysely builds, which SQLite
 * runs through a co-routine over the values and which is compiled anew for every chunk. The rows join the
 * transaction open on that connection: the writer has one connection, and the transaction holds it.
 */
export function sqliteEventRowInserter(writer: Database.Database): (rows: readonly AuditEventsTable[]) => void {
  let insert: Database.Statement<unknown[]> | undefined;
  return (rows) => {
    // Prepared on first use: the table exists only once migrations have run.
    insert ??= writer.prepare(`insert into audit_events (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`);
    for (const row of rows) insert.run(COLUMNS.map((column) => row[column]));
  };
}
