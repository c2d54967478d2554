import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../src/config.js';
import { FixedClock } from '../src/core/clock.js';
import type { AuditEventRecord } from '../src/events/audit-event.js';
import { canonicalRecordJson } from '../src/events/canonical-record.js';
import { leafHash } from '../src/events/leaf-hash.js';
import { rowToRecord } from '../src/store/event-rows.js';
import type { AttestStore } from '../src/store/attest-store.js';
import { createApiToken } from '../src/auth/credentials.js';
import { authHeaders, buildTestApp, createTenancy, variedEvent, seedVariedEvents, type TestTenancy } from './support/audit-fixtures.js';
import { seededRandom } from './support/seeded-random.js';
import { createTestStore, postgresAvailable, storeKinds, type TestStore } from './support/test-stores.js';

/**
 * The owner list against SQLite and PostgreSQL: range rules, filters and `total` against a brute-force count
 * over every event, keyset paging that stays stable while events arrive, and `audit_log.viewed` recording.
 */

const HOUR_MS = 3_600_000;
// A fixed "now" a little past an hour edge, so ranges land on hour edges and partial hours alike.
const NOW = Math.floor(Date.UTC(2026, 10, 20, 15) / HOUR_MS) * HOUR_MS + 17 * 60_000 + 123;
const HOUR_EDGE = Math.floor((NOW - 3 * DAY_MS) / HOUR_MS) * HOUR_MS;

interface Page {
  data: AuditEventRecord[];
  nextCursor: string | null;
  total: number;
  warnings: Array<{ code: string; message: string }>;
  range: { from: string; to: string };
  lastSeq: number;
}

interface Problem {
  code: string;
  errors?: Array<{ field: string; reason: string }>;
}

/** Every event of the organization straight from the table, newest first: the reference the API must match. */
async function allEvents(store: AttestStore, orgId: string): Promise<AuditEventRecord[]> {
  const rows = await store.db.selectFrom('audit_events').select(['record', 'leaf_hash']).where('org_id', '=', orgId).execute();
  return rows.map(rowToRecord).sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt) || b.seq - a.seq);
}

interface BruteFilter {
  fromMs: number;
  toMs: number;
  actions?: string[];
  actor?: string;
  security?: boolean;
  types?: string[];
  products?: string[];
  excludedTypes?: string[];
}

function bruteForce(events: AuditEventRecord[], f: BruteFilter): AuditEventRecord[] {
  return events.filter((e) => {
    const at = Date.parse(e.occurredAt);
    if (at < f.fromMs || at >= f.toMs) return false;
    if (f.actions && !f.actions.includes(e.action)) return false;
    if (f.actor && (e.actor.email ?? '').toLowerCase() !== f.actor.toLowerCase()) return false;
    if (f.security && !e.securityAction) return false;
    if (f.types && !f.types.includes(e.type)) return false;
    if (f.products && !f.products.includes(e.product)) return false;
    if (f.excludedTypes?.includes(e.type)) return false;
    return true;
  });
}

/** The brute-force events per UTC hour, as the histogram endpoint answers them. */
function bruteHistogram(events: AuditEventRecord[]): Array<{ start: string; events: number; securityEvents: number }> {
  const hours = new Map<number, { events: number; securityEvents: number }>();
  for (const e of events) {
    const hour = Math.floor(Date.parse(e.occurredAt) / HOUR_MS) * HOUR_MS;
    const count = hours.get(hour) ?? { events: 0, securityEvents: 0 };
    count.events += 1;
    if (e.securityAction) count.securityEvents += 1;
    hours.set(hour, count);
  }
  return [...hours.entries()].sort(([a], [b]) => a - b).map(([hour, count]) => ({ start: new Date(hour).toISOString(), ...count }));
}

function queryString(f: BruteFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  params.set('from', new Date(f.fromMs).toISOString());
  params.set('to', new Date(f.toMs).toISOString());
  for (const a of f.actions ?? []) params.append('action', a);
  if (f.actor) params.set('actor', f.actor);
  if (f.security) params.set('security', 'true');
  for (const t of f.types ?? []) params.append('type', t);
  for (const p of f.products ?? []) params.append('product', p);
  for (const t of f.excludedTypes ?? []) params.append('excludeType', t);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  return params.toString();
}

const kinds = storeKinds();
const pgAvailable = kinds.includes('postgres') ? await postgresAvailable() : false;

for (const kind of kinds) {
  describe.skipIf(kind === 'postgres' && !pgAvailable)(`audit-log query (${kind})`, () => {
    let testStore: TestStore;
    let store: AttestStore;
    let clock: FixedClock;
    let app: FastifyInstance;
    let tenancy: TestTenancy;
    let base: string;

    const get = async (query: string, caller: 'cookie' | 'bearer' = 'cookie') => {
      const response = await app.inject({ url: `${base}?${query}`, headers: authHeaders(tenancy.owner, caller) });
      return response;
    };
    const getPage = async (query: string): Promise<Page> => {
      const response = await get(query);
      expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
      return response.json() as Page;
    };
    const readAll = async (query: string, limit: number): Promise<{ events: AuditEventRecord[]; totals: number[] }> => {
      const events: AuditEventRecord[] = [];
      const totals: number[] = [];
      let cursor: string | null = null;
      do {
        const page: Page = await getPage(`${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        events.push(...page.data);
        totals.push(page.total);
        cursor = page.nextCursor;
      } while (cursor);
      return { events, totals };
    };

    beforeAll(async () => {
      clock = new FixedClock(NOW);
      testStore = await createTestStore(kind, clock);
      store = testStore.store;
      tenancy = await createTenancy(store);
      await seedVariedEvents(store, tenancy.org.id, 400, NOW, { days: 45, seed: 7 });
      await seedVariedEvents(store, tenancy.otherOrg.id, 60, NOW, { days: 45, seed: 8 });
      // Events on and either side of one hour edge, where whole-hour rollups and row counts meet.
      const random = seededRandom(3).next;
      await store.appendEvents(
        [-1, 0, 0, 1, 17 * 60_000, HOUR_MS - 1, HOUR_MS].map((offset, i) =>
          variedEvent(tenancy.org.id, HOUR_EDGE + offset, 900 + i, random),
        ),
      );
      ({ app } = await buildTestApp(store));
      base = `/api/v1/orgs/${tenancy.org.id}/audit-logs`;
      // The first read records audit_log.viewed; later reads (same clock) do not, so the log stays put below.
      await getPage('limit=1');
    });

    afterAll(async () => {
      await app?.close();
      await testStore?.dispose();
    });

    it('without from/to covers the last 30 days ending now, newest first, with the matching total', async () => {
      const first = await getPage('limit=200');
      expect(first.range).toEqual({ from: new Date(NOW - 30 * DAY_MS).toISOString(), to: new Date(NOW).toISOString() });
      expect(first.warnings).toEqual([]);
      const expected = bruteForce(await allEvents(store, tenancy.org.id), { fromMs: NOW - 30 * DAY_MS, toMs: NOW });
      expect(first.total).toBe(expected.length);
      expect(first.data.map((e) => e.logId)).toEqual(expected.slice(0, 200).map((e) => e.logId));
      // The log's head, for the live feed to resume after: the seeding's oldest events carry the highest seqs,
      // so no page row could say it.
      const head = Math.max(...(await allEvents(store, tenancy.org.id)).map((e) => e.seq));
      expect(first.lastSeq).toBe(head);
      expect(Math.max(...first.data.map((e) => e.seq))).toBeLessThanOrEqual(head);
    });

    it('rejects a range over 30 days (RANGE_TOO_LONG naming the field) and an empty or reversed range', async () => {
      const tooLong = await get(queryString({ fromMs: NOW - 31 * DAY_MS, toMs: NOW }));
      expect(tooLong.statusCode).toBe(400);
      const problem = tooLong.json() as Problem;
      expect(problem.code).toBe('RANGE_TOO_LONG');
      expect(problem.errors?.[0]?.field).toBe('from');
      expect(problem.errors?.[0]?.reason).toMatch(/more than 30 days/);
      expect(tooLong.headers['content-type']).toContain('application/problem+json');

      const exactly30 = await get(queryString({ fromMs: NOW - 30 * DAY_MS, toMs: NOW }));
      expect(exactly30.statusCode).toBe(200);

      for (const [fromMs, toMs] of [
        [NOW, NOW],
        [NOW, NOW - HOUR_MS],
      ] as const) {
        const response = await get(queryString({ fromMs, toMs }));
        expect(response.statusCode).toBe(400);
        expect((response.json() as Problem).code).toBe('INVALID_RANGE');
      }
      const garbage = await get('from=yesterday');
      expect(garbage.statusCode).toBe(400);
      expect((garbage.json() as Problem).errors?.[0]?.field).toBe('from');
    });

    it('clamps a from before the 90-day retention horizon and says so', async () => {
      const horizon = NOW - 90 * DAY_MS;
      const page = await getPage(queryString({ fromMs: NOW - 100 * DAY_MS, toMs: NOW - 75 * DAY_MS }));
      expect(page.range.from).toBe(new Date(horizon).toISOString());
      expect(page.range.to).toBe(new Date(NOW - 75 * DAY_MS).toISOString());
      expect(page.warnings.map((w) => w.code)).toEqual(['RANGE_CLAMPED']);
      expect(page.warnings[0]?.message).toMatch(/90 days/);
      const expired = await getPage(queryString({ fromMs: NOW - 120 * DAY_MS, toMs: NOW - 100 * DAY_MS }));
      expect(expired.warnings.map((w) => w.code)).toEqual(['RANGE_EXPIRED']);
      expect(expired.total).toBe(0);
    });

    it('rejects unknown filter values, naming the field', async () => {
      for (const [query, field] of [
        ['action=Destroy', 'action'],
        ['type=user.nope', 'type'],
        ['product=Nope', 'product'],
        ['limit=0', 'querystring.limit'],
        ['limit=201', 'querystring.limit'],
        ['security=maybe', 'querystring.security'],
        ['bogus=1', 'querystring.bogus'],
      ] as const) {
        const response = await get(query);
        expect(response.statusCode, query).toBe(400);
        expect((response.json() as Problem).errors?.[0]?.field, query).toBe(field);
      }
    });

    it('filters and total agree with a brute-force count for many filter combinations, across every page', async () => {
      const events = await allEvents(store, tenancy.org.id);
      const random = seededRandom(99).next;
      const actions = ['Create', 'Update', 'Delete', 'Export', 'Login', 'Invite link', 'View'];
      const types = [
        'user.standard.added',
        'user.privileged.added',
        'permission_set.updated',
        'user_list.exported',
        'invite_link.regenerated',
      ];
      const hourEdge = HOUR_EDGE;
      const ranges: Array<[number, number]> = [
        [NOW - 30 * DAY_MS, NOW],
        [hourEdge - 5 * DAY_MS, hourEdge],
        [hourEdge - 5 * DAY_MS + 1, hourEdge - 1],
        [hourEdge - 2 * HOUR_MS, hourEdge + HOUR_MS],
        [hourEdge - 1, hourEdge + 1],
        [NOW - 44 * DAY_MS, NOW - 20 * DAY_MS],
        [hourEdge + 17 * 60_000, hourEdge + 43 * 60_000],
      ];
      let nonEmpty = 0;
      for (let i = 0; i < 42; i += 1) {
        const [fromMs, toMs] = ranges[i % ranges.length] as [number, number];
        const f: BruteFilter = { fromMs, toMs };
        if (random() < 0.4) f.actions = actions.filter(() => random() < 0.4);
        if (random() < 0.3) f.actor = random() < 0.5 ? 'BOB@example.com' : 'ann@example.com';
        if (random() < 0.3) f.security = true;
        if (random() < 0.25) f.types = types.filter(() => random() < 0.5);
        if (random() < 0.2) f.products = ['UserManagement'];
        if (f.actions?.length === 0) delete f.actions;
        if (f.types?.length === 0) delete f.types;
        if (random() < 0.3) f.excludedTypes = ['user.standard.added', 'audit_log.viewed'];
        const expected = bruteForce(events, f);
        if (expected.length > 0) nonEmpty += 1;
        const { events: got, totals } = await readAll(queryString(f), 1 + Math.floor(random() * 60));
        expect(
          got.map((e) => e.logId),
          JSON.stringify(f),
        ).toEqual(expected.map((e) => e.logId));
        expect(new Set(totals), JSON.stringify(f)).toEqual(new Set([expected.length]));
        // The chart's hourly counts: the whole hours from the rollups, the edges from rows, as the brute force says.
        const histogram = await app.inject({ url: `${base}/histogram?${queryString(f)}`, headers: authHeaders(tenancy.owner) });
        expect(histogram.statusCode, histogram.body.slice(0, 300)).toBe(200);
        expect((histogram.json() as { hours: unknown[] }).hours, JSON.stringify(f)).toEqual(bruteHistogram(expected));
      }
      // The combinations are not all trivially empty.
      expect(nonEmpty).toBeGreaterThan(20);
    });

    it('pages stay stable while new events arrive: no duplicates, no gaps', async () => {
      const f: BruteFilter = { fromMs: NOW - 20 * DAY_MS, toMs: NOW };
      const before = bruteForce(await allEvents(store, tenancy.org.id), f);
      const seen: AuditEventRecord[] = [];
      const totals: number[] = [];
      let cursor: string | null = null;
      let round = 0;
      do {
        const page: Page = await getPage(`${queryString(f)}&limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        seen.push(...page.data);
        totals.push(page.total);
        cursor = page.nextCursor;
        // Between pages: events newer than everything, at the exact time of the page's last row (higher seq,
        // so "newer" in the order), and backdated ones in another organization.
        const last = page.data[page.data.length - 1];
        if (last) {
          round += 1;
          await store.appendEvents([
            variedEvent(tenancy.org.id, NOW - 1000, 10_000 + round),
            variedEvent(tenancy.org.id, Date.parse(last.occurredAt), 20_000 + round),
            variedEvent(tenancy.otherOrg.id, Date.parse(last.occurredAt) - 1, 30_000 + round),
          ]);
        }
      } while (cursor);
      expect(round).toBeGreaterThan(3);
      expect(seen.map((e) => e.logId)).toEqual(before.map((e) => e.logId));
      // The total is the first page's count, carried by the cursor: the paged view is one consistent snapshot.
      expect(new Set(totals)).toEqual(new Set([before.length]));
    });

    it('keeps the default range of the first page on later pages while time passes', async () => {
      const first = await getPage('limit=40');
      clock.set(NOW + 10 * 60_000);
      try {
        const second = await getPage(`limit=40&cursor=${encodeURIComponent(first.nextCursor ?? '')}`);
        expect(second.range).toEqual(first.range);
        expect(second.data[0]?.logId).not.toBe(first.data[0]?.logId);
      } finally {
        clock.set(NOW);
      }
    });

    it('refuses a cursor issued for another filter or range, and a forged one', async () => {
      const page = await getPage('action=Create&limit=5');
      expect(page.nextCursor).not.toBeNull();
      const cursor = encodeURIComponent(page.nextCursor ?? '');
      for (const query of [
        `action=Update&cursor=${cursor}`,
        `cursor=${cursor}`,
        `action=Create&security=true&cursor=${cursor}`,
        `action=Create&from=${new Date(NOW - DAY_MS).toISOString()}&cursor=${cursor}`,
        'cursor=not-a-cursor',
        `cursor=${Buffer.from('{"v":1}').toString('base64url')}`,
      ]) {
        const response = await get(query);
        expect(response.statusCode, query).toBe(400);
        const problem = response.json() as Problem;
        expect(problem.code).toBe('INVALID_CURSOR');
        expect(problem.errors?.[0]?.field).toBe('cursor');
      }
      // A hand-edited cursor: the same query, but a total and a range the server never issued.
      const [body, tag] = (page.nextCursor ?? '').split('.') as [string, string];
      const fields = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, number>;
      for (const edit of [{ n: 1_000_000 }, { f: (fields.f ?? 0) - DAY_MS }, { t: (fields.t ?? 0) + DAY_MS }, { o: (fields.o ?? 0) + 1 }]) {
        const edited = Buffer.from(JSON.stringify({ ...fields, ...edit })).toString('base64url');
        const response = await get(`action=Create&cursor=${encodeURIComponent(`${edited}.${tag}`)}`);
        expect(response.statusCode, JSON.stringify(edit)).toBe(400);
        expect((response.json() as Problem).errors?.[0]?.reason).toMatch(/altered/);
      }
      // The same filters written differently (order, case of the email) are the same query.
      expect((await get(`action=Create&cursor=${cursor}`)).statusCode).toBe(200);
      const other = await app.inject({
        url: `/api/v1/orgs/${tenancy.otherOrg.id}/audit-logs?action=Create&cursor=${cursor}`,
        headers: authHeaders(tenancy.otherOwner),
      });
      expect(other.statusCode).toBe(400);
    });

    it('serves page records equal to the log-id lookup, as JSON, each with a leaf hash that its own fields recompute', async () => {
      const response = await get('limit=25');
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      const page = response.json() as Page;
      expect(page.data).toHaveLength(25);
      for (const event of page.data) {
        const single = await app.inject({ url: `${base}/${event.logId}`, headers: authHeaders(tenancy.owner) });
        expect(single.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(single.json()).toEqual(event);
        // The same text, members in the same order, wherever the record is read.
        expect(Object.keys(single.json() as object)).toEqual(Object.keys(event));
        const { leafHash: claimed, ...record } = event;
        expect(leafHash(canonicalRecordJson(record))).toBe(claimed);
      }
    });

    it('returns one event by log id, and 404 EVENT_NOT_FOUND for an unknown id or another organization', async () => {
      const [event] = (await getPage('limit=1')).data;
      expect(event).toBeDefined();
      const one = await app.inject({ url: `${base}/${event?.logId}`, headers: authHeaders(tenancy.owner) });
      expect(one.statusCode).toBe(200);
      expect(one.json()).toEqual(event);
      const [foreign] = await allEvents(store, tenancy.otherOrg.id);
      for (const logId of [foreign?.logId, '0190a0a0-0000-7000-8000-000000000000', 'not-a-uuid']) {
        const response = await app.inject({ url: `${base}/${logId}`, headers: authHeaders(tenancy.owner) });
        expect(response.statusCode).toBe(404);
        expect((response.json() as Problem).code).toBe('EVENT_NOT_FOUND');
      }
    });

    it('suggests actors of this organization by email or name', async () => {
      const response = await app.inject({ url: `${base}/actors?q=BOB`, headers: authHeaders(tenancy.owner) });
      expect(response.statusCode).toBe(200);
      expect((response.json() as { data: unknown[] }).data).toEqual([{ email: 'bob@example.com', name: 'Bob Builder' }]);
      const all = (await app.inject({ url: `${base}/actors`, headers: authHeaders(tenancy.owner) })).json() as {
        data: Array<{ email: string }>;
      };
      expect(all.data.map((a) => a.email)).toContain(tenancy.owner.email);
    });

    it('records audit_log.viewed once per user per 30 minutes whatever the session or token, with the range and filters of that read', async () => {
      const viewedBy = async (email: string) =>
        (await allEvents(store, tenancy.org.id)).filter((e) => e.type === 'audit_log.viewed' && e.actor.email === email);
      const initial = (await viewedBy(tenancy.owner.email)).length;
      expect(initial).toBe(1);
      await getPage('action=Create');
      expect((await viewedBy(tenancy.owner.email)).length).toBe(1);

      clock.set(NOW + 31 * 60_000);
      try {
        await getPage('action=Delete&security=true');
        await getPage('action=Update');
        const events = await viewedBy(tenancy.owner.email);
        expect(events.length).toBe(2);
        const latest = events[0];
        expect(latest?.metadata).toMatchObject({
          filters: { action: ['Delete'], security: true, actor: null },
          to: new Date(NOW + 31 * 60_000).toISOString(),
        });
        expect(latest).toMatchObject({
          product: 'AuditLogs',
          action: 'View',
          securityAction: false,
          actor: { id: tenancy.owner.id, type: 'user' },
          entity: { id: tenancy.org.id, type: 'audit_log' },
        });
        // The same owner through an API token, or a new token, is the same person: no second view.
        expect((await get('limit=1', 'bearer')).statusCode).toBe(200);
        const token = await createApiToken(store.db, tenancy.owner.id, 'second token', NOW);
        expect((await app.inject({ url: `${base}?limit=1`, headers: { authorization: `Bearer ${token.secret}` } })).statusCode).toBe(200);
        expect((await viewedBy(tenancy.owner.email)).length).toBe(2);
      } finally {
        clock.set(NOW);
      }
    });

    it('concurrent first reads of a user through several tokens record one audit_log.viewed between them', async () => {
      const tokens = await Promise.all(
        Array.from({ length: 3 }, (_, i) => createApiToken(store.db, tenancy.owner.id, `concurrent ${i}`, NOW)),
      );
      const countViews = async () => (await allEvents(store, tenancy.org.id)).filter((e) => e.type === 'audit_log.viewed').length;
      const before = await countViews();
      // A fresh window: 2 × 31 minutes after the reads of the test before.
      clock.set(NOW + 62 * 60_000);
      try {
        const responses = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            app.inject({ url: `${base}?limit=1`, headers: { authorization: `Bearer ${tokens[i % 3]?.secret}` } }),
          ),
        );
        expect(responses.map((r) => r.statusCode)).toEqual(Array(6).fill(200));
        expect(await countViews()).toBe(before + 1);
      } finally {
        clock.set(NOW);
      }
    });
  });
}
