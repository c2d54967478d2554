import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorToken } from '../src/auth/credentials.js';
import { authHeaders, buildTestApp, createTenancy, seedVariedEvents, type TestTenancy } from './support/audit-fixtures.js';
import { createTestStore, type TestStore } from './support/test-stores.js';
import { LogCheckpointer } from '../src/features/integrity/log-checkpointer.js';
import { generateSignerKey, parseSignerKey } from '../src/integrity/note-keys.js';

/**
 * Who may read an organization's audit log (PRODUCT.md §2): owner 200, admin 403, standard user 403, owner of
 * another organization 404, anonymous 401, producer key 403, operator token 403 (it creates organizations and
 * reads none), on every audit-log endpoint.
 */

type Caller = 'owner' | 'admin' | 'standard' | 'otherOwner' | 'anonymous' | 'producer' | 'operator';
const EXPECTED: Record<Caller, number> = {
  owner: 200,
  admin: 403,
  standard: 403,
  otherOwner: 404,
  anonymous: 401,
  producer: 403,
  operator: 403,
};

let testStore: TestStore;
let app: FastifyInstance;
let tenancy: TestTenancy;
let someLogId: string;
let baseUrl: string;
let checkpointSize: number;
let operatorBearer: string;

function headersOf(caller: Caller, via: 'cookie' | 'bearer'): Record<string, string> {
  if (caller === 'anonymous') return {};
  if (caller === 'producer') return authHeaders(tenancy.producerBearer);
  if (caller === 'operator') return authHeaders(operatorBearer);
  return authHeaders(tenancy[caller], via);
}

/** Status and content type of a GET over a real socket; the body is not awaited (the stream never ends). */
function statusOverSocket(path: string, headers: Record<string, string>): Promise<{ status: number; contentType: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}${path}`, { headers }, (res) => {
      resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']) });
      res.destroy();
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  testStore = await createTestStore('sqlite');
  tenancy = await createTenancy(testStore.store);
  operatorBearer = `Bearer ${(await createOperatorToken(testStore.store.db, 'platform', Date.now())).secret}`;
  await seedVariedEvents(testStore.store, tenancy.org.id, 20, Date.now(), { days: 5 });
  await seedVariedEvents(testStore.store, tenancy.otherOrg.id, 5, Date.now(), { days: 5 });
  ({ app } = await buildTestApp(testStore.store));
  await app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const page = await app.inject({ url: `/api/v1/orgs/${tenancy.org.id}/audit-logs?limit=1`, headers: headersOf('owner', 'cookie') });
  someLogId = (page.json() as { data: Array<{ logId: string }> }).data[0]?.logId ?? '';
  expect(someLogId).not.toBe('');
  // A signed checkpoint for the proof endpoints to answer with.
  const checkpointer = new LogCheckpointer(testStore.store, await parseSignerKey(await generateSignerKey('attest.local')), 'attest.local');
  checkpointSize = (await checkpointer.checkpointOrganization(tenancy.org.id))?.treeSize ?? 0;
  await testStore.store.merkleTrees.publishKey((await parseSignerKey(await generateSignerKey('attest.local'))).verifierKey, Date.now());
  expect(checkpointSize).toBeGreaterThan(0);
});

afterAll(async () => {
  await app?.close();
  await testStore?.dispose();
});

const endpoints: Array<{ name: string; path: () => string }> = [
  { name: 'list', path: () => `/api/v1/orgs/${tenancy.org.id}/audit-logs` },
  { name: 'one event', path: () => `/api/v1/orgs/${tenancy.org.id}/audit-logs/${someLogId}` },
  { name: 'actors', path: () => `/api/v1/orgs/${tenancy.org.id}/audit-logs/actors?q=ex` },
  { name: 'histogram', path: () => `/api/v1/orgs/${tenancy.org.id}/audit-logs/histogram` },
  { name: 'export', path: () => `/api/v1/orgs/${tenancy.org.id}/audit-logs/export?scope=all` },
  { name: 'export bundle', path: () => `/api/v1/orgs/${tenancy.org.id}/audit-logs/export?scope=all&format=bundle` },
  { name: 'checkpoint', path: () => `/api/v1/orgs/${tenancy.org.id}/audit-logs/checkpoint` },
  { name: 'inclusion proof', path: () => `/api/v1/orgs/${tenancy.org.id}/audit-logs/${someLogId}/proof` },
  {
    name: 'consistency proof',
    path: () => `/api/v1/orgs/${tenancy.org.id}/audit-logs/consistency?from=${checkpointSize}&to=${checkpointSize}`,
  },
];
const callers = Object.keys(EXPECTED) as Caller[];

describe('audit-log access matrix', () => {
  for (const endpoint of endpoints) {
    for (const caller of callers) {
      it(`${endpoint.name}: ${caller} → ${EXPECTED[caller]}`, async () => {
        const vias =
          caller === 'anonymous' || caller === 'producer' || caller === 'operator'
            ? (['cookie'] as const)
            : (['cookie', 'bearer'] as const);
        for (const via of vias) {
          const response = await app.inject({ url: endpoint.path(), headers: headersOf(caller, via) });
          expect(response.statusCode, `${via}: ${response.body.slice(0, 200)}`).toBe(EXPECTED[caller]);
          if (EXPECTED[caller] !== 200) {
            expect(response.headers['content-type']).toContain('application/problem+json');
            // A refused caller learns nothing of the log.
            expect(response.body).not.toMatch(/leafHash|Log ID|"data"/);
          }
        }
      });
    }
  }

  for (const caller of callers) {
    it(`stream: ${caller} → ${EXPECTED[caller]}`, async () => {
      const result = await statusOverSocket(`/api/v1/orgs/${tenancy.org.id}/audit-logs/stream`, headersOf(caller, 'bearer'));
      expect(result.status).toBe(EXPECTED[caller]);
      expect(result.contentType).toContain(EXPECTED[caller] === 200 ? 'text/event-stream' : 'application/problem+json');
    });
  }

  it('the verifier keys are public: 200 for every caller, anonymous included', async () => {
    for (const caller of callers) {
      const response = await app.inject({ url: '/api/v1/log-keys', headers: headersOf(caller, 'cookie') });
      expect(response.statusCode, caller).toBe(200);
      expect((response.json() as { keys: Array<{ vkey: string }> }).keys[0]?.vkey).toMatch(/^attest\.local\+[0-9a-f]{8}\+/);
      // The signing key itself is never served.
      expect(response.body).not.toContain('PRIVATE');
    }
  });

  it('an event of another organization has no inclusion proof for the other owner', async () => {
    const response = await app.inject({
      url: `/api/v1/orgs/${tenancy.otherOrg.id}/audit-logs/${someLogId}/proof`,
      headers: headersOf('otherOwner', 'cookie'),
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'EVENT_NOT_FOUND' });
  });

  it('an event of another organization is 404 EVENT_NOT_FOUND for its owner, not the event', async () => {
    const response = await app.inject({
      url: `/api/v1/orgs/${tenancy.otherOrg.id}/audit-logs/${someLogId}`,
      headers: headersOf('otherOwner', 'cookie'),
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'EVENT_NOT_FOUND' });
  });

  it('an unknown organization id is the same 404 as a foreign one', async () => {
    const response = await app.inject({
      url: '/api/v1/orgs/0190a0a0-0000-7000-8000-000000000000/audit-logs',
      headers: headersOf('owner', 'cookie'),
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'ORG_NOT_FOUND' });
  });

  it("the other organization's owner sees only their own organization's events", async () => {
    const response = await app.inject({
      url: `/api/v1/orgs/${tenancy.otherOrg.id}/audit-logs?limit=200`,
      headers: headersOf('otherOwner', 'bearer'),
    });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { data: Array<{ orgId: string }> };
    expect(body.data.length).toBeGreaterThan(0);
    expect(new Set(body.data.map((e) => e.orgId))).toEqual(new Set([tenancy.otherOrg.id]));
  });

  it('the catalog is for signed-in users: 200 for any member, 401 anonymous, 403 producer key', async () => {
    for (const caller of ['owner', 'admin', 'standard'] as const) {
      const response = await app.inject({ url: '/api/v1/catalog', headers: headersOf(caller, 'cookie') });
      expect(response.statusCode).toBe(200);
      const catalog = response.json() as {
        actionTypes: string[];
        eventTypes: Array<{ type: string; action: string }>;
        productAreas: Array<{ product: string; displayName: string }>;
      };
      expect(catalog.actionTypes).toContain('Invite link');
      expect(catalog.eventTypes.find((e) => e.type === 'audit_log.exported')?.action).toBe('Export');
      expect(catalog.productAreas).toContainEqual({ product: 'UserManagement', displayName: 'User Management' });
    }
    expect((await app.inject({ url: '/api/v1/catalog' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/catalog', headers: headersOf('producer', 'cookie') })).statusCode).toBe(403);
  });

  it('the OpenAPI document describes every audit-log route with its responses', async () => {
    const doc = (await app.inject({ url: '/api/openapi.json' })).json() as {
      paths: Record<string, { get?: { responses: Record<string, unknown> } }>;
    };
    for (const path of [
      '/api/v1/orgs/{orgId}/audit-logs',
      '/api/v1/orgs/{orgId}/audit-logs/{logId}',
      '/api/v1/orgs/{orgId}/audit-logs/actors',
      '/api/v1/orgs/{orgId}/audit-logs/histogram',
      '/api/v1/orgs/{orgId}/audit-logs/export',
      '/api/v1/orgs/{orgId}/audit-logs/stream',
      '/api/v1/orgs/{orgId}/audit-logs/checkpoint',
      '/api/v1/orgs/{orgId}/audit-logs/{logId}/proof',
      '/api/v1/orgs/{orgId}/audit-logs/consistency',
      '/api/v1/catalog',
    ]) {
      expect(Object.keys(doc.paths[path]?.get?.responses ?? {}), path).toEqual(expect.arrayContaining(['200', '401', '403']));
    }
  });
});
