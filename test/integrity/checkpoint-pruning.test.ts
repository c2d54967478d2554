import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import { newId } from '../../src/core/ids.js';
import { pruneCheckpoints } from '../../src/retention/checkpoint-pruning.js';
import type { StoredCheckpoint } from '../../src/store/merkle-tree-store.js';
import { storeMatrix } from '../support/store-matrix.js';
import { createTestStore, type TestStore } from '../support/test-stores.js';

// The retention job keeps at least one checkpoint per hour of the retention period, every checkpoint of the
// last hour and the latest, and drops the rest (PRODUCT.md §8). Checkpoints are written directly: what is
// pruned depends only on their sizes and signing times.

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 5, 10, 12, 30);
const RETENTION = 2 * 24 * HOUR;

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`checkpoint pruning (${kind})`, () => {
    let test: TestStore;
    const clock = new FixedClock(NOW);

    beforeEach(async () => {
      test = await createTestStore(kind, clock);
    });
    afterEach(async () => {
      await test.dispose();
    });

    async function sign(orgId: string, treeSize: number, signedAt: number): Promise<void> {
      const checkpoint: StoredCheckpoint = { orgId, treeSize, rootHash: '00'.repeat(32), note: `note ${treeSize}\n`, signedAt };
      await test.store.merkleTrees.saveCheckpoint(checkpoint);
    }
    const sizes = async (orgId: string) => (await test.store.merkleTrees.checkpoints(orgId)).map((c) => c.treeSize);

    it('keeps the last checkpoint of each hour of the retention period, the whole last hour and the latest', async () => {
      const orgId = newId();
      const other = newId();
      // Three days of checkpoints, four an hour (at :00, :15, :30, :45), sizes growing by one.
      const start = NOW - 3 * 24 * HOUR - 30 * 60_000;
      let size = 0;
      const all: Array<{ size: number; at: number }> = [];
      for (let at = start; at <= NOW; at += 15 * 60_000) {
        size += 1;
        all.push({ size, at });
        await sign(orgId, size, at);
      }
      await sign(other, 7, NOW - 10 * 24 * HOUR);

      const dropped = await pruneCheckpoints(test.store, RETENTION);

      const keepFrom = NOW - RETENTION;
      const expected = all
        .filter(({ size: s, at }) => {
          if (at >= NOW - HOUR || s === size) return true;
          if (at < keepFrom) return false;
          // The last of its clock hour (the next one falls in another hour, or there is none).
          const next = all.find((c) => c.size === s + 1);
          return next === undefined || Math.floor(next.at / HOUR) !== Math.floor(at / HOUR);
        })
        .map((c) => c.size);
      expect(await sizes(orgId)).toEqual(expected);
      expect(dropped).toBe(all.length - expected.length);
      // At least one per hour over the retention period: no gap of an hour or more between kept ones.
      const keptTimes = all.filter((c) => expected.includes(c.size) && c.at >= keepFrom).map((c) => c.at);
      for (let i = 1; i < keptTimes.length; i += 1) expect(keptTimes[i]! - keptTimes[i - 1]!).toBeLessThanOrEqual(HOUR);
      expect(expected.length).toBeGreaterThanOrEqual(48);
      // An organization's only checkpoint is its latest, however old.
      expect(await sizes(other)).toEqual([7]);

      // Pruning again drops nothing more.
      expect(await pruneCheckpoints(test.store, RETENTION)).toBe(0);
    });

    it('drops nothing of an organization whose checkpoints are all of the last hour', async () => {
      const orgId = newId();
      for (let i = 1; i <= 10; i += 1) await sign(orgId, i, NOW - 50 * 60_000 + i * 1000);
      expect(await pruneCheckpoints(test.store, RETENTION)).toBe(0);
      expect(await sizes(orgId)).toHaveLength(10);
    });
  });
}
