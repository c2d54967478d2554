import type { FastifyBaseLogger } from 'fastify';
import type { AttestStore } from './attest-store.js';

/** How often the planner statistics are refreshed: often enough to follow a log that grows fast after a start. */
export const STATISTICS_REFRESH_MINUTES = 10;

/**
 * Refreshes the store's planner statistics every {@link STATISTICS_REFRESH_MINUTES} (the store also does it
 * when it opens); returns a function that stops it. A refresh that finds nothing changed costs almost nothing.
 */
export function scheduleStatisticsRefresh(store: AttestStore, log: FastifyBaseLogger): () => void {
  const timer = setInterval(() => {
    store.refreshPlannerStatistics().catch((error: unknown) => log.warn({ err: error }, 'refreshing planner statistics failed'));
  }, STATISTICS_REFRESH_MINUTES * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
