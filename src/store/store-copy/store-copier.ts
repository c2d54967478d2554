import { COPIED_TABLES, copyKey, tableCopy, type CopyRow } from './store-copy-plan.js';
import type { StoreCopySource } from './store-copy-source.js';
import type { StoreCopyTarget } from './store-copy-target.js';

/** What the copy reports as it goes: rows of `table` now in the target (copied now, or found there from an earlier run). */
export type CopyProgress = (table: string, rows: number) => void;

/** What one table's copy did. */
export interface TableCopyResult {
  table: string;
  /** Rows the source holds. */
  rows: number;
  /** Rows written by this run (for an append table, those not already in the target from an earlier run). */
  written: number;
}

/**
 * Copies every table of the plan from `source` into `target`, `batchSize` rows per statement. Safe to run again
 * after an interruption: upsert tables are written again, append tables go on after the last row each
 * organization has in the target. Check the result with `verifyStoreCopy`.
 */
export async function copyStore(
  source: StoreCopySource,
  target: StoreCopyTarget,
  options: { batchSize: number; progress?: CopyProgress },
): Promise<TableCopyResult[]> {
  const results: TableCopyResult[] = [];
  for (const table of COPIED_TABLES) {
    const plan = tableCopy(table);
    const rows = source.count(table);
    const written =
      plan.how === 'upsert'
        ? await upsertTable(source, target, table, copyKey(table), plan.rewrite, options)
        : await appendTable(source, target, table, plan.order, options);
    results.push({ table, rows, written });
  }
  return results;
}

async function upsertTable(
  source: StoreCopySource,
  target: StoreCopyTarget,
  table: string,
  key: readonly string[],
  rewrite: ((row: CopyRow) => CopyRow) | undefined,
  options: { batchSize: number; progress?: CopyProgress },
): Promise<number> {
  let written = 0;
  let after: unknown[] | undefined;
  for (;;) {
    const rows = source.rowsAfter(table, key, after, options.batchSize);
    const last = rows.at(-1);
    if (!last) return written;
    await target.upsert(table, key, rewrite ? rows.map(rewrite) : rows);
    written += rows.length;
    options.progress?.(table, rows.length);
    after = key.map((column) => last[column]);
  }
}

async function appendTable(
  source: StoreCopySource,
  target: StoreCopyTarget,
  table: string,
  order: readonly string[],
  options: { batchSize: number; progress?: CopyProgress },
): Promise<number> {
  let written = 0;
  for (const orgId of source.orgIds(table)) {
    // Each earlier batch was one statement, committed in order: what the target holds is a prefix.
    let after = await target.lastInOrg(table, orgId, order);
    if (after !== undefined) options.progress?.(table, await target.countInOrg(table, orgId));
    for (;;) {
      const rows = source.orgRowsAfter(table, orgId, order, after, options.batchSize);
      const last = rows.at(-1);
      if (!last) break;
      await target.insert(table, rows);
      written += rows.length;
      options.progress?.(table, rows.length);
      after = order.map((column) => last[column]);
    }
  }
  return written;
}
