import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import type { AppendedEvent } from '../src/events/audit-event.js';
import { GroupCommitter } from '../src/features/ingest/group-committer.js';
import { createIngestHarness, incomingEvent, type IngestHarness } from './support/ingest-harness.js';
import { preparedEvent, preparedEvents } from './support/prepared-events.js';
import { storeMatrix } from './support/store-matrix.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

// Group commit: concurrent requests share transactions, each is answered only for its own events, and a batch
// that fails inside a group fails alone.

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`${kind}: group commit`, () => {
    let h: IngestHarness | undefined;
    let testStore: TestStore | undefined;
    afterEach(async () => {
      await h?.dispose();
      await testStore?.dispose();
      h = undefined;
      testStore = undefined;
    });

    it('commits a burst of 50 concurrent requests in fewer transactions than requests, each answered with its own seqs', async () => {
      h = await createIngestHarness(kind);
      const harness = h;
      // The second organization: the harness's login already wrote an event to the first one's log.
      const commitsBefore = harness.services.committer.commits;
      const sizes = Array.from({ length: 50 }, (_, i) => 1 + (i % 5));
      const responses = await Promise.all(
        sizes.map((size, i) =>
          harness.app.inject({
            method: 'POST',
            url: '/api/v1/events',
            headers: { authorization: `Bearer ${harness.allProductsKey}` },
            payload: {
              events: Array.from({ length: size }, (_, j) => incomingEvent(harness.otherOrgId, { idempotencyKey: `burst-${i}-${j}` })),
            },
          }),
        ),
      );
      expect(responses.map((r) => r.statusCode)).toEqual(sizes.map(() => 201));
      const commits = harness.services.committer.commits - commitsBefore;
      expect(commits).toBeGreaterThan(0);
      expect(commits).toBeLessThan(50);

      const total = sizes.reduce((a, b) => a + b, 0);
      const rows = await harness.testStore.store.db
        .selectFrom('audit_events')
        .select(['seq', 'log_id', 'idempotency_key'])
        .where('org_id', '=', harness.otherOrgId)
        .orderBy('seq')
        .execute();
      expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: total }, (_, i) => i));
      // Each answer names exactly the rows of its own request, in the order sent.
      const rowByKey = new Map(rows.map((r) => [r.idempotency_key, r]));
      responses.forEach((response, i) => {
        const answer = response.json<{ events: AppendedEvent[] }>().events;
        expect(answer).toHaveLength(sizes[i] as number);
        answer.forEach((appended, j) => {
          const row = rowByKey.get(`burst-${i}-${j}`);
          expect(appended).toEqual({ logId: row?.log_id, seq: Number(row?.seq), duplicate: false });
        });
      });
    });

    it('fails only the batch that cannot commit; its neighbours in the same group commit', async () => {
      testStore = await createTestStore(kind);
      const store = testStore.store;
      const committer = new GroupCommitter(store);
      const orgId = newId();
      const good = Array.from({ length: 20 }, () => preparedEvents(orgId, 3, Date.now()));
      // Two events with the same logId violate the unique index at commit time: a failure that validation
      // cannot catch, which rolls back the whole group's transaction.
      // Both at the Log ID's own time, as Attest makes every Log ID (on PostgreSQL the index is on the Log ID and
      // the time: see migration 0010).
      const clashAt = Date.now();
      const clash = newId(clashAt);
      const bad = [
        preparedEvent(orgId),
        preparedEvent(orgId, { logId: clash, occurredAtMs: clashAt }),
        preparedEvent(orgId, { logId: clash, occurredAtMs: clashAt }),
      ];
      // Queued in the same tick, so they form one group.
      const pending = [...good.slice(0, 10), bad, ...good.slice(10)].map((batch) => committer.append(batch));
      const settled = await Promise.allSettled(pending);
      await committer.close();

      expect(settled[10]?.status).toBe('rejected');
      expect(store.dialect.isUniqueViolation((settled[10] as PromiseRejectedResult).reason)).toBe(true);
      const fulfilled = settled.filter((s): s is PromiseFulfilledResult<AppendedEvent[]> => s.status === 'fulfilled');
      expect(fulfilled).toHaveLength(20);
      // One failed group transaction, then each batch alone: 20 commits, the bad batch none.
      expect(committer.commits).toBe(20);

      const rows = await store.db.selectFrom('audit_events').select(['seq', 'log_id']).where('org_id', '=', orgId).orderBy('seq').execute();
      expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 60 }, (_, i) => i));
      const written = new Set(rows.map((r) => r.log_id));
      for (const event of bad) expect(written.has(event.logId)).toBe(false);
      for (const [i, batch] of good.entries()) {
        const answer = fulfilled[i]?.value ?? [];
        expect(answer.map((a) => a.logId)).toEqual(batch.map((e) => e.logId));
      }
    });

    it('fails a whole group at once, without retrying batch by batch, when the store is unreachable', async () => {
      testStore = await createTestStore(kind);
      const committer = new GroupCommitter(testStore.store);
      await testStore.store.close();
      const settled = await Promise.allSettled(Array.from({ length: 5 }, () => committer.append([preparedEvent(newId())])));
      expect(settled.every((s) => s.status === 'rejected')).toBe(true);
      // One failed attempt answers everyone: the very same error, not one fresh failure per retried batch.
      expect(new Set(settled.map((s) => (s as PromiseRejectedResult).reason)).size).toBe(1);
      expect(committer.commits).toBe(0);
    });

    it('refuses new batches once closed, after committing the queued ones', async () => {
      testStore = await createTestStore(kind);
      const committer = new GroupCommitter(testStore.store);
      const orgId = newId();
      const queued = committer.append([preparedEvent(orgId)]);
      const closing = committer.close();
      await expect(committer.append([preparedEvent(orgId)])).rejects.toThrow(/closed/);
      await closing;
      expect((await queued)[0]?.seq).toBe(0);
      expect(await testStore.store.events.lastSeq(orgId)).toBe(0);
    });
  });
}
