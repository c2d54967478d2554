import { COPIED_TABLES, copyKey, tableCopy, type CopyRow } from './store-copy-plan.js';
import type { CopyProgress } from './store-copier.js';
import type { StoreCopySource } from './store-copy-source.js';
import type { StoreCopyTarget } from './store-copy-target.js';

/** Differences listed at most; the count says how many were found. */
const MAX_LISTED = 20;

/** Whether the target holds exactly what the source holds, and where it does not. */
export interface CopyVerification {
  ok: boolean;
  /** Rows compared over every copied table. */
  rowsCompared: number;
  /** Organizations whose event log was compared, and their events. */
  organizations: number;
  events: number;
  /** The first differences, one sentence each. */
  differences: string[];
  differenceCount: number;
}

/**
 * Compares the target with the source row by row after a copy: every table's row count; every row of an
 * upsert table looked up by its key; and every append table organization by organization in order, so each
 * organization's event count, each event's `seq`, `leafHash` and record, its Merkle tiles and its signed
 * checkpoints (the tree heads with `merkle_tree_heads`) are checked. A row the target has and the source does
 * not shows as a count difference. Only equal values pass: no tolerance, no normalization beyond the copy
 * plan's own rewrite.
 */
export async function verifyStoreCopy(
  source: StoreCopySource,
  target: StoreCopyTarget,
  options: { batchSize: number; progress?: CopyProgress },
): Promise<CopyVerification> {
  const found: string[] = [];
  let differenceCount = 0;
  const differ = (text: string): void => {
    differenceCount += 1;
    if (found.length < MAX_LISTED) found.push(text);
  };
  let rowsCompared = 0;
  const counted = { organizations: 0, events: 0 };
  for (const table of COPIED_TABLES) {
    const [inSource, inTarget] = [source.count(table), await target.count(table)];
    if (inSource !== inTarget) differ(`${table}: the source holds ${inSource} rows, the target ${inTarget}`);
    const plan = tableCopy(table);
    const compared =
      plan.how === 'upsert'
        ? await compareByKey(source, target, table, copyKey(table), plan.rewrite, differ, options)
        : await compareInOrder(source, target, table, plan.order, differ, options, table === 'audit_events' ? counted : undefined);
    rowsCompared += compared;
  }
  return { ok: differenceCount === 0, rowsCompared, ...counted, differences: found, differenceCount };
}

async function compareByKey(
  source: StoreCopySource,
  target: StoreCopyTarget,
  table: string,
  key: readonly string[],
  rewrite: ((row: CopyRow) => CopyRow) | undefined,
  differ: (text: string) => void,
  options: { batchSize: number; progress?: CopyProgress },
): Promise<number> {
  let compared = 0;
  let after: unknown[] | undefined;
  // A key list of a few hundred rows keeps the target's IN list far below PostgreSQL's 65,535 parameters.
  const batchSize = Math.min(options.batchSize, 500);
  for (;;) {
    const rows = source.rowsAfter(table, key, after, batchSize);
    const last = rows.at(-1);
    if (!last) return compared;
    const keyOf = (row: CopyRow): unknown[] => key.map((column) => row[column]);
    const targetRows = new Map((await target.rowsWithKeys(table, key, rows.map(keyOf))).map((row) => [JSON.stringify(keyOf(row)), row]));
    for (const row of rows) {
      const expected = rewrite ? rewrite(row) : row;
      const described = `${table} ${key.join(', ')} = ${keyOf(row).join(', ')}`;
      const copied = targetRows.get(JSON.stringify(keyOf(row)));
      if (!copied) differ(`${described}: missing in the target`);
      else compareRows(described, expected, copied, differ);
    }
    compared += rows.length;
    options.progress?.(table, rows.length);
    after = keyOf(last);
  }
}

async function compareInOrder(
  source: StoreCopySource,
  target: StoreCopyTarget,
  table: string,
  order: readonly string[],
  differ: (text: string) => void,
  options: { batchSize: number; progress?: CopyProgress },
  counted: { organizations: number; events: number } | undefined,
): Promise<number> {
  let compared = 0;
  const orgIds = [...new Set([...source.orgIds(table), ...(await target.orgIds(table))])].sort();
  for (const orgId of orgIds) {
    let after: unknown[] | undefined;
    let inOrg = 0;
    for (;;) {
      const [rows, copies] = [
        source.orgRowsAfter(table, orgId, order, after, options.batchSize),
        await target.orgRowsAfter(table, orgId, order, after, options.batchSize),
      ];
      for (let i = 0; i < Math.max(rows.length, copies.length); i += 1) {
        const [row, copy] = [rows[i], copies[i]];
        const at = (r: CopyRow): string => `${table} of organization ${orgId}, ${order.map((c) => `${c} ${String(r[c])}`).join(', ')}`;
        if (!row || !copy) {
          differ(`${at((row ?? copy) as CopyRow)}: ${row ? 'missing in the target' : 'not in the source'}`);
          break;
        }
        if (order.some((column) => row[column] !== copy[column])) {
          differ(`${at(row)}: the target has ${at(copy)} in its place`);
          break;
        }
        compareRows(at(row), row, copy, differ);
      }
      const last = rows.at(-1);
      compared += rows.length;
      inOrg += rows.length;
      options.progress?.(table, rows.length);
      // A batch that differs in length has shown its difference; the count comparison gives the extent.
      if (!last || rows.length !== copies.length) break;
      after = order.map((column) => last[column]);
    }
    if (counted) {
      counted.organizations += 1;
      counted.events += inOrg;
    }
  }
  return compared;
}

function compareRows(described: string, expected: CopyRow, copied: CopyRow, differ: (text: string) => void): void {
  for (const [column, value] of Object.entries(expected)) {
    if (!sameValue(copied[column], value))
      differ(`${described}: ${column} differs (source ${shown(value)}, target ${shown(copied[column])})`);
  }
}

/** Equal values; bytes (a Merkle tile: a Buffer from either driver) byte for byte. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  return a === b;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
