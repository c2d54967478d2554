import { Migrator, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/core/clock.js';
import { newId } from '../src/core/ids.js';
import { AttestStore } from '../src/store/attest-store.js';
import { appendEventsInTransaction } from '../src/store/event-log-writer.js';
import { migrationProvider } from '../src/store/migrations/migration-list.js';
import { listEventPartitions, weekPartitionName, weekStart } from '../src/store/postgres/postgres-event-partitions.js';
import { openPostgresStoreDialect } from '../src/store/postgres/postgres-store-dialect.js';
import { preparedEvent } from './support/prepared-events.js';
import { freshStoreLocation, postgresAvailable, TEST_POSTGRES_URL } from './support/test-stores.js';

const DAY_MS = 86_400_000;
const available = await postgresAvailable();

// A PostgreSQL store written before migration 0010 (one audit_events table) keeps every event, seq and leaf
// hash, and every page, once a newer version opens it: the rows are copied into a partition per week.
describe.skipIf(!available)('upgrading a populated PostgreSQL store to weekly partitions (migration 0010)', () => {
  const location = freshStoreLocation('postgres');
  afterAll(() => location.remove());

  it('copies the log into weekly partitions with the same pages, counts and indexes', async () => {
    const schema = location.schema as string;
    const [a, b] = [newId(), newId()];
    const now = Date.now();
    // Over two to four weeks, two organizations, with idempotency keys, so each copied column and index is exercised.
    const events = Array.from({ length: 400 }, (_, i) =>
      preparedEvent(i % 4 === 0 ? b : a, {
        occurredAtMs: now - i * 3_600_000,
        actorEmail: i % 3 === 0 ? 'ann@example.com' : 'bo@example.com',
        ...(i % 5 === 0 ? { idempotencyKey: `key-${i}` } : {}),
      }),
    );

    const old = openPostgresStoreDialect({ connectionString: TEST_POSTGRES_URL, schema, maxConnections: 3 });
    await old.prepare?.();
    const migrated = await new Migrator({ db: old.db, provider: migrationProvider, migrationTableSchema: schema }).migrateTo(
      '0009-stream-destinations',
    );
    expect(migrated.error).toBeUndefined();
    await old.db.transaction().execute((tx) => appendEventsInTransaction(tx, old, events, systemClock));
    const { rows: kind } = await sql<{
      kind: string;
    }>`select relkind as kind from pg_class where oid = to_regclass('audit_events')`.execute(old.db);
    expect(kind[0]?.kind).toBe('r');
    const range = (orgId: string) => ({ orgId, fromMs: now - 30 * DAY_MS, toMs: now + 1 });
    const pagesBefore = await Promise.all(
      [a, b].map((org) => old.db.selectFrom('audit_events').selectAll().where('org_id', '=', org).execute()),
    );
    await old.close();

    const store = await AttestStore.open(openPostgresStoreDialect({ connectionString: TEST_POSTGRES_URL, schema, maxConnections: 3 }));
    try {
      const partitions = await listEventPartitions(store.db);
      // One partition per week the log covered (and the weeks ahead), and the default.
      for (const event of events) expect(partitions.map((p) => p.name)).toContain(weekPartitionName(weekStart(event.occurredAtMs)));
      expect(partitions.map((p) => p.name)).toContain('audit_events_default');
      const { rows: inDefault } = await sql<{ n: number }>`select count(*)::int as n from audit_events_default`.execute(store.db);
      expect(inDefault[0]?.n).toBe(0);

      // Every row as it was, column for column.
      for (const [i, org] of [a, b].entries()) {
        const rows = await store.db.selectFrom('audit_events').selectAll().where('org_id', '=', org).execute();
        const bySeq = (r: { seq: number }, s: { seq: number }) => r.seq - s.seq;
        expect(rows.sort(bySeq)).toEqual((pagesBefore[i] ?? []).sort(bySeq));
      }
      for (const org of [a, b]) {
        const expected = events.filter((e) => e.orgId === org).sort((x, y) => y.occurredAtMs - x.occurredAtMs);
        expect((await store.events.findPage(range(org), 1000)).map((e) => e.logId)).toEqual(expected.map((e) => e.logId));
        expect(await store.events.count(range(org))).toBe(expected.length);
        expect((await store.events.findPage({ ...range(org), actorEmail: 'ann@example.com' }, 1000)).length).toBe(
          expected.filter((e) => e.actor.email === 'ann@example.com').length,
        );
      }

      // The indexes are on the partitioned table, the primary key carries the partition key.
      const { rows: indexes } = await sql<{ name: string; def: string }>`
        select c.relname as name, pg_get_indexdef(c.oid) as def from pg_index i join pg_class c on c.oid = i.indexrelid
         where i.indrelid = to_regclass('audit_events') order by c.relname`.execute(store.db);
      expect(indexes.map((row) => row.name)).toEqual([
        'audit_events_by_actor_email',
        'audit_events_by_expiry',
        'audit_events_by_time',
        'audit_events_by_type',
        'audit_events_idempotency',
        'audit_events_log_id',
        'audit_events_pk',
      ]);
      expect(indexes.find((row) => row.name === 'audit_events_pk')?.def).toContain('(org_id, seq, occurred_at)');
      expect(indexes.find((row) => row.name === 'audit_events_log_id')?.def).toMatch(/UNIQUE INDEX .*\(log_id, occurred_at\)/);
      // A second event under a Log ID already used is refused at commit.
      const reused = preparedEvent(a, { occurredAtMs: events[1]?.occurredAtMs ?? now, logId: events[1]?.logId ?? newId() });
      await expect(store.appendEvents([reused])).rejects.toSatisfy((error: unknown) => store.dialect.isUniqueViolation(error));

      // Appending goes on where the log stopped, and a reused idempotency key still finds its original.
      const appended = await store.appendEvents([
        preparedEvent(a, { occurredAtMs: now }),
        preparedEvent(b, { occurredAtMs: events[0]?.occurredAtMs ?? now, idempotencyKey: 'key-0' }),
      ]);
      expect(appended[0]).toMatchObject({ seq: 300, duplicate: false });
      expect(appended[1]).toMatchObject({ logId: events[0]?.logId, seq: 0, duplicate: true });
    } finally {
      await store.close();
    }
  });
});
