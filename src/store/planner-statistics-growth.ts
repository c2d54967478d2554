/**
 * When a table's planner statistics are due: once it has changed by this fraction of its rows since they were
 * last taken, plus a few rows so a tiny table is not analyzed for every insert (PostgreSQL's autovacuum uses
 * the same rule, 10 % + 50 rows, but autovacuum may be off or minutes behind a bulk load).
 */
export const STATISTICS_GROWTH_FRACTION = 0.1;
export const STATISTICS_GROWTH_MIN_ROWS = 50;

/** True when `changedRows` since the last refresh of a table of `rowsAtRefresh` rows calls for a new one. */
export function statisticsDue(rowsAtRefresh: number, changedRows: number): boolean {
  return changedRows >= STATISTICS_GROWTH_MIN_ROWS + STATISTICS_GROWTH_FRACTION * Math.max(0, rowsAtRefresh);
}
