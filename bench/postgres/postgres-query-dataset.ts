import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.js';
import { openSqliteCopySource } from '../../src/store/sqlite/sqlite-copy-source.js';
import { copyStore } from '../../src/store/store-copy/store-copier.js';
import { StoreCopyTarget } from '../../src/store/store-copy/store-copy-target.js';
import type { QueryDataset } from '../dataset/query-dataset.js';

/** The query dataset copied into a PostgreSQL schema of its own. */
export interface PostgresQueryDataset {
  schema: string;
  /** The SQLite dataset it was copied from (its anchor tells a stale copy). */
  anchorMs: number;
  events: number;
  /** Rows of every table copied per second by `attest migrate`'s copy (without its verify pass). */
  copyRowsPerSecond: number;
  copySeconds: number;
  builtNow: boolean;
}

/**
 * Copies the SQLite query dataset into the schema `attest_bench_query_<events>` with the copy `attest migrate`
 * runs, then `ANALYZE`s it as the migrate command does. Kept between runs (the copy of millions of events
 * takes minutes) and made again when the SQLite dataset was rebuilt.
 */
export async function openOrCopyPostgresDataset(
  dataDir: string,
  dataset: QueryDataset,
  postgresUrl: string,
  log: (line: string) => void,
): Promise<PostgresQueryDataset> {
  const schema = `attest_bench_query_${dataset.events}`;
  const metaFile = join(dataDir, `pg-query-${dataset.events}.json`);
  if (existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as PostgresQueryDataset;
    if (meta.anchorMs === dataset.anchorMs && meta.schema === schema) return { ...meta, builtNow: false };
  }
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await admin.end();
  }
  log(`query (PostgreSQL): copying the ${dataset.events.toLocaleString('en-US')}-event dataset into schema ${schema}…`);
  const target = await openStore(postgresUrl, undefined, { postgresSchema: schema });
  const source = openSqliteCopySource(dataset.path);
  const started = performance.now();
  let rows: number;
  try {
    const copyTarget = new StoreCopyTarget(target.db);
    const copied = await copyStore(source, copyTarget, { batchSize: 2000 });
    rows = copied.reduce((sum, table) => sum + table.written, 0);
    await copyTarget.refreshStatistics();
  } finally {
    source.close();
    await target.close();
  }
  const copySeconds = (performance.now() - started) / 1000;
  const meta: PostgresQueryDataset = {
    schema,
    anchorMs: dataset.anchorMs,
    events: dataset.events,
    copyRowsPerSecond: rows / copySeconds,
    copySeconds,
    builtNow: true,
  };
  writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}
