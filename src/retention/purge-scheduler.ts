import type { FastifyBaseLogger } from 'fastify';
import type { AttestStore } from '../store/attest-store.js';
import { DAY_MS } from '../config.js';
import { pruneCheckpoints } from './checkpoint-pruning.js';

/** Events deleted per transaction: small enough that a purge batch holds the write lock for milliseconds. */
export const PURGE_BATCH_SIZE = 1000;

/**
 * Deletes every expired event. Where the log is partitioned by week (PostgreSQL), every week whose events have
 * all expired is dropped whole first, and the partitions of the weeks ahead are created; what expired in the
 * weeks that remain (the edge of the retention window) is then deleted batch by batch, yielding to the event
 * loop between batches so ingest and queries interleave with a long purge.
 *
 * @returns how many events were deleted.
 */
export async function purgeExpiredEvents(
  store: AttestStore,
  onProgress?: (deleted: number) => void,
  /** The deployment's retention: partitions are kept ready for its window, and empty ones older dropped. */
  retentionDays?: number,
): Promise<number> {
  await store.maintainEventPartitions(retentionDays);
  let total = await store.dropExpiredEventPartitions(retentionDays);
  if (total > 0) onProgress?.(total);
  for (;;) {
    const deleted = await store.purgeExpiredBatch(PURGE_BATCH_SIZE);
    total += deleted;
    onProgress?.(total);
    if (deleted < PURGE_BATCH_SIZE) return total;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * Runs {@link purgeExpiredEvents} and {@link pruneCheckpoints} now and then every `intervalMinutes`; returns a
 * function that stops it.
 */
export function schedulePurge(
  store: AttestStore,
  intervalMinutes: number,
  retentionMs: number,
  log: FastifyBaseLogger,
): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = purgeExpiredEvents(store, undefined, retentionMs / DAY_MS)
      .then(async (deleted) => {
        if (deleted > 0) log.info({ deleted }, 'purged expired audit events');
        const dropped = await pruneCheckpoints(store, retentionMs);
        if (dropped > 0) log.info({ dropped }, 'dropped checkpoints beyond the hourly ones the retention period keeps');
      })
      .catch((error: unknown) => log.error({ err: error }, 'purge of expired audit events failed'));
  };
  const timer = setInterval(run, intervalMinutes * 60_000);
  timer.unref();
  run();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
