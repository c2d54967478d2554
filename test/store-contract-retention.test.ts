import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.js';
import { newId } from '../src/core/ids.js';
import type { AttestStore } from '../src/store/attest-store.js';
import { openStore } from '../src/store/open-store.js';
import { purgeExpiredEvents } from '../src/retention/purge-scheduler.js';
import { preparedEvent } from './support/prepared-events.js';
import { seededRandom } from './support/seeded-random.js';
import { storeMatrix } from './support/store-matrix.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

// Store contract, retention: purge deletes exactly the expired events and their hourly counts, batch by
// batch, and nothing else. Same cases for every store of STORES.

const HOUR_MS = 3_600_000;
const NOW_MS = Date.UTC(2026, 3, 1, 12);

type CountRow = {
  org_id: string;
  hour_start: number;
  type: string;
  action: string;
  product: string;
  security: number;
  event_count: number;
};

function bucketKey(row: Omit<CountRow, 'event_count'>): string {
  return [row.org_id, Number(row.hour_start), row.type, row.action, row.product, Number(row.security)].join('|');
}

/** The hourly counts table, and what it should hold recomputed from the event rows. */
async function countsAndRecount(store: AttestStore): Promise<{ stored: Map<string, number>; recounted: Map<string, number> }> {
  const counts = (await store.db.selectFrom('audit_event_counts').selectAll().execute()) as CountRow[];
  const stored = new Map(counts.map((c) => [bucketKey(c), Number(c.event_count)]));
  const rows = await store.db
    .selectFrom('audit_events')
    .select(['org_id', 'occurred_at', 'type', 'action', 'product', 'security'])
    .execute();
  const recounted = new Map<string, number>();
  for (const row of rows) {
    const key = bucketKey({ ...row, hour_start: Math.floor(Number(row.occurred_at) / HOUR_MS) * HOUR_MS });
    recounted.set(key, (recounted.get(key) ?? 0) + 1);
  }
  return { stored, recounted };
}

async function logIds(store: AttestStore): Promise<Set<string>> {
  const rows = await store.db.selectFrom('audit_events').select('log_id').execute();
  return new Set(rows.map((r) => r.log_id));
}

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`${kind} store contract: retention`, () => {
    let testStore: TestStore | undefined;
    afterEach(async () => {
      await testStore?.dispose();
      testStore = undefined;
    });

    it('purges exactly the expired events and their hourly counts, over several batches, and nothing else', async () => {
      const clock = new FixedClock(NOW_MS);
      testStore = await createTestStore(kind, clock);
      const { store } = testStore;
      const random = seededRandom(11);
      const orgs = [newId(), newId()];
      // Expired and live events share hours, types and organizations, so a purge that deleted by bucket
      // instead of by event, or decremented the wrong bucket, would show.
      const events = Array.from({ length: 180 }, (_, i) => {
        const occurredAtMs = NOW_MS - random.int(6 * HOUR_MS);
        const expired = i % 3 !== 0;
        const expiresAtMs = expired ? NOW_MS - random.int(HOUR_MS) : NOW_MS + 1 + random.int(HOUR_MS);
        return preparedEvent(random.pick(orgs), {
          occurredAtMs,
          expiresAtMs,
          type: random.pick(['user.standard.added', 'user.privileged.added', 'permission_set.updated']),
        });
      });
      // An event expiring exactly now is expired; one a millisecond later is not.
      events.push(preparedEvent(orgs[0] as string, { occurredAtMs: NOW_MS - 10, expiresAtMs: NOW_MS }));
      events.push(preparedEvent(orgs[0] as string, { occurredAtMs: NOW_MS - 10, expiresAtMs: NOW_MS + 1 }));
      const appended = await store.appendEvents(events);
      const seqByLogId = new Map(appended.map((a) => [a.logId, a.seq]));
      const expectedSurvivors = new Set(events.filter((e) => e.expiresAtMs > NOW_MS).map((e) => e.logId));
      const expiredCount = events.length - expectedSurvivors.size;
      expect(expiredCount).toBeGreaterThan(100);

      let deleted = 0;
      let batches = 0;
      for (let n = await store.purgeExpiredBatch(13); n > 0; n = await store.purgeExpiredBatch(13)) {
        expect(n).toBeLessThanOrEqual(13);
        deleted += n;
        batches += 1;
        // After every batch the counts still agree with the rows: a purge is never half-applied.
        const { stored, recounted } = await countsAndRecount(store);
        expect(stored).toEqual(recounted);
      }
      expect(batches).toBeGreaterThan(5);
      expect(deleted).toBe(expiredCount);
      expect(await logIds(store)).toEqual(expectedSurvivors);
      // Seqs of the survivors are untouched: purge never renumbers.
      const survivors = await store.db.selectFrom('audit_events').select(['log_id', 'seq']).execute();
      for (const row of survivors) expect(Number(row.seq)).toBe(seqByLogId.get(row.log_id));
      // New events continue the organization's sequence after a purge.
      const next = await store.appendEvents([preparedEvent(orgs[0] as string, { occurredAtMs: NOW_MS })]);
      expect(next[0]?.seq).toBe(events.filter((e) => e.orgId === orgs[0]).length);
    });

    it('purges more than one default batch through purgeExpiredEvents and leaves the live events', async () => {
      const clock = new FixedClock(NOW_MS);
      testStore = await createTestStore(kind, clock);
      const { store } = testStore;
      const orgId = newId();
      const expired = Array.from({ length: 2300 }, (_, i) =>
        preparedEvent(orgId, { occurredAtMs: NOW_MS - HOUR_MS - i, expiresAtMs: NOW_MS - i }),
      );
      const live = Array.from({ length: 20 }, (_, i) =>
        preparedEvent(orgId, { occurredAtMs: NOW_MS - HOUR_MS - i, expiresAtMs: NOW_MS + 1 + i }),
      );
      await store.appendEvents([...expired.slice(0, 1000), ...live.slice(0, 10)]);
      await store.appendEvents([...expired.slice(1000), ...live.slice(10)]);
      const progress: number[] = [];
      expect(await purgeExpiredEvents(store, (n) => progress.push(n))).toBe(2300);
      expect(progress).toEqual([1000, 2000, 2300]);
      expect(await logIds(store)).toEqual(new Set(live.map((e) => e.logId)));
      const { stored, recounted } = await countsAndRecount(store);
      expect(stored).toEqual(recounted);
      expect([...stored.values()].reduce((a, b) => a + b, 0)).toBe(20);
      expect(await store.purgeExpiredBatch(1000)).toBe(0);
    });

    it('keeps counts exact when two purgers run at once (the scheduler and `attest purge`)', async () => {
      const clock = new FixedClock(NOW_MS);
      testStore = await createTestStore(kind, clock);
      const { store } = testStore;
      // On PostgreSQL the second purger is another pool, as `attest purge` beside a server is; a SQLite
      // process has one writer connection, and other processes are serialized by the file lock.
      const other =
        kind === 'postgres'
          ? await openStore(testStore.databaseUrl, clock, { postgresSchema: testStore.env.ATTEST_POSTGRES_SCHEMA })
          : store;
      try {
        const orgId = newId();
        const expired = Array.from({ length: 600 }, (_, i) =>
          preparedEvent(orgId, { occurredAtMs: NOW_MS - HOUR_MS - (i % 7) * HOUR_MS, expiresAtMs: NOW_MS - 1 }),
        );
        const live = Array.from({ length: 30 }, (_, i) =>
          preparedEvent(orgId, { occurredAtMs: NOW_MS - (i % 7) * HOUR_MS, expiresAtMs: NOW_MS + 1 }),
        );
        await store.appendEvents([...expired, ...live]);
        const purgers = [store, other, store, other].map(async (s) => {
          let total = 0;
          for (let n = await s.purgeExpiredBatch(50); n > 0; n = await s.purgeExpiredBatch(50)) total += n;
          return total;
        });
        const deleted = await Promise.all(purgers);
        expect(deleted.reduce((a, b) => a + b, 0)).toBe(600);
        expect(await logIds(store)).toEqual(new Set(live.map((e) => e.logId)));
        const { stored, recounted } = await countsAndRecount(store);
        expect(stored).toEqual(recounted);
      } finally {
        if (other !== store) await other.close();
      }
    });
  });
}
