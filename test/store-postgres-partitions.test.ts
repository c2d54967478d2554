import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.js';
import { newId } from '../src/core/ids.js';
import { purgeExpiredEvents } from '../src/retention/purge-scheduler.js';
import { AttestStore } from '../src/store/attest-store.js';
import { openPostgresStoreDialect } from '../src/store/postgres/postgres-store-dialect.js';
import { listEventPartitions, weekPartitionName, weekStart } from '../src/store/postgres/postgres-event-partitions.js';
import { preparedEvent } from './support/prepared-events.js';
import { createTestStore, freshStoreLocation, postgresAvailable, TEST_POSTGRES_URL, type TestStore } from './support/test-stores.js';

// audit_events on PostgreSQL, partitioned by UTC week (migration 0010): partitions are made ahead, an event for
// a week without one is still stored (the default partition) and then moved into a week of its own, an event
// exactly at a week's start goes into that week, and the purge drops whole expired weeks.

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** Wednesday 2026-04-01 12:00 UTC; its week starts Monday 2026-03-30. */
const NOW_MS = Date.UTC(2026, 3, 1, 12);
const THIS_WEEK = Date.UTC(2026, 2, 30);

/** The partition each event is stored in, by Log ID. */
async function partitionOf(store: AttestStore): Promise<Map<string, string>> {
  const { rows } = await sql<{ log_id: string; part: string }>`select log_id, tableoid::regclass::text as part from audit_events`.execute(
    store.db,
  );
  return new Map(rows.map((row) => [row.log_id, row.part.replace(/^.*\./, '')]));
}

const available = await postgresAvailable();

describe.skipIf(!available)('PostgreSQL event log partitions', () => {
  let testStore: TestStore | undefined;
  afterEach(async () => {
    await testStore?.dispose();
    testStore = undefined;
  });

  it('names weeks from Monday 00:00 UTC', () => {
    expect(weekStart(NOW_MS)).toBe(THIS_WEEK);
    expect(weekStart(THIS_WEEK)).toBe(THIS_WEEK);
    expect(weekStart(THIS_WEEK - 1)).toBe(THIS_WEEK - WEEK_MS);
    expect(weekPartitionName(THIS_WEEK)).toBe('audit_events_w20260330');
  });

  it('opens with the current week, four weeks ahead and a default partition', async () => {
    testStore = await createTestStore('postgres', new FixedClock(NOW_MS));
    const partitions = await listEventPartitions(testStore.store.db);
    expect(partitions.map((p) => p.name)).toEqual([
      'audit_events_w20260330',
      'audit_events_w20260406',
      'audit_events_w20260413',
      'audit_events_w20260420',
      'audit_events_w20260427',
      'audit_events_default',
    ]);
    expect(partitions[0]).toMatchObject({ fromMs: THIS_WEEK, toMs: THIS_WEEK + WEEK_MS });
  });

  it('stores an event for a week without a partition, then moves it into a partition of its own', async () => {
    const clock = new FixedClock(NOW_MS);
    testStore = await createTestStore('postgres', clock);
    const { store } = testStore;
    const orgId = newId();
    const old = preparedEvent(orgId, { occurredAtMs: NOW_MS - 20 * DAY_MS });
    const recent = preparedEvent(orgId, { occurredAtMs: NOW_MS - 1000 });
    // Ahead of the partitions made ahead: a clock far off, or a partition maintenance that has not run yet.
    const farAhead = preparedEvent(orgId, { occurredAtMs: NOW_MS + 8 * WEEK_MS });
    const appended = await store.appendEvents([old, recent, farAhead]);
    expect(appended.map((a) => a.seq)).toEqual([0, 1, 2]);
    let where = await partitionOf(store);
    expect(where.get(old.logId)).toBe('audit_events_default');
    expect(where.get(farAhead.logId)).toBe('audit_events_default');
    expect(where.get(recent.logId)).toBe('audit_events_w20260330');
    const before = await store.events.findPage({ orgId, fromMs: NOW_MS - 30 * DAY_MS, toMs: NOW_MS + 9 * WEEK_MS }, 10);

    await store.maintainEventPartitions();
    where = await partitionOf(store);
    expect(where.get(old.logId)).toBe(weekPartitionName(weekStart(old.occurredAtMs)));
    expect(where.get(farAhead.logId)).toBe(weekPartitionName(weekStart(farAhead.occurredAtMs)));
    expect([...where.values()]).not.toContain('audit_events_default');
    // The same events, seqs and leaf hashes, read through the partitions.
    const after = await store.events.findPage({ orgId, fromMs: NOW_MS - 30 * DAY_MS, toMs: NOW_MS + 9 * WEEK_MS }, 10);
    expect(after).toEqual(before);
    expect(after.map((e) => e.seq)).toEqual([2, 1, 0]);
    // The log goes on: the next append takes seq 3, in the moved week too.
    expect((await store.appendEvents([preparedEvent(orgId, { occurredAtMs: old.occurredAtMs + 1 })]))[0]?.seq).toBe(3);
    expect((await partitionOf(store)).get(old.logId)).toBe(weekPartitionName(weekStart(old.occurredAtMs)));
  });

  it('puts an event exactly at a week boundary into the week it starts, one a millisecond earlier into the week before', async () => {
    testStore = await createTestStore('postgres', new FixedClock(NOW_MS));
    const { store } = testStore;
    const orgId = newId();
    const nextWeek = THIS_WEEK + WEEK_MS;
    const atBoundary = preparedEvent(orgId, { occurredAtMs: nextWeek });
    const justBefore = preparedEvent(orgId, { occurredAtMs: nextWeek - 1 });
    const atThisWeek = preparedEvent(orgId, { occurredAtMs: THIS_WEEK });
    await store.appendEvents([atBoundary, justBefore, atThisWeek]);
    const where = await partitionOf(store);
    expect(where.get(atBoundary.logId)).toBe('audit_events_w20260406');
    expect(where.get(justBefore.logId)).toBe('audit_events_w20260330');
    expect(where.get(atThisWeek.logId)).toBe('audit_events_w20260330');
    // A page across the boundary reads both partitions, newest first.
    const page = await store.events.findPage({ orgId, fromMs: THIS_WEEK, toMs: nextWeek + 1 }, 10);
    expect(page.map((e) => e.logId)).toEqual([atBoundary.logId, justBefore.logId, atThisWeek.logId]);
  });

  it('purges by dropping whole expired weeks, trims the rest row by row, and keeps the Merkle tree', async () => {
    const clock = new FixedClock(NOW_MS);
    testStore = await createTestStore('postgres', clock);
    const { store } = testStore;
    const [a, b] = [newId(), newId()];
    const weekAgo = (n: number) => THIS_WEEK - n * WEEK_MS;
    // Weeks 12 and 11 ago: every event expired by the purge below (organizations with different retention).
    // Week 10 ago: one event of organization b is kept longer, so that week stays and is only trimmed.
    const purgeAt = NOW_MS + 70 * DAY_MS;
    const events = [
      ...[12, 11, 10].flatMap((n) => [
        preparedEvent(a, { occurredAtMs: weekAgo(n) + DAY_MS, expiresAtMs: weekAgo(n) + 30 * DAY_MS }),
        preparedEvent(b, { occurredAtMs: weekAgo(n) + 2 * DAY_MS, expiresAtMs: weekAgo(n) + 90 * DAY_MS }),
      ]),
      preparedEvent(b, { occurredAtMs: weekAgo(10) + 3 * DAY_MS, expiresAtMs: purgeAt + DAY_MS }),
      preparedEvent(a, { occurredAtMs: NOW_MS - 1000 }),
    ];
    await store.appendEvents(events);
    await store.maintainEventPartitions();
    const names = (await listEventPartitions(store.db)).map((p) => p.name);
    for (const n of [12, 11, 10]) expect(names).toContain(weekPartitionName(weekAgo(n)));
    // A tile of a's tree: the purge must not touch the trees (proofs stay valid after a purge).
    await store.db
      .insertInto('merkle_tiles')
      .values({ org_id: a, level: 0, idx: 0, hashes: Buffer.alloc(64, 0xab) })
      .execute();

    clock.set(purgeAt);
    const expired = events.filter((e) => e.expiresAtMs <= purgeAt);
    expect(expired).toHaveLength(6);
    expect(await purgeExpiredEvents(store)).toBe(6);

    const after = (await listEventPartitions(store.db)).map((p) => p.name);
    expect(after).not.toContain(weekPartitionName(weekAgo(12)));
    expect(after).not.toContain(weekPartitionName(weekAgo(11)));
    expect(after).toContain(weekPartitionName(weekAgo(10)));
    // The purge also made the weeks ahead of its own time.
    expect(after).toContain(weekPartitionName(weekStart(purgeAt) + 4 * WEEK_MS));
    const left = await store.db.selectFrom('audit_events').select('log_id').execute();
    expect(new Set(left.map((r) => r.log_id))).toEqual(new Set(events.filter((e) => !expired.includes(e)).map((e) => e.logId)));
    // The hourly counts follow: nothing is counted in the dropped weeks, the kept events still are.
    const counts = await store.db.selectFrom('audit_event_counts').select(['hour_start', 'event_count']).execute();
    expect(counts.reduce((sum, c) => sum + Number(c.event_count), 0)).toBe(2);
    expect(counts.every((c) => Number(c.hour_start) >= weekAgo(10))).toBe(true);
    expect(await store.db.selectFrom('merkle_tiles').select('hashes').execute()).toEqual([{ hashes: Buffer.alloc(64, 0xab) }]);
    // Nothing left to purge.
    expect(await purgeExpiredEvents(store)).toBe(0);
  });

  it('keeps partitions ready across the retention window, and drops empty ones once they fall out of it', async () => {
    const clock = new FixedClock(NOW_MS);
    testStore = await createTestStore('postgres', clock);
    const { store } = testStore;
    await store.maintainEventPartitions(30);
    const names = (await listEventPartitions(store.db)).map((p) => p.name);
    // 30 days back from Wednesday 2026-04-01 is Monday 2026-03-02's week; through four weeks ahead.
    expect(names).toEqual([
      ...Array.from({ length: 9 }, (_, i) => weekPartitionName(Date.UTC(2026, 2, 2) + i * WEEK_MS)),
      'audit_events_default',
    ]);
    // A late event inside the window finds its week: nothing waits in the default partition.
    const orgId = newId();
    const late = preparedEvent(orgId, { occurredAtMs: NOW_MS - 29 * DAY_MS });
    await store.appendEvents([late]);
    expect((await partitionOf(store)).get(late.logId)).toBe('audit_events_w20260302');

    // Two weeks later, with a 30-day retention: the empty week of 2026-03-09 has left the window and goes; the
    // week of 2026-03-02 holds an event not yet expired and stays.
    clock.set(NOW_MS + 14 * DAY_MS);
    expect(await purgeExpiredEvents(store, undefined, 30)).toBe(0);
    const after = (await listEventPartitions(store.db)).map((p) => p.name);
    expect(after).toContain('audit_events_w20260302');
    expect(after).not.toContain('audit_events_w20260309');
    expect(after).toContain('audit_events_w20260316');
    expect(after).toContain(weekPartitionName(weekStart(NOW_MS + 14 * DAY_MS) + 4 * WEEK_MS));
  });

  it('leaves an expired week for the next purge when a long query holds the table, instead of waiting behind it', async () => {
    const clock = new FixedClock(NOW_MS);
    testStore = await createTestStore('postgres', clock);
    const { store } = testStore;
    const orgId = newId();
    const oldWeek = THIS_WEEK - 12 * WEEK_MS;
    await store.appendEvents([preparedEvent(orgId, { occurredAtMs: oldWeek + DAY_MS, expiresAtMs: oldWeek + 30 * DAY_MS })]);
    await store.maintainEventPartitions();
    const client = new pg.Client({
      connectionString: TEST_POSTGRES_URL,
      options: `-c search_path=${testStore.env.ATTEST_POSTGRES_SCHEMA}`,
    });
    await client.connect();
    try {
      // A reader in the middle of a long transaction on the log.
      await client.query('begin');
      await client.query('select count(*) from audit_events');
      const started = Date.now();
      expect(await store.dropExpiredEventPartitions()).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect((await listEventPartitions(store.db)).map((p) => p.name)).toContain(weekPartitionName(oldWeek));
      await client.query('commit');
    } finally {
      await client.end();
    }
    expect(await store.dropExpiredEventPartitions()).toBe(1);
    expect((await listEventPartitions(store.db)).map((p) => p.name)).not.toContain(weekPartitionName(oldWeek));
  });

  it('makes each week once when several processes maintain the partitions at the same moment', async () => {
    const location = freshStoreLocation('postgres');
    const open = () =>
      AttestStore.open(
        openPostgresStoreDialect({ connectionString: TEST_POSTGRES_URL, schema: location.schema, maxConnections: 3 }),
        new FixedClock(NOW_MS),
      );
    const stores = await Promise.all([open(), open(), open()]);
    try {
      // Then all at once again, with events waiting in the default partition for a week that has none.
      const orgId = newId();
      const waiting = preparedEvent(orgId, { occurredAtMs: NOW_MS - 20 * DAY_MS });
      await stores[0]?.appendEvents([waiting]);
      await Promise.all(stores.map((store) => store.maintainEventPartitions(60)));
      const [store] = stores;
      const names = (await listEventPartitions(store.db)).map((p) => p.name);
      expect(new Set(names).size).toBe(names.length);
      expect(names).toContain(weekPartitionName(weekStart(NOW_MS - 60 * DAY_MS)));
      expect((await partitionOf(store)).get(waiting.logId)).toBe(weekPartitionName(weekStart(waiting.occurredAtMs)));
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await location.remove();
    }
  });

  it('keeps a week whose events have all expired but whose end has not come', async () => {
    const clock = new FixedClock(NOW_MS);
    testStore = await createTestStore('postgres', clock);
    const { store } = testStore;
    const orgId = newId();
    await store.appendEvents([preparedEvent(orgId, { occurredAtMs: NOW_MS - 1000, expiresAtMs: NOW_MS + 1000 })]);
    clock.set(NOW_MS + 2000);
    expect(await purgeExpiredEvents(store)).toBe(1);
    expect((await listEventPartitions(store.db)).map((p) => p.name)).toContain('audit_events_w20260330');
  });
});
