import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEventsTable } from '../../src/store/database-schema.js';
import { toEventRow } from '../../src/store/event-rows.js';
import { openStore } from '../../src/store/open-store.js';
import { openSqliteFile } from '../../src/store/sqlite/sqlite-connections.js';
import { sqliteEventRowInserter } from '../../src/store/sqlite/sqlite-event-row-inserter.js';
import { createBenchOrganizations } from '../dataset/seed-tenancy.js';
import { preparedBenchBatches } from './raw-store-limit.js';

/** What SQLite itself takes to store the rows of an append, on this machine. */
export interface SqliteInsertFloor {
  events: number;
  /** Microseconds per event to build its row: the canonical record JSON and its leaf hash, done by every append. */
  rowBuildMicros: number;
  /** Rows per second inserted and committed with every index of the audit log. */
  withIndexes: number;
  /** The same rows into a file without the secondary indexes (the table and its primary key only). */
  withoutSecondaryIndexes: number;
}

/**
 * The floor under the raw store limit: the rows an append writes, built beforehand, inserted with the append
 * thread's own prepared statement (`sqliteEventRowInserter`) and settings (WAL, `synchronous = FULL`) in
 * transactions of 5000, with nothing else in the transaction (no log heads, hourly counts or actors, no
 * Kysely). Once with the audit log's indexes, which the query targets rest on, and once without the secondary
 * ones: what the indexes cost. No store can append faster than this on this machine with this schema.
 */
export async function measureSqliteInsertFloor(dir: string, events: number, orgCount: number): Promise<SqliteInsertFloor> {
  // The store creates the schema (migrations) and the organizations; the rows then go in without it. The
  // second file is a copy of the first, so both take the very same rows, built once.
  const indexedPath = join(dir, 'insert-floor-indexed.db');
  const barePath = join(dir, 'insert-floor-bare.db');
  const store = await openStore(`sqlite:${indexedPath}`);
  const orgIds = await createBenchOrganizations(store, orgCount, 'Floor Org');
  await store.close();
  copyFileSync(indexedPath, barePath);

  const batches = preparedBenchBatches(orgIds, events);
  const buildStarted = performance.now();
  const nextSeq = new Map<string, number>();
  const recordedAtMs = Date.now();
  const rowBatches: AuditEventsTable[][] = batches.map((batch) =>
    batch.map((event) => {
      const seq = nextSeq.get(event.orgId) ?? 0;
      nextSeq.set(event.orgId, seq + 1);
      return toEventRow(event, seq, recordedAtMs);
    }),
  );
  const rowBuildMicros = ((performance.now() - buildStarted) * 1000) / events;

  const withIndexes = insertRate(indexedPath, orgIds, rowBatches, events, true);
  const withoutSecondaryIndexes = insertRate(barePath, orgIds, rowBatches, events, false);
  return { events, rowBuildMicros, withIndexes, withoutSecondaryIndexes };
}

/** Rows per second of `rowBatches` inserted into the file at `path`, one transaction per batch. */
function insertRate(
  path: string,
  orgIds: readonly string[],
  rowBatches: readonly AuditEventsTable[][],
  events: number,
  keepIndexes: boolean,
): number {
  const writer = openSqliteFile(path, 'writer');
  try {
    const addHead = writer.prepare('insert into org_log_heads (org_id, next_seq) values (?, 0) on conflict do nothing');
    for (const orgId of orgIds) addHead.run(orgId);
    if (!keepIndexes) {
      // Indexes declared by a statement: every one but the primary key's, which belongs to the table.
      const secondary = writer
        .prepare<[], string>("select name from sqlite_schema where type = 'index' and tbl_name = 'audit_events' and sql is not null")
        .pluck()
        .all();
      for (const name of secondary) writer.exec(`drop index "${name}"`);
    }
    const insertRows = sqliteEventRowInserter(writer);
    const commitBatch = writer.transaction((rows: AuditEventsTable[]) => insertRows(rows));
    const started = performance.now();
    for (const rows of rowBatches) commitBatch.immediate(rows);
    return events / ((performance.now() - started) / 1000);
  } finally {
    writer.close();
  }
}
