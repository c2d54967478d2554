import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveFeed } from '../src/features/audit-logs/http/audit-log-live-feed.js';
import { EventNotifier } from '../src/store/event-notifier.js';
import { openStore } from '../src/store/open-store.js';
import { parseAuditLogFilters } from '../src/features/audit-logs/query/audit-log-query.js';
import { authHeaders, buildTestApp, createTenancy, variedEvent, type TestTenancy } from './support/audit-fixtures.js';
import { SseClient } from './support/sse-client.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

/**
 * The live feed over a real socket: events committed after connecting arrive (through ingest, which wakes the
 * feed, and straight into the store as another process would, which polling finds), filters apply, and
 * `Last-Event-ID` resumes with every later event, in order, without gaps.
 */

let testStore: TestStore;
let app: FastifyInstance;
let tenancy: TestTenancy;
let baseUrl: string;
const clients: SseClient[] = [];

async function ingest(type: string, orgId = tenancy.org.id): Promise<{ logId: string; seq: number }> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: authHeaders(tenancy.producerBearer),
    payload: { events: [{ type, orgId, actor: { id: 'u-1', email: 'actor@example.com' }, entity: { id: 'e-1', name: 'Someone' } }] },
  });
  expect(response.statusCode, response.body).toBe(201);
  const [appended] = (response.json() as { events: Array<{ logId: string; seq: number }> }).events;
  if (!appended) throw new Error('no event appended');
  return appended;
}

async function openStream(query: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const client = new SseClient();
  clients.push(client);
  const status = await client.connect(`${baseUrl}/api/v1/orgs/${tenancy.org.id}/audit-logs/stream${query}`, {
    ...authHeaders(tenancy.owner, 'bearer'),
    ...headers,
  });
  expect(status).toBe(200);
  await client.until(() => client.comments > 0, 'the connected comment');
  return client;
}

beforeAll(async () => {
  testStore = await createTestStore('sqlite');
  tenancy = await createTenancy(testStore.store);
  ({ app } = await buildTestApp(testStore.store));
  await app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const client of clients) client.close();
  await app?.close();
  await testStore?.dispose();
});

describe('live feed (server-sent events)', () => {
  it('delivers events ingested after connecting, filtered, as id: seq / event: audit-event / data: record', async () => {
    const client = await openStream('?action=Create');
    const first = await ingest('user.standard.added');
    const skipped = await ingest('user.standard.removed');
    const second = await ingest('permission_set.created');
    await client.until(() => client.records().some((r) => r.logId === second.logId), 'the second Create');
    const records = client.records();
    expect(records.map((r) => r.logId)).toEqual([first.logId, second.logId]);
    expect(records.map((r) => r.logId)).not.toContain(skipped.logId);
    expect(client.messages.map((m) => m.event)).toEqual(['audit-event', 'audit-event']);
    expect(client.messages.map((m) => Number(m.id))).toEqual([first.seq, second.seq]);
    expect(records[0]).toMatchObject({ type: 'user.standard.added', orgId: tenancy.org.id, action: 'Create' });
    client.close();
  });

  it('finds events committed without the in-process notifier (another process) by polling', async () => {
    const client = await openStream('');
    // A second store on the same file has a notifier of its own, as another process would: only polling finds it.
    const otherProcess = await openStore(testStore.databaseUrl);
    const [appended] = await otherProcess.appendEvents([variedEvent(tenancy.org.id, Date.now(), 1)]).finally(() => otherProcess.close());
    await client.until(() => client.messages.some((m) => Number(m.id) === appended?.seq), 'the event appended straight into the store');
    client.close();
  });

  it('never sends events of another organization', async () => {
    const client = await openStream('');
    await ingest('user.standard.added', tenancy.otherOrg.id);
    const mine = await ingest('user.standard.added');
    await client.until(() => client.records().some((r) => r.logId === mine.logId), 'own event');
    expect(new Set(client.records().map((r) => r.orgId))).toEqual(new Set([tenancy.org.id]));
    client.close();
  });

  it('resumes after Last-Event-ID with every later event, in order, without gaps', async () => {
    const resumeFrom = (await ingest('user.standard.added')).seq;
    for (const type of ['user.standard.removed', 'permission_set.created', 'permission_set.deleted', 'invite_link.regenerated'])
      await ingest(type);
    const lastSeq = await testStore.store.events.lastSeq(tenancy.org.id);
    const client = await openStream('', { 'last-event-id': String(resumeFrom) });
    await client.until(() => client.messages.some((m) => Number(m.id) >= lastSeq), 'the caught-up events');
    const seqs = client.messages.map((m) => Number(m.id));
    const expected = Array.from({ length: lastSeq - resumeFrom }, (_, i) => resumeFrom + 1 + i);
    expect(seqs.slice(0, expected.length)).toEqual(expected);

    // And live after catching up, continuing the same sequence.
    const next = await ingest('user.standard.added');
    await client.until(() => client.messages.some((m) => Number(m.id) === next.seq), 'the next live event');
    const all = client.messages.map((m) => Number(m.id));
    expect(all).toEqual([...all].sort((a, b) => a - b));
    expect(new Set(all).size).toBe(all.length);
    client.close();
  });

  it('rejects a malformed Last-Event-ID with a problem naming it', async () => {
    const response = await app.inject({
      url: `/api/v1/orgs/${tenancy.org.id}/audit-logs/stream`,
      headers: { ...authHeaders(tenancy.owner), 'last-event-id': 'abc' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ errors: [{ field: 'Last-Event-ID' }] });
  });

  it('sends heartbeat comments, and stops (unsubscribed, timers cleared) when the client goes away', async () => {
    const notifier = new EventNotifier();
    let subscribed = 0;
    const subscribe = notifier.subscribe.bind(notifier);
    notifier.subscribe = (orgId, listener) => {
      subscribed += 1;
      const unsubscribe = subscribe(orgId, listener);
      return () => {
        subscribed -= 1;
        unsubscribe();
      };
    };
    let closedOnServer: Promise<void> = Promise.resolve();
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      closedOnServer = new Promise((resolve) => res.on('close', () => resolve()));
      startLiveFeed({
        reader: testStore.store.events,
        notifier,
        orgId: tenancy.org.id,
        filters: parseAuditLogFilters({}),
        afterSeq: -1,
        response: res,
        onError: () => undefined,
        heartbeatMs: 50,
        pollMs: 50,
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = new SseClient();
      expect(await client.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {})).toBe(200);
      // From seq -1: the whole log first, then heartbeats while nothing happens.
      const lastSeq = await testStore.store.events.lastSeq(tenancy.org.id);
      await client.until(
        () => client.messages.some((m) => Number(m.id) === lastSeq) && client.comments >= 3,
        'the log and three heartbeats',
      );
      expect(client.messages.map((m) => Number(m.id))).toEqual(Array.from({ length: lastSeq + 1 }, (_, i) => i));
      expect(subscribed).toBe(1);
      client.close();
      await closedOnServer;
      expect(subscribed).toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('ends open streams when the server shuts down, so closing does not hang', async () => {
    const { app: second } = await buildTestApp(testStore.store);
    await second.listen({ port: 0, host: '127.0.0.1' });
    let closing: Promise<void> | undefined;
    const ended = new Promise<void>((resolve) => {
      const req = httpRequest(
        `http://127.0.0.1:${(second.server.address() as AddressInfo).port}/api/v1/orgs/${tenancy.org.id}/audit-logs/stream`,
        { headers: authHeaders(tenancy.owner) },
        (res) => {
          expect(res.statusCode).toBe(200);
          res.resume();
          res.on('end', () => resolve());
          res.once('data', () => {
            closing = second.close();
          });
        },
      );
      req.end();
    });
    await ended;
    await closing;
    expect(second.server.listening).toBe(false);
  });
});
