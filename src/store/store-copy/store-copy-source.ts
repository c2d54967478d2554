import type { CopyRow } from './store-copy-plan.js';

/**
 * A store being copied, read only (`attest migrate --from`). Every read sees one snapshot of the store, taken
 * at the first read and kept until {@link StoreCopySource.close}, so the copy and its verification compare
 * against the same rows even if a server still writes to the source.
 */
export interface StoreCopySource {
  /** Every table in the source database, the database's own included. */
  tableNames(): string[];
  /** The names of the migrations the source has run. */
  migrationNames(): string[];
  /** How many rows the table holds. */
  count(table: string): number;
  /** Rows in `key` order after the key values `after` (from the start when undefined), at most `limit`. */
  rowsAfter(table: string, key: readonly string[], after: readonly unknown[] | undefined, limit: number): CopyRow[];
  /** The organizations that have rows in the table. */
  orgIds(table: string): string[];
  /** Rows of one organization in `order` after the values `after` (from the start when undefined), at most `limit`. */
  orgRowsAfter(table: string, orgId: string, order: readonly string[], after: readonly unknown[] | undefined, limit: number): CopyRow[];
  /** How many rows of one organization the table holds. */
  countInOrg(table: string, orgId: string): number;
  /** When the oldest event happened (epoch ms), or undefined when the log is empty. */
  oldestEventMs(): number | undefined;
  /** Ends the snapshot and closes the file. */
  close(): void;
}
