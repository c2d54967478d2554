import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEventTypes } from '../src/catalog/catalog-registry.js';
import { ACTION_TYPES } from '../src/catalog/event-catalog.js';
import { newId } from '../src/core/ids.js';
import type { PreparedEvent } from '../src/events/audit-event.js';
import { EventLogReader, type EventFilter, type EventPosition } from '../src/store/event-log-reader.js';
import { preparedEvent } from './support/prepared-events.js';
import { seededRandom } from './support/seeded-random.js';
import { storeMatrix } from './support/store-matrix.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

// Store contract, reading side: keyset pages and counts, checked against a brute-force model of the events
// the test appended. Same cases for every store of STORES.

const HOUR_MS = 3_600_000;
const BASE_MS = Date.UTC(2026, 0, 10, 0);
const EMAILS = ['alice@example.com', 'bob@example.com', 'carol@example.com', null] as const;

interface Appended {
  event: PreparedEvent;
  seq: number;
}

/** The model: which appended events a filter matches, newest first. */
function bruteForce(events: readonly Appended[], filter: EventFilter): Appended[] {
  return events
    .filter(({ event }) => event.orgId === filter.orgId && event.occurredAtMs >= filter.fromMs && event.occurredAtMs < filter.toMs)
    .filter(({ event }) => !filter.actions?.length || filter.actions.includes(event.action))
    .filter(({ event }) => filter.actorEmail === undefined || event.actor.email === filter.actorEmail)
    .filter(({ event }) => !filter.securityOnly || event.securityAction)
    .filter(({ event }) => !filter.types?.length || filter.types.includes(event.type))
    .filter(({ event }) => !filter.products?.length || filter.products.includes(event.product))
    .sort((a, b) => b.event.occurredAtMs - a.event.occurredAtMs || b.seq - a.seq);
}

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`${kind} store contract: pages and counts`, () => {
    const random = seededRandom(7);
    const orgA = newId();
    const orgB = newId();
    const appended: Appended[] = [];
    let testStore: TestStore;

    beforeAll(async () => {
      testStore = await createTestStore(kind);
      const types = allEventTypes();
      // 8 hours of events in shuffled time order (seq order differs from time order), with ties on
      // occurredAt and events exactly on hour boundaries; orgB's events sit in the same hours.
      const batches: PreparedEvent[][] = [];
      for (let b = 0; b < 6; b += 1) {
        batches.push(
          Array.from({ length: 60 }, () => {
            const onBoundary = random.int(10) === 0;
            const occurredAtMs = BASE_MS + (onBoundary ? random.int(8) * HOUR_MS : random.int(8 * 60) * 60_000);
            const email = random.pick(EMAILS);
            return preparedEvent(random.int(4) === 0 ? orgB : orgA, { type: random.pick(types).type, occurredAtMs, actorEmail: email });
          }),
        );
      }
      for (const batch of batches) {
        const results = await testStore.store.appendEvents(batch);
        batch.forEach((event, i) => appended.push({ event, seq: results[i]?.seq as number }));
      }
    });
    afterAll(async () => {
      await testStore?.dispose();
    });

    function randomFilter(): EventFilter {
      const fromMs = BASE_MS - HOUR_MS + (random.int(3) === 0 ? random.int(10) * HOUR_MS : random.int(10 * 60) * 60_000);
      const filter: EventFilter = { orgId: random.int(5) === 0 ? orgB : orgA, fromMs, toMs: fromMs + 1 + random.int(9 * HOUR_MS) };
      if (random.int(3) === 0) filter.actions = [random.pick(ACTION_TYPES), random.pick(ACTION_TYPES)];
      if (random.int(4) === 0) filter.actorEmail = random.pick(EMAILS) ?? 'nobody@example.com';
      if (random.int(3) === 0) filter.securityOnly = true;
      if (random.int(4) === 0) filter.types = [random.pick(allEventTypes()).type];
      if (random.int(5) === 0) filter.products = [random.pick(['UserManagement', 'AuditLogs'])];
      return filter;
    }

    it('counts exactly what a brute-force scan counts, for whole hours, partial hours and every filter', async () => {
      const filters: EventFilter[] = [
        { orgId: orgA, fromMs: BASE_MS, toMs: BASE_MS + 8 * HOUR_MS },
        { orgId: orgA, fromMs: BASE_MS + 1, toMs: BASE_MS + 8 * HOUR_MS - 1 },
        { orgId: orgB, fromMs: BASE_MS - HOUR_MS, toMs: BASE_MS + 9 * HOUR_MS },
        { orgId: newId(), fromMs: BASE_MS, toMs: BASE_MS + 8 * HOUR_MS },
        ...Array.from({ length: 60 }, randomFilter),
      ];
      let nonZero = 0;
      for (const filter of filters) {
        const expected = bruteForce(appended, filter).length;
        if (expected > 0) nonZero += 1;
        expect(await testStore.store.events.count(filter), JSON.stringify(filter)).toBe(expected);
      }
      // The model is only a check if many filters match something.
      expect(nonZero).toBeGreaterThan(30);
    });

    it('pages newest first by (occurredAt, seq) without repeating or skipping an event', async () => {
      const filters: EventFilter[] = [
        { orgId: orgA, fromMs: BASE_MS - HOUR_MS, toMs: BASE_MS + 9 * HOUR_MS },
        ...Array.from({ length: 15 }, randomFilter),
      ];
      for (const filter of filters) {
        const seen: string[] = [];
        let after: EventPosition | undefined;
        for (let page = 0; page < 100; page += 1) {
          const records = await testStore.store.events.findPage(filter, 7, after);
          seen.push(...records.map((r) => r.logId));
          const last = records.at(-1);
          if (records.length < 7 || !last) break;
          after = { occurredAtMs: Date.parse(last.occurredAt), seq: last.seq };
        }
        expect(seen, JSON.stringify(filter)).toEqual(bruteForce(appended, filter).map((a) => a.event.logId));
      }
    });

    // The API's pages (`findStoredPage`) are read in two steps where the store can (SQLite: the index walk, then
    // the rows by row id in several threads at once): the same events, in the same order, as the model.
    it('pages the stored records for the API exactly as the model, whatever the filter', async () => {
      const filters: EventFilter[] = [
        { orgId: orgA, fromMs: BASE_MS - HOUR_MS, toMs: BASE_MS + 9 * HOUR_MS },
        { orgId: orgB, fromMs: 0, toMs: BASE_MS * 2, actorEmail: 'alice@example.com' },
        ...Array.from({ length: 15 }, randomFilter),
      ];
      for (const filter of filters) {
        const seen: string[] = [];
        let after: EventPosition | undefined;
        for (let page = 0; page < 100; page += 1) {
          const rows = await testStore.store.events.findStoredPage(filter, 7, after);
          seen.push(...rows.map((row) => (JSON.parse(row.record) as { logId: string }).logId));
          const last = rows.at(-1);
          if (rows.length < 7 || !last) break;
          after = { occurredAtMs: Number(last.occurred_at), seq: Number(last.seq) };
        }
        expect(seen, JSON.stringify(filter)).toEqual(bruteForce(appended, filter).map((a) => a.event.logId));
      }
    });

    // The API's page with the organization's head (`findStoredPageWithHead`; one statement on PostgreSQL):
    // the same pages as the model for one type, several types (two steps) and an actor, and the head is the
    // organization's last seq, -1 for an organization without events (whose page is empty).
    it('pages with the head exactly as the model, the head being the last seq of the organization', async () => {
      const lastSeqOf = (orgId: string) => Math.max(-1, ...appended.filter((a) => a.event.orgId === orgId).map((a) => a.seq));
      const filters: EventFilter[] = [
        { orgId: orgA, fromMs: BASE_MS - HOUR_MS, toMs: BASE_MS + 9 * HOUR_MS },
        { orgId: orgA, fromMs: 0, toMs: BASE_MS * 2, securityOnly: true },
        { orgId: orgB, fromMs: 0, toMs: BASE_MS * 2, actions: ['Create', 'Delete'] },
        { orgId: orgA, fromMs: 0, toMs: BASE_MS * 2, actorEmail: 'bob@example.com' },
        { orgId: newId(), fromMs: 0, toMs: BASE_MS * 2 },
        ...Array.from({ length: 10 }, randomFilter),
      ];
      for (const filter of filters) {
        const seen: string[] = [];
        let after: EventPosition | undefined;
        for (let page = 0; page < 100; page += 1) {
          const { rows, lastSeq } = await testStore.store.events.findStoredPageWithHead(filter, 7, after);
          expect(lastSeq, JSON.stringify(filter)).toBe(lastSeqOf(filter.orgId));
          seen.push(...rows.map((row) => (JSON.parse(row.record) as { logId: string }).logId));
          const last = rows.at(-1);
          if (rows.length < 7 || !last) break;
          after = { occurredAtMs: Number(last.occurred_at), seq: Number(last.seq) };
        }
        expect(seen, JSON.stringify(filter)).toEqual(bruteForce(appended, filter).map((a) => a.event.logId));
      }
    });

    // SQLite reads the rows of a page of several types by the row ids their index entries carry; the same
    // reader told the database has none reads them by seq, the way PostgreSQL does. Both must agree.
    if (kind === 'sqlite') {
      it('reads a page of several types by row id exactly as by seq', async () => {
        const bySeq = new EventLogReader(testStore.store.dialect.readDb);
        const filters: EventFilter[] = [
          { orgId: orgA, fromMs: 0, toMs: BASE_MS * 2, securityOnly: true },
          { orgId: orgA, fromMs: 0, toMs: BASE_MS * 2, actions: ['Create', 'Delete'] },
          { orgId: orgA, fromMs: BASE_MS, toMs: BASE_MS + 3 * HOUR_MS, actions: ['Update'] },
        ];
        for (const filter of filters) {
          const byRowId = await testStore.store.events.findPage(filter, 40);
          expect(byRowId.length, JSON.stringify(filter)).toBeGreaterThan(0);
          expect(byRowId).toEqual(await bySeq.findPage(filter, 40));
        }
      });
    }

    it('never returns another organization’s events', async () => {
      const records = await testStore.store.events.findPage({ orgId: orgB, fromMs: 0, toMs: BASE_MS * 2 }, 1000);
      expect(records.length).toBe(appended.filter((a) => a.event.orgId === orgB).length);
      expect(records.every((r) => r.orgId === orgB)).toBe(true);
      const someA = appended.find((a) => a.event.orgId === orgA) as Appended;
      expect(await testStore.store.events.findByLogId(orgB, someA.event.logId)).toBeUndefined();
      expect(await testStore.store.events.findByLogId(orgA, someA.event.logId)).toMatchObject({ logId: someA.event.logId, seq: someA.seq });
    });

    it('finds actors by email or name fragment, literally (% and _ are not wildcards), within one organization', async () => {
      const orgId = newId();
      const actor = (email: string, name: string) => ({
        ...preparedEvent(orgId),
        actor: { id: email, email: email.toLowerCase(), name, type: 'user' as const },
      });
      await testStore.store.appendEvents([
        actor('Ann.Lee@Example.com', 'Ann Lee'),
        actor('x_y@example.com', 'Xavier'),
        actor('pat@example.com', '100% Pat'),
      ]);
      await testStore.store.appendEvents([
        { ...preparedEvent(newId()), actor: { id: 'o', email: 'ann@other.example', name: 'Ann Other', type: 'user' } },
      ]);
      const find = async (text: string) => (await testStore.store.events.findActors(orgId, text, 10)).map((a) => a.email);
      expect(await find('ANN')).toEqual(['ann.lee@example.com']);
      expect(await find('lee')).toEqual(['ann.lee@example.com']);
      expect(await find('_')).toEqual(['x_y@example.com']);
      expect(await find('%')).toEqual(['pat@example.com']);
      expect(await find('example.com')).toEqual(['ann.lee@example.com', 'pat@example.com', 'x_y@example.com']);
      expect(await find('other')).toEqual([]);
    });

    it('reads the log after a seq in seq order (the live feed)', async () => {
      const ofA = appended.filter((a) => a.event.orgId === orgA).sort((a, b) => a.seq - b.seq);
      const tail = await testStore.store.events.findAfterSeq(orgA, 9, 25);
      expect(tail.map((r) => r.seq)).toEqual(ofA.slice(10, 35).map((a) => a.seq));
      expect(tail.map((r) => r.logId)).toEqual(ofA.slice(10, 35).map((a) => a.event.logId));
    });
  });
}
