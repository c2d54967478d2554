import type { AttestStore } from '../store/attest-store.js';

const HOUR_MS = 3_600_000;

/**
 * Drops the signed checkpoints nobody needs any more, organization by organization (PRODUCT.md §8 keeps "at
 * least hourly for the retention period, plus the latest"): of the checkpoints signed more than an hour ago it
 * keeps the last of each clock hour within the retention period and the latest, and drops the rest. The last
 * hour is left whole, so a client that just read a checkpoint can still ask for proofs at its size. The
 * checkpointer signs up to one per second per organization, so without this the table grows by thousands of
 * rows an hour.
 *
 * @returns how many checkpoints were dropped.
 */
export async function pruneCheckpoints(store: AttestStore, retentionMs: number): Promise<number> {
  const now = store.clock.now();
  const recentFrom = now - HOUR_MS;
  let dropped = 0;
  for (const orgId of await store.merkleTrees.organizationsWithCheckpointsBefore(recentFrom)) {
    dropped += await store.merkleTrees.pruneCheckpoints(orgId, now - retentionMs, recentFrom);
  }
  return dropped;
}
