import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, buildTestApp, createTenancy, type TestTenancy } from '../support/audit-fixtures.js';
import { storeMatrix } from '../support/store-matrix.js';
import { createTestStore, type TestStore } from '../support/test-stores.js';
import { signatureValid, WebhookReceiver } from './webhook-receiver.js';

/**
 * The streams API (PRODUCT.md §9): who may use it (owner and owner token; admin, standard user and producer
 * key 403; another organization's owner 404; anonymous 401), what a destination looks like, and that every
 * change is a security event of product AuditLogs recorded with it.
 */

type Caller = 'owner' | 'ownerToken' | 'admin' | 'standard' | 'otherOwner' | 'anonymous' | 'producer';
const REFUSED: Record<Exclude<Caller, 'owner' | 'ownerToken'>, number> = {
  admin: 403,
  standard: 403,
  otherOwner: 404,
  anonymous: 401,
  producer: 403,
};
const callers: Caller[] = ['owner', 'ownerToken', 'admin', 'standard', 'otherOwner', 'anonymous', 'producer'];

interface StreamBody {
  id: string;
  kind: string;
  url: string;
  filter: Record<string, unknown>;
  enabled: boolean;
  state: string;
  lastDeliveredSeq: number;
  lagEvents: number;
  lastError: string | null;
  secret?: string;
}

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`streams API (${kind})`, () => {
    let ts: TestStore;
    let app: FastifyInstance;
    let t: TestTenancy;
    const receiver = new WebhookReceiver();

    const headersOf = (caller: Caller): Record<string, string> => {
      if (caller === 'anonymous') return {};
      if (caller === 'producer') return authHeaders(t.producerBearer);
      if (caller === 'ownerToken') return authHeaders(t.owner, 'bearer');
      return authHeaders(t[caller], 'cookie');
    };
    const call = (caller: Caller, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown) =>
      app.inject({
        method,
        url: `/api/v1/orgs/${t.org.id}${path}`,
        headers: headersOf(caller),
        ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
      });
    const lastSeq = () => ts.store.events.lastSeq(t.org.id);
    const newStream = async (extra: Record<string, unknown> = {}) => {
      const res = await call('owner', 'POST', '/streams', { kind: 'webhook', url: `${receiver.url}/hook`, enabled: false, ...extra });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<StreamBody>();
    };

    beforeAll(async () => {
      await receiver.start();
      ts = await createTestStore(kind);
      t = await createTenancy(ts.store);
      ({ app } = await buildTestApp(ts.store, { ATTEST_STREAMS_ALLOW_PRIVATE: 'true', ATTEST_STREAMS_TIMEOUT_MS: '2000' }));
    });
    afterAll(async () => {
      await app?.close();
      await ts?.dispose();
      await receiver.stop();
    });

    const endpoints: Array<{
      name: string;
      ok: number;
      request: () => Promise<{ method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; path: string; body?: unknown }>;
    }> = [
      { name: 'GET streams', ok: 200, request: async () => ({ method: 'GET', path: '/streams' }) },
      {
        name: 'POST streams',
        ok: 201,
        request: async () => ({ method: 'POST', path: '/streams', body: { kind: 'syslog', url: 'tcp://127.0.0.1:1', enabled: false } }),
      },
      { name: 'GET streams/{id}', ok: 200, request: async () => ({ method: 'GET', path: `/streams/${(await newStream()).id}` }) },
      {
        name: 'PATCH streams/{id}',
        ok: 200,
        request: async () => ({ method: 'PATCH', path: `/streams/${(await newStream()).id}`, body: { filter: { security: true } } }),
      },
      { name: 'DELETE streams/{id}', ok: 204, request: async () => ({ method: 'DELETE', path: `/streams/${(await newStream()).id}` }) },
      {
        name: 'POST streams/{id}/test',
        ok: 200,
        request: async () => ({ method: 'POST', path: `/streams/${(await newStream()).id}/test` }),
      },
    ];

    for (const endpoint of endpoints) {
      it(`${endpoint.name}: owner and owner token ${endpoint.ok}, admin 403, standard 403, other organization 404, anonymous 401, producer key 403`, async () => {
        for (const caller of callers) {
          const req = await endpoint.request();
          const before = await lastSeq();
          const res = await call(caller, req.method, req.path, req.body);
          const expected = caller === 'owner' || caller === 'ownerToken' ? endpoint.ok : REFUSED[caller];
          expect({ caller, status: res.statusCode }, res.body.slice(0, 200)).toEqual({ caller, status: expected });
          if (expected >= 400) {
            expect(res.headers['content-type']).toContain('application/problem+json');
            expect(res.body).not.toMatch(/lastDeliveredSeq|"secret"/);
            expect(await lastSeq()).toBe(before);
          }
        }
      });
    }

    it('creating a webhook returns its generated secret once; reading it never shows a secret again', async () => {
      const created = await newStream({ filter: { security: true, actions: ['Update'] } });
      expect(created.secret).toMatch(/^whsec_/);
      expect(created).toMatchObject({
        kind: 'webhook',
        url: `${receiver.url}/hook`,
        enabled: false,
        state: 'paused',
        filter: { security: true, actions: ['Update'] },
        lastError: null,
      });
      const read = await call('owner', 'GET', `/streams/${created.id}`);
      expect(read.json<StreamBody>()).not.toHaveProperty('secret');
      const list = await call('owner', 'GET', '/streams');
      expect(list.body).not.toContain(created.secret);
      const row = await ts.store.db
        .selectFrom('stream_destinations')
        .select('credential')
        .where('id', '=', created.id)
        .executeTakeFirstOrThrow();
      expect(row.credential).toMatch(/^v1\./);
      expect(row.credential).not.toContain(created.secret);
    });

    it('create, change, pause, resume, rotate and delete are security events of product AuditLogs, with no secret in them', async () => {
      const from = await lastSeq();
      const created = await newStream({ enabled: true, secret: 'a-secret-of-sixteen-or-more' });
      await call('owner', 'PATCH', `/streams/${created.id}`, { url: `${receiver.url}/other` });
      await call('owner', 'PATCH', `/streams/${created.id}`, { enabled: false });
      await call('owner', 'PATCH', `/streams/${created.id}`, { enabled: true });
      const rotated = await call('owner', 'PATCH', `/streams/${created.id}`, { rotateSecret: true });
      expect(rotated.json<StreamBody>().secret).toMatch(/^whsec_/);
      expect((await call('owner', 'DELETE', `/streams/${created.id}`)).statusCode).toBe(204);
      const events = await ts.store.events.findAfterSeq(t.org.id, from, 100);
      expect(events.map((e) => e.type)).toEqual([
        'audit_log.stream.created',
        'audit_log.stream.updated',
        'audit_log.stream.paused',
        'audit_log.stream.resumed',
        'audit_log.stream.secret_rotated',
        'audit_log.stream.deleted',
      ]);
      for (const e of events) {
        expect(e).toMatchObject({
          product: 'AuditLogs',
          securityAction: true,
          entity: { id: created.id, type: 'stream' },
          actor: { id: t.owner.id, type: 'user' },
        });
      }
      expect(events[1]?.changes).toEqual([{ field: 'url', from: `${receiver.url}/hook`, to: `${receiver.url}/other` }]);
      const text = JSON.stringify(events);
      expect(text).not.toContain('a-secret-of-sixteen-or-more');
      expect(text).not.toContain(rotated.json<StreamBody>().secret);
      expect((await call('owner', 'GET', `/streams/${created.id}`)).statusCode).toBe(404);
    });

    it('bad input is a problem naming the field, and nothing is written', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ kind: 'webhook', url: 'ftp://example.com/x' }, 'url'],
        [{ kind: 'syslog', url: 'tcp://127.0.0.1' }, 'url'],
        [{ kind: 'splunk-hec', url: `${receiver.url}` }, 'token'],
        [{ kind: 'webhook', url: `${receiver.url}`, secret: 'short' }, 'secret'],
        [{ kind: 'webhook', url: `${receiver.url}`, filter: { types: ['no.such.type'] } }, 'filter.types[0]'],
        [{ kind: 'syslog', url: 'tcp://127.0.0.1:514', token: 'x' }, 'token'],
        [{ kind: 'webhook', url: `${receiver.url}`, caBundle: 'paste the CA here' }, 'caBundle'],
      ];
      for (const [body, field] of cases) {
        const before = await lastSeq();
        const count = (await call('owner', 'GET', '/streams')).json<{ data: unknown[] }>().data.length;
        const res = await call('owner', 'POST', '/streams', body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.json<{ errors: Array<{ field: string }> }>().errors[0]?.field).toBe(field);
        expect(await lastSeq()).toBe(before);
        expect((await call('owner', 'GET', '/streams')).json<{ data: unknown[] }>().data).toHaveLength(count);
      }
    });

    it('a stream of another organization is a 404 even to an owner', async () => {
      const created = await newStream();
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/orgs/${t.otherOrg.id}/streams/${created.id}`,
        headers: authHeaders(t.otherOwner, 'cookie'),
      });
      expect(res.statusCode).toBe(404);
    });

    it('"send test event" reports what the receiver answered', async () => {
      const created = await newStream();
      const ok = await call('owner', 'POST', `/streams/${created.id}/test`);
      expect(ok.json()).toMatchObject({ delivered: true, error: null });
      const last = receiver.accepted.at(-1);
      expect(signatureValid(created.secret ?? '', String(last?.headers['attest-signature']), last?.body ?? '')).toBe(true);
      expect(last?.records[0]).toMatchObject({ test: true, seq: -1, orgId: t.org.id, type: 'audit_log.stream.test' });
      receiver.behave = (_req, res) => Boolean(res.writeHead(503).end('down for maintenance'));
      const refused = await call('owner', 'POST', `/streams/${created.id}/test`);
      receiver.behave = undefined;
      expect(refused.json()).toMatchObject({ delivered: false, error: 'HTTP 503: down for maintenance' });
    });
  });
}
