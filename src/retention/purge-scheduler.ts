import type { FastifyBaseLogger } from 'fastify';
import type { AttestStore } from '../store/attest-store.js';
import { pruneCheckpoints } from './checkpoint-pruning.js';

/** Events deleted per transaction: small enough that a purge batch holds the write lock for milliseconds. */
export const PURGE_BATCH_SIZE = 1000;

/**
 * Deletes every expired event, batch by batch, yielding to the event loop between batches so ingest and
 * queries interleave with a long purge.
 *
 * @returns how many events were deleted.
 */
export async function purgeExpiredEvents(store: AttestStore, onProgress?: (deleted: number) => void): Promise<number> {
  let total = 0;
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
    running = purgeExpiredEvents(store)
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
