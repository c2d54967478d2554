import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.js';
import { newId } from '../src/core/ids.js';
import type { AppendedEvent, PreparedEvent } from '../src/events/audit-event.js';
import type { AttestStore } from '../src/store/attest-store.js';
import { openStore } from '../src/store/open-store.js';
import { preparedEvent, preparedEvents } from './support/prepared-events.js';
import { storeMatrix } from './support/store-matrix.js';
import { createTestStore, freshStoreLocation, TEST_POSTGRES_URL, type TestStore } from './support/test-stores.js';

// The store contract: every case runs, unchanged, against every store of STORES (sqlite, postgres).
// Counting, paging and retention live in store-contract-queries.test.ts and store-contract-retention.test.ts.

const START_MS = Date.UTC(2024, 6, 1, 12);

/** Seqs of an organization's rows, ascending. */
async function seqsOf(store: AttestStore, orgId: string): Promise<number[]> {
  const rows = await store.db.selectFrom('audit_events').select('seq').where('org_id', '=', orgId).orderBy('seq').execute();
  return rows.map((r) => Number(r.seq));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Every answered (logId, seq) must be the row stored under that seq. */
async function expectAnswersMatchRows(
  store: AttestStore,
  orgId: string,
  answers: Array<{ event: PreparedEvent; appended: AppendedEvent }>,
): Promise<void> {
  const rows = await store.db.selectFrom('audit_events').select(['seq', 'log_id']).where('org_id', '=', orgId).execute();
  const logIdBySeq = new Map(rows.map((r) => [Number(r.seq), r.log_id]));
  for (const { event, appended } of answers.filter((a) => a.event.orgId === orgId)) {
    expect(appended.logId).toBe(event.logId);
    expect(logIdBySeq.get(appended.seq)).toBe(event.logId);
  }
}

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`${kind} store contract`, () => {
    const clock = new FixedClock(START_MS);
    let testStore: TestStore;
    let store: AttestStore;

    beforeAll(async () => {
      testStore = await createTestStore(kind, clock);
      store = testStore.store;
    });
    afterAll(async () => {
      await testStore?.dispose();
    });

    it('assigns seq 0, 1, 2 … per organization, across appends', async () => {
      const orgA = newId();
      const orgB = newId();
      const first = await store.appendEvents([preparedEvent(orgA), preparedEvent(orgB), preparedEvent(orgA)]);
      const second = await store.appendEvents([preparedEvent(orgB), preparedEvent(orgA)]);
      expect(first.map((r) => r.seq)).toEqual([0, 0, 1]);
      expect(second.map((r) => r.seq)).toEqual([1, 2]);
      expect([...first, ...second].every((r) => !r.duplicate)).toBe(true);
      expect(await seqsOf(store, orgA)).toEqual([0, 1, 2]);
      expect(await seqsOf(store, orgB)).toEqual([0, 1]);
      expect(await store.events.lastSeq(orgA)).toBe(2);
      expect(await store.events.lastSeq(newId())).toBe(-1);
    });

    it('keeps seq gapless and unique under many concurrent appends spanning two organizations', async () => {
      const orgA = newId();
      const orgB = newId();
      const batches = range(30).map((i) => [
        ...preparedEvents(orgA, 1 + (i % 4), START_MS),
        // Half the batches touch both organizations, in both orders, so the head locks interleave.
        ...(i % 2 === 0 ? [preparedEvent(orgB)] : []),
        ...(i % 4 === 1 ? [preparedEvent(orgB), preparedEvent(orgA)] : []),
      ]);
      const results = await Promise.all(batches.map((batch) => store.appendEvents(batch)));
      const answers = batches.flatMap((batch, i) => batch.map((event, j) => ({ event, appended: results[i]?.[j] as AppendedEvent })));
      const countA = answers.filter((a) => a.event.orgId === orgA).length;
      const countB = answers.length - countA;
      expect(await seqsOf(store, orgA)).toEqual(range(countA));
      expect(await seqsOf(store, orgB)).toEqual(range(countB));
      await expectAnswersMatchRows(store, orgA, answers);
      await expectAnswersMatchRows(store, orgB, answers);
    });

    if (kind === 'postgres')
      it('keeps seq gapless across two store instances (two pools) appending at once', async () => {
        // The wall clock, as two servers have: the contract is about the order they commit in.
        const first = await openStore(testStore.databaseUrl, undefined, { postgresSchema: testStore.env.ATTEST_POSTGRES_SCHEMA });
        const other = await openStore(testStore.databaseUrl, undefined, { postgresSchema: testStore.env.ATTEST_POSTGRES_SCHEMA });
        try {
          const orgId = newId();
          const batches = range(40).map(() => preparedEvents(orgId, 3, START_MS));
          const results = await Promise.all(batches.map((batch, i) => (i % 2 === 0 ? first : other).appendEvents(batch)));
          expect(await seqsOf(store, orgId)).toEqual(range(120));
          const answers = batches.flatMap((batch, i) => batch.map((event, j) => ({ event, appended: results[i]?.[j] as AppendedEvent })));
          await expectAnswersMatchRows(store, orgId, answers);
          // recordedAt is taken once the log head is locked, so it never goes backwards along the seq order.
          const recorded = await store.db
            .selectFrom('audit_events')
            .select(['seq', 'recorded_at'])
            .where('org_id', '=', orgId)
            .orderBy('seq')
            .execute();
          for (let i = 1; i < recorded.length; i += 1)
            expect(Number(recorded[i]?.recorded_at)).toBeGreaterThanOrEqual(Number(recorded[i - 1]?.recorded_at));
        } finally {
          await first.close();
          await other.close();
        }
      });

    it('answers a resent idempotency key with the original logId and seq, without a new row', async () => {
      const orgA = newId();
      const orgB = newId();
      await store.appendEvents([preparedEvent(orgA)]);
      const original = await store.appendEvents([preparedEvent(orgA, { idempotencyKey: 'order-7' })]);
      expect(original[0]).toMatchObject({ seq: 1, duplicate: false });
      const resent = await store.appendEvents([preparedEvent(orgA, { idempotencyKey: 'order-7' }), preparedEvent(orgA)]);
      expect(resent[0]).toEqual({ logId: original[0]?.logId, seq: 1, duplicate: true });
      expect(resent[1]).toMatchObject({ seq: 2, duplicate: false });
      expect(await seqsOf(store, orgA)).toEqual([0, 1, 2]);

      // The same key in another organization is another event.
      const elsewhere = await store.appendEvents([preparedEvent(orgB, { idempotencyKey: 'order-7' })]);
      expect(elsewhere[0]).toMatchObject({ seq: 0, duplicate: false });
      expect(elsewhere[0]?.logId).not.toBe(original[0]?.logId);
      expect(await seqsOf(store, orgB)).toEqual([0]);
    });

    it('collapses a key repeated inside one batch and raced by concurrent appends into one row', async () => {
      const orgId = newId();
      const inBatch = await store.appendEvents([
        preparedEvent(orgId, { idempotencyKey: 'k' }),
        preparedEvent(orgId, { idempotencyKey: 'k' }),
      ]);
      expect(inBatch[1]).toEqual({ logId: inBatch[0]?.logId, seq: 0, duplicate: true });

      const raced = await Promise.all(range(12).map(() => store.appendEvents([preparedEvent(orgId, { idempotencyKey: 'raced' })])));
      const winners = raced.filter((r) => !r[0]?.duplicate);
      expect(winners).toHaveLength(1);
      expect(new Set(raced.map((r) => r[0]?.logId))).toEqual(new Set([winners[0]?.[0]?.logId]));
      expect(await seqsOf(store, orgId)).toEqual([0, 1]);
    });

    it('stores the RFC 8785 canonical record and leafHash = SHA-256(0x00 || canonical JSON) (known answer)', async () => {
      const orgId = '0190a5b4-0000-7000-8000-000000000001';
      const occurredAtMs = Date.UTC(2024, 6, 1, 11, 59, 59, 123);
      const event: PreparedEvent = {
        ...preparedEvent(orgId, { type: 'user.type.made_privileged', occurredAtMs, logId: '0190a5b4-1c2d-7e3f-8a4b-5c6d7e8f9a0b' }),
        description: 'Made organization owner/admin: Bob',
        actor: { id: 'u-1', name: 'Zoë Owner', email: 'zoe@example.com', type: 'user' },
        entity: { id: 'u-2', name: 'Bob', type: 'user', product: 'UserManagement' },
        changes: [{ field: 'userType', from: 'standard', to: 'admin' }],
        metadata: { zeta: 10.5, alpha: 'café', list: [true, null] },
      };
      clock.set(START_MS);
      await store.appendEvents([event]);

      // Written by hand: keys sorted by UTF-16 code units at every level, no whitespace, numbers as ECMAScript
      // prints them, non-ASCII characters as themselves (RFC 8785 §3.2).
      const expectedCanonical =
        '{"action":"Update","activity":"User type changed to organization owner or admin",' +
        '"actor":{"email":"zoe@example.com","id":"u-1","name":"Zoë Owner","type":"user"},' +
        '"changes":[{"field":"userType","from":"standard","to":"admin"}],"description":"Made organization owner/admin: Bob",' +
        '"entity":{"id":"u-2","name":"Bob","product":"UserManagement","type":"user"},"expiresAt":"2024-09-29T11:59:59.123Z",' +
        '"logId":"0190a5b4-1c2d-7e3f-8a4b-5c6d7e8f9a0b","metadata":{"alpha":"café","list":[true,null],"zeta":10.5},' +
        '"occurredAt":"2024-07-01T11:59:59.123Z","orgId":"0190a5b4-0000-7000-8000-000000000001","product":"UserManagement",' +
        '"recordedAt":"2024-07-01T12:00:00.000Z","securityAction":true,"seq":0,"traceId":"4bf92f3577b34da6a3ce929d0e0e4736",' +
        '"type":"user.type.made_privileged"}';
      const expectedLeafHash = createHash('sha256')
        .update(Buffer.concat([Buffer.from([0]), Buffer.from(expectedCanonical, 'utf8')]))
        .digest('hex');
      // Also computed outside Node: printf '\0' followed by the bytes above, piped to sha256sum.
      expect(expectedLeafHash).toBe('0652765139fc1a96b0127f321f68a6ad26244761f98d9e04fc7a8aecfad7f5cf');

      const row = await store.db
        .selectFrom('audit_events')
        .select(['record', 'leaf_hash'])
        .where('org_id', '=', orgId)
        .executeTakeFirstOrThrow();
      expect(row.record).toBe(expectedCanonical);
      expect(row.leaf_hash).toBe(expectedLeafHash);
      const read = await store.events.findByLogId(orgId, event.logId);
      expect(read).toEqual({ ...(JSON.parse(expectedCanonical) as object), leafHash: expectedLeafHash });
    });

    it('recomputes every stored leaf hash from its record', async () => {
      const rows = await store.db.selectFrom('audit_events').select(['record', 'leaf_hash', 'seq', 'org_id']).execute();
      expect(rows.length).toBeGreaterThan(100);
      for (const row of rows) {
        const recomputed = createHash('sha256')
          .update(Buffer.from([0]))
          .update(row.record, 'utf8')
          .digest('hex');
        expect(row.leaf_hash).toBe(recomputed);
        expect(JSON.parse(row.record)).toMatchObject({ seq: Number(row.seq), orgId: row.org_id });
      }
    });

    it('runs migrations idempotently: opening the same store again keeps the schema and the data', async () => {
      const before = await store.db
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      for (let i = 0; i < 2; i += 1) {
        const reopened = await openStore(testStore.databaseUrl, clock, { postgresSchema: testStore.env.ATTEST_POSTGRES_SCHEMA });
        const after = await reopened.db
          .selectFrom('audit_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        expect(Number(after.n)).toBe(Number(before.n));
        await reopened.close();
        // Closed means closed, even for a connection that never answered a query.
        await expect(reopened.ping()).rejects.toThrow();
      }
      const { rows: migrations } = await sql<{ name: string }>`select name from kysely_migration`.execute(store.db);
      expect(migrations.map((m) => m.name)).toEqual(['0001-core-tables', ...migrations.slice(1).map((m) => m.name)]);
      expect(new Set(migrations.map((m) => m.name)).size).toBe(migrations.length);
    });

    if (kind === 'postgres')
      it('opens while other schemas of the same database are created and dropped', async () => {
        // Another tenant of the database (or another test file) churning schemas must not break migrations.
        const churn = new pg.Client({ connectionString: TEST_POSTGRES_URL });
        await churn.connect();
        let stop = false;
        const churning = (async () => {
          for (let i = 0; !stop; i += 1) {
            const name = `attest_churn_${process.pid}_${i}`;
            // Separate statements, so each schema is committed (visible) before it is dropped.
            await churn.query(`create schema ${name}`);
            await churn.query(`create table ${name}.t (id bigserial primary key, v text)`);
            await churn.query(`drop schema ${name} cascade`);
          }
        })();
        const locations = range(6).map(() => freshStoreLocation(kind));
        try {
          for (const location of locations) {
            const opened = await openStore(location.databaseUrl, clock, { postgresSchema: location.schema });
            await opened.close();
          }
        } finally {
          stop = true;
          await churning;
          await churn.end();
          for (const location of locations) await location.remove();
        }
      });

    // SQLite's concurrent first open is proven across real processes in store-sqlite-multi-process.test.ts:
    // within one process a second writer connection would wait synchronously on the first.
    if (kind === 'postgres')
      it('opens a brand-new store from several pools at once (server and CLI starting together)', async () => {
        const fresh = freshStoreLocation(kind);
        try {
          const stores = await Promise.all(range(3).map(() => openStore(fresh.databaseUrl, clock, { postgresSchema: fresh.schema })));
          const orgId = newId();
          await Promise.all(stores.map((s) => s.appendEvents([preparedEvent(orgId)])));
          expect(await seqsOf(stores[0] as AttestStore, orgId)).toEqual([0, 1, 2]);
          await Promise.all(stores.map((s) => s.close()));
        } finally {
          await fresh.remove();
        }
      });
  });
}
