import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteApiToken } from '../src/store/queries/credential-queries.js';
import { authHeaders, buildTestApp, createTenancy, seedVariedEvents, type TestTenancy } from './support/audit-fixtures.js';
import { createTestStore, postgresAvailable, type TestStore } from './support/test-stores.js';

// Issue 15: on PostgreSQL every statement is a round trip to the server, and a page request waited for each
// in turn (credential, membership, head, page, view mark: five in a row). These count the statements a request
// sends and how many of them wait for one another, through a counting wrapper around the pg client.

interface Sent {
  sql: string;
  startedAt: number;
  endedAt: number;
}

const sent: Sent[] = [];
let counting = false;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function countedQuery(
  this: pg.Client,
  ...args: unknown[]
) {
  const result = query.apply(this, args);
  if (counting && result instanceof Promise) {
    const first = args[0];
    const entry: Sent = {
      sql: typeof first === 'string' ? first : ((first as { text?: string }).text ?? ''),
      startedAt: performance.now(),
      endedAt: Number.POSITIVE_INFINITY,
    };
    sent.push(entry);
    result.then(
      () => (entry.endedAt = performance.now()),
      () => (entry.endedAt = performance.now()),
    );
  }
  return result;
};

/**
 * The statements of one request and how many round trips it waited for one after another: a statement sent
 * after every earlier one had answered starts a new wait; statements sent together count once.
 */
async function roundTripsOf(
  request: () => Promise<{ statusCode: number }>,
): Promise<{ statements: string[]; inARow: number; status: number }> {
  sent.length = 0;
  counting = true;
  let status: number;
  try {
    status = (await request()).statusCode;
  } finally {
    counting = false;
  }
  let inARow = 0;
  let answeredBy = Number.NEGATIVE_INFINITY;
  for (const statement of [...sent].sort((a, b) => a.startedAt - b.startedAt)) {
    if (statement.startedAt >= answeredBy) inARow += 1;
    answeredBy = Math.max(answeredBy, statement.endedAt);
  }
  return { statements: sent.map((s) => s.sql.replace(/\s+/g, ' ').trim().slice(0, 80)), inARow, status };
}

const available = await postgresAvailable();

describe.skipIf(!available)('round trips of an owner reading the log on PostgreSQL', () => {
  let testStore: TestStore;
  let app: FastifyInstance;
  let tenancy: TestTenancy;
  let list: string;

  beforeAll(async () => {
    testStore = await createTestStore('postgres');
    tenancy = await createTenancy(testStore.store);
    await seedVariedEvents(testStore.store, tenancy.org.id, 400, testStore.store.clock.now(), { days: 20 });
    ({ app } = await buildTestApp(testStore.store));
    list = `/api/v1/orgs/${tenancy.org.id}/audit-logs?limit=20`;
  });
  afterAll(async () => {
    await app?.close();
    await testStore?.dispose();
  });

  const get = (url: string, via: 'cookie' | 'bearer') => () => app.inject({ method: 'GET', url, headers: authHeaders(tenancy.owner, via) });

  for (const via of ['bearer', 'cookie'] as const) {
    it(`with ${via === 'bearer' ? 'an API token' : 'a session'}: a next page is two round trips, the first page two in a row, a log-id lookup two`, async () => {
      // The first read of a visit records audit_log.viewed (its own transaction); the reads after it do not.
      const opening = await roundTripsOf(get(list, via));
      expect(opening.status).toBe(200);
      const first = await app.inject({ method: 'GET', url: list, headers: authHeaders(tenancy.owner, via) });
      const { nextCursor, data } = first.json<{ nextCursor: string; data: Array<{ logId: string }> }>();

      const next = await roundTripsOf(get(`${list}&cursor=${encodeURIComponent(nextCursor)}`, via));
      expect(next.status).toBe(200);
      // The credential with the membership, then the page with the organization's head.
      expect(next.statements, next.statements.join('\n')).toHaveLength(2);
      expect(next.inARow).toBe(2);

      const firstAgain = await roundTripsOf(get(list, via));
      expect(firstAgain.status).toBe(200);
      // The page and the parts of its total go out together, after the credential.
      expect(firstAgain.inARow, firstAgain.statements.join('\n')).toBe(2);
      expect(firstAgain.statements.length).toBeGreaterThan(2);

      const lookup = await roundTripsOf(get(`/api/v1/orgs/${tenancy.org.id}/audit-logs/${data[0]?.logId}`, via));
      expect(lookup.status).toBe(200);
      expect(lookup.statements, lookup.statements.join('\n')).toHaveLength(2);
    });
  }

  it('the membership read with the credential still decides: another organization is 404, a standard user 403', async () => {
    const otherOrg = await app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${tenancy.otherOrg.id}/audit-logs`,
      headers: authHeaders(tenancy.owner, 'bearer'),
    });
    expect(otherOrg.statusCode).toBe(404);
    const standard = await app.inject({ method: 'GET', url: list, headers: authHeaders(tenancy.standard, 'bearer') });
    expect(standard.statusCode).toBe(403);
  });

  it('a revoked API token is refused on its very next request: nothing about the credential is kept between requests', async () => {
    const owner = tenancy.owner;
    expect((await app.inject({ method: 'GET', url: list, headers: authHeaders(owner, 'bearer') })).statusCode).toBe(200);
    const tokens = await testStore.store.db.selectFrom('api_tokens').select('id').where('user_id', '=', owner.id).execute();
    for (const { id } of tokens) await deleteApiToken(testStore.store.db, id);
    expect((await app.inject({ method: 'GET', url: list, headers: authHeaders(owner, 'bearer') })).statusCode).toBe(401);
  });
});
