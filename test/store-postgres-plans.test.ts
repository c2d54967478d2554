import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEventTypes } from '../src/catalog/catalog-registry.js';
import { newId } from '../src/core/ids.js';
import { purgeExpiredEvents } from '../src/retention/purge-scheduler.js';
import type { AttestStore } from '../src/store/attest-store.js';
import { toEventRow } from '../src/store/event-rows.js';
import type { EventFilter, EventPosition } from '../src/store/event-log-reader.js';
import { scheduleStatisticsRefresh } from '../src/store/planner-statistics.js';
import { preparedEvent } from './support/prepared-events.js';
import { createTestStore, postgresAvailable, TEST_POSTGRES_URL, type TestStore } from './support/test-stores.js';

// Plans that do not depend on luck (issue 15): right after a bulk load that Attest did not write itself, and
// with autovacuum off, the next page of an unfiltered query walks the time index backwards from the cursor
// (no sort of the range), and a 30-day query reads only the weeks it covers. The only statistics refresh is
// the one Attest schedules when a table has grown.

const DAY_MS = 86_400_000;
const ROWS = 200_000;
const PAGE = 100;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  Plans?: PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

async function explain(store: AttestStore, query: CompiledQuery): Promise<PlanNode[]> {
  const result = await store.db.executeQuery<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
    CompiledQuery.raw(`explain (format json) ${query.sql}`, [...query.parameters]),
  );
  const plan = result.rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (!plan) throw new Error('no plan');
  return nodesOf(plan);
}

const available = await postgresAvailable();
const CATALOG = allEventTypes();

describe.skipIf(!available)('PostgreSQL plans right after a bulk load', () => {
  let testStore: TestStore;
  let store: AttestStore;
  const orgId = newId();
  const now = Date.now();
  const filter: EventFilter = { orgId, fromMs: now - 30 * DAY_MS, toMs: now + 1 };

  beforeAll(async () => {
    testStore = await createTestStore('postgres');
    store = testStore.store;
    // What the service does when it starts: the purge job makes the weeks of the retention window.
    await purgeExpiredEvents(store, undefined, 90);

    // 200,000 events of one organization over 60 days, inserted straight into the table (a bulk load, as a
    // restore or a migration would do it), the log head moved past them as the writer would. Event g has the
    // catalog's type g mod its number of types, with that type's product, action and security flag.
    const sample = toEventRow(preparedEvent(orgId), 0, now);
    const client = new pg.Client({
      connectionString: TEST_POSTGRES_URL,
      options: `-c search_path=${testStore.env.ATTEST_POSTGRES_SCHEMA}`,
    });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(
        `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'audit_events'::regclass`,
      );
      // As on the machines of issue 15: nothing analyzes behind Attest's back.
      for (const { name } of rows) await client.query(`alter table ${name} set (autovacuum_enabled = false)`);
      const step = Math.floor((60 * DAY_MS) / ROWS);
      await client.query(
        `insert into audit_events (org_id, seq, log_id, occurred_at, recorded_at, expires_at, type, product, action, security,
                                   actor_id, actor_email, trace_id, leaf_hash, record)
         select $1, g, 'bulk-' || g, $2::bigint + g * $3::bigint, $2::bigint + g * $3::bigint, $2::bigint + g * $3::bigint + 90::bigint * 86400000,
                ($4::text[])[1 + g % $9], ($5::text[])[1 + g % $9], ($6::text[])[1 + g % $9], ($7::int[])[1 + g % $9],
                'actor-' || (g % 50), 'actor-' || (g % 50) || '@example.com', $8, md5(g::text), '{"seq":' || g || '}'
           from generate_series(0, ${ROWS - 1}) g`,
        [
          orgId,
          now - 60 * DAY_MS,
          step,
          CATALOG.map((def) => def.type),
          CATALOG.map((def) => def.product),
          CATALOG.map((def) => def.action),
          CATALOG.map((def) => (def.securityAction ? 1 : 0)),
          sample.trace_id,
          CATALOG.length,
        ],
      );
      await client.query(`insert into org_log_heads (org_id, next_seq) values ($1, $2)`, [orgId, ROWS]);
    } finally {
      await client.end();
    }

    // Attest's own refresh, checking every second here (every 15 s in the service), until it has analyzed
    // every week the load wrote to.
    const stop = scheduleStatisticsRefresh(store, pino({ level: 'silent' }), 1);
    try {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const { rows } = await sql<{ pending: number }>`
          select count(*)::int as pending from pg_stat_user_tables
           where schemaname = current_schema() and relname like 'audit_events_w%' and n_live_tup > 0 and last_analyze is null`.execute(
          store.db,
        );
        const { rows: analyzed } = await sql<{ n: number }>`
          select count(*)::int as n from pg_stat_user_tables
           where schemaname = current_schema() and relname like 'audit_events_w%' and last_analyze is not null`.execute(store.db);
        if (rows[0]?.pending === 0 && (analyzed[0]?.n ?? 0) >= 8) break;
        if (Date.now() > deadline) throw new Error('Attest did not refresh the statistics of the loaded weeks within two minutes');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      stop();
    }
  }, 600_000);
  afterAll(() => testStore.dispose());

  it('walks the time index backwards from the cursor for the next page, with no sort of the range', async () => {
    const first = await store.events.findStoredPage(filter, PAGE);
    expect(first).toHaveLength(PAGE);
    const last = first[PAGE - 1];
    if (!last) throw new Error('no last row');
    const after: EventPosition = { occurredAtMs: Number(last.occurred_at), seq: Number(last.seq) };
    const second = await store.events.findStoredPage(filter, PAGE, after);
    expect(second.map((row) => Number(row.seq))).toEqual(Array.from({ length: PAGE }, (_, i) => Number(last.seq) - 1 - i));

    const nodes = await explain(store, store.events.singleWalkQuery(filter, PAGE, after));
    const types = nodes.map((node) => node['Node Type']);
    expect(types).not.toContain('Sort');
    expect(types).not.toContain('Bitmap Heap Scan');
    const { rows: timeIndexes } = await sql<{ name: string }>`
      select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
       where i.inhparent = to_regclass('audit_events_by_time')`.execute(store.db);
    const scans = nodes.filter((node) => node['Node Type'] === 'Index Scan');
    expect(scans.length).toBeGreaterThan(0);
    for (const scan of scans) {
      expect(timeIndexes.map((row) => row.name)).toContain(scan['Index Name']);
      expect(scan['Scan Direction']).toBe('Backward');
    }
  });

  it('reads the next page with the head (the API on PostgreSQL) by the same backward walk, sorting only its rows', async () => {
    const [last] = (await store.events.findStoredPage(filter, PAGE)).slice(-1);
    if (!last) throw new Error('no last row');
    const after: EventPosition = { occurredAtMs: Number(last.occurred_at), seq: Number(last.seq) };
    const nodes = await explain(store, store.events.pageWithHeadQuery(filter, PAGE, after));
    // One sort, above the page's LIMIT: of the page's rows, not of the range.
    const sorts = nodes.filter((node) => node['Node Type'] === 'Sort');
    expect(sorts).toHaveLength(1);
    expect(nodesOf(sorts[0] as PlanNode).map((node) => node['Node Type'])).toContain('Limit');
    expect(nodes.map((node) => node['Node Type'])).not.toContain('Bitmap Heap Scan');
    const scans = nodes.filter((node) => node['Node Type'] === 'Index Scan' && node['Relation Name']?.startsWith('audit_events'));
    expect(scans.length).toBeGreaterThan(0);
    for (const scan of scans) expect(scan['Scan Direction']).toBe('Backward');
    const { rows, lastSeq } = await store.events.findStoredPageWithHead(filter, PAGE, after);
    expect(rows.map((row) => Number(row.seq))).toEqual(Array.from({ length: PAGE }, (_, i) => Number(last.seq) - 1 - i));
    expect(lastSeq).toBe(ROWS - 1);
  });

  it('walks the type index once per type for the next page of a filter of many types, planning one walk', async () => {
    // "Security only" leaves half of the catalog's types: as a UNION ALL arm per type, the planner planned
    // every type's walk of every week in the range, 20–40 ms at 2M events for a page that runs in 2 ms.
    const security: EventFilter = { ...filter, securityOnly: true };
    const securityTypes = new Set(CATALOG.filter((def) => def.securityAction).map((def) => def.type));
    expect(securityTypes.size).toBeGreaterThan(10);
    const first = await store.events.findStoredPage(security, PAGE);
    expect(first).toHaveLength(PAGE);
    const last = first[PAGE - 1];
    if (!last) throw new Error('no last row');
    const after: EventPosition = { occurredAtMs: Number(last.occurred_at), seq: Number(last.seq) };

    // The load's events are in seq order in time: the next page is the next PAGE security events below the cursor.
    const expected: number[] = [];
    for (let g = Number(last.seq) - 1; expected.length < PAGE; g -= 1) {
      if (securityTypes.has((CATALOG[g % CATALOG.length] as (typeof CATALOG)[number]).type)) expected.push(g);
    }
    const second = await store.events.findStoredPage(security, PAGE, after);
    expect(second.map((row) => Number(row.seq))).toEqual(expected);
    const withHead = await store.events.findStoredPageWithHead(security, PAGE, after);
    expect(withHead.rows.map((row) => Number(row.seq))).toEqual(expected);

    const nodes = await explain(store, store.events.typeWalksQuery(security, PAGE, after));
    const { rows: typeIndexes } = await sql<{ name: string }>`
      select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
       where i.inhparent = to_regclass('audit_events_by_type')`.execute(store.db);
    const scans = nodes.filter((node) => node['Relation Name']?.startsWith('audit_events'));
    // One walk, run once per type: a scan per week the range covers (five or six), not per week and type.
    expect(scans.length).toBeGreaterThan(0);
    expect(scans.length).toBeLessThanOrEqual(6);
    for (const scan of scans) {
      expect(typeIndexes.map((row) => row.name)).toContain(scan['Index Name']);
      expect(scan['Scan Direction']).toBe('Backward');
    }
    expect(nodes.map((node) => node['Node Type'])).toContain('Nested Loop');
    // One sort, of the walks' entries (at most PAGE per type) for the page's keys, never of the range.
    const sorts = nodes.filter((node) => node['Node Type'] === 'Sort');
    expect(sorts).toHaveLength(1);
    expect(nodesOf(sorts[0] as PlanNode).map((node) => node['Node Type'])).toContain('Limit');
  });

  it('reads only the weeks a 30-day query covers', async () => {
    const { rows: partitions } = await sql<{ name: string; rows: number }>`
      select relname as name, n_live_tup::int as rows from pg_stat_user_tables
       where schemaname = current_schema() and relname like 'audit_events_%'`.execute(store.db);
    const loaded = partitions.filter((p) => p.rows > 0).map((p) => p.name);
    expect(loaded.length).toBeGreaterThanOrEqual(9);

    const nodes = await explain(store, store.events.singleWalkQuery(filter, PAGE));
    const scanned = new Set(nodes.flatMap((node) => (node['Relation Name'] ? [node['Relation Name']] : [])));
    // 30 days reach into five or six weeks; the load covers nine or ten, and the default is never read.
    expect(scanned.size).toBeGreaterThanOrEqual(5);
    expect(scanned.size).toBeLessThanOrEqual(6);
    expect(scanned.size).toBeLessThan(loaded.length);
    expect(scanned).not.toContain('audit_events_default');
  });
});
