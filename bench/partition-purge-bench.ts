import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import { FixedClock } from '../src/core/clock.js';
import { newId } from '../src/core/ids.js';
import { purgeExpiredEvents } from '../src/retention/purge-scheduler.js';
import { AttestStore } from '../src/store/attest-store.js';
import { openPostgresStoreDialect } from '../src/store/postgres/postgres-store-dialect.js';

/**
 * Purging expired weeks of a PostgreSQL log: by dropping whole weekly partitions (what `attest purge` does)
 * against deleting the same events 1,000 at a time (what it did before migration 0010, and still does for the
 * edge of the retention window). Each run loads the same events into a schema of its own, with their hourly
 * counts, straight into the tables (a bulk load), then times the purge alone.
 *
 *     npm run build && node dist/bench/partition-purge-bench.js [events] [postgres-url]
 */
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const EVENTS = Number(process.argv[2] ?? 300_000);
const URL = process.argv[3] ?? process.env.ATTEST_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The events' days: six weeks, all expired at the purge, and a week of live events beside them. */
const NOW_MS = Date.UTC(2026, 5, 3, 12);
const LOAD_FROM_MS = NOW_MS - 150 * DAY_MS;
const EXPIRED_SPAN_MS = 42 * DAY_MS;

async function loadedStore(schema: string): Promise<AttestStore> {
  const store = await AttestStore.open(
    openPostgresStoreDialect({ connectionString: URL, schema, maxConnections: 4 }),
    new FixedClock(LOAD_FROM_MS + EXPIRED_SPAN_MS),
  );
  // Every week of the load has its partition before the load.
  await store.maintainEventPartitions(45);
  const client = new pg.Client({ connectionString: URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const orgId = newId();
    const step = Math.floor(EXPIRED_SPAN_MS / EVENTS);
    await client.query(`alter table audit_events_default set (autovacuum_enabled = false)`);
    await client.query(
      `insert into audit_events (org_id, seq, log_id, occurred_at, recorded_at, expires_at, type, product, action, security,
                                 actor_id, actor_email, trace_id, leaf_hash, record)
       select $1, g, 'bench-' || g, $2::bigint + g * $3::bigint, $2::bigint + g * $3::bigint, $2::bigint + g * $3::bigint + 30::bigint * 86400000,
              'user.standard.added', 'UserManagement', 'Create', 0, 'actor-' || (g % 50), 'actor-' || (g % 50) || '@example.com',
              '4bf92f3577b34da6a3ce929d0e0e4736', md5(g::text), repeat('x', 600)
         from generate_series(0, ${EVENTS - 1}) g`,
      [orgId, LOAD_FROM_MS, step],
    );
    await client.query(
      `insert into audit_event_counts (org_id, hour_start, type, action, product, security, event_count)
       select org_id, occurred_at / ${HOUR_MS} * ${HOUR_MS}, type, action, product, security, count(*)
         from audit_events group by 1, 2, 3, 4, 5, 6`,
    );
    await client.query(`insert into org_log_heads (org_id, next_seq) values ($1, $2)`, [orgId, EVENTS]);
    await client.query('analyze');
  } finally {
    await client.end();
  }
  return store;
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
}

async function timePurge(label: string, purge: (store: AttestStore) => Promise<number>): Promise<void> {
  const schema = `attest_bench_purge_${process.pid}_${label}`;
  await dropSchema(schema);
  const store = await loadedStore(schema);
  try {
    (store.clock as FixedClock).set(NOW_MS);
    // The weeks ahead and of the window are made before the clock starts: only the purge itself is timed.
    await store.maintainEventPartitions(90);
    const started = performance.now();
    const purged = await purge(store);
    const ms = performance.now() - started;
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit_events`.execute(store.db);
    console.log(`${label}: purged ${purged} of ${EVENTS} events in ${(ms / 1000).toFixed(2)} s (${rows[0]?.n ?? '?'} left)`);
  } finally {
    await store.close();
    await dropSchema(schema);
  }
}

await timePurge('drop_weeks', (store) => purgeExpiredEvents(store, undefined, 90));
await timePurge('delete_batches', async (store) => {
  let total = 0;
  for (let n = await store.purgeExpiredBatch(1000); n > 0; n = await store.purgeExpiredBatch(1000)) total += n;
  return total;
});
