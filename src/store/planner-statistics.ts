import type { FastifyBaseLogger } from 'fastify';
import type { AttestStore } from './attest-store.js';

/** How often the planner statistics are refreshed in full: often enough to follow a log that grows fast after a start. */
export const STATISTICS_REFRESH_MINUTES = 10;
/**
 * How often the store checks whether a table has grown by a fraction since its statistics were taken
 * (`planner-statistics-growth.ts`) and refreshes them if so: a bulk load must not leave the planner on the
 * old histogram for the rest of the ten minutes. The check is one small catalog query.
 */
export const STATISTICS_GROWTH_CHECK_SECONDS = 15;

/**
 * Refreshes the store's planner statistics every {@link STATISTICS_REFRESH_MINUTES} (the store also does it
 * when it opens), and in between as soon as a table has grown by a fraction since the last refresh, checked
 * every `growthCheckSeconds`; returns a function that stops both. A refresh that finds nothing changed costs
 * almost nothing.
 */
export function scheduleStatisticsRefresh(
  store: AttestStore,
  log: FastifyBaseLogger,
  growthCheckSeconds = STATISTICS_GROWTH_CHECK_SECONDS,
): () => void {
  const warn = (error: unknown) => log.warn({ err: error }, 'refreshing planner statistics failed');
  const timer = setInterval(() => {
    store.refreshPlannerStatistics().catch(warn);
  }, STATISTICS_REFRESH_MINUTES * 60_000);
  timer.unref();
  // One check at a time: a refresh that takes longer than the interval is not started again beside itself.
  let checking = false;
  const growthTimer = setInterval(() => {
    if (checking) return;
    checking = true;
    store
      .refreshGrownPlannerStatistics()
      .catch(warn)
      .finally(() => {
        checking = false;
      });
  }, growthCheckSeconds * 1000);
  growthTimer.unref();
  return () => {
    clearInterval(timer);
    clearInterval(growthTimer);
  };
}
