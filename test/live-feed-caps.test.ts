import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { authHeaders, buildTestApp, createTenancy, type TestTenancy, type TestUser } from './support/audit-fixtures.js';
import { storeMatrix } from './support/store-matrix.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

/** A live-feed request held open over a real socket; its answer's status, headers and (for a refusal) body. */
interface OpenedFeed {
  status: number;
  headers: IncomingMessage['headers'];
  body: Promise<string>;
  close(): void;
}

function openFeed(port: number, orgId: string, caller: TestUser, via: 'cookie' | 'bearer' = 'cookie'): Promise<OpenedFeed> {
  return new Promise((resolve, reject) => {
    const req: ClientRequest = httpRequest(
      `http://127.0.0.1:${port}/api/v1/orgs/${orgId}/audit-logs/stream`,
      { headers: { accept: 'text/event-stream', ...authHeaders(caller, via) }, agent: false },
      (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk: string) => (text += chunk));
        const body = new Promise<string>((done) => res.on('end', () => done(text)));
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, close: () => req.destroy() });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

// Live feeds are long-lived connections, each with its own poll timer and store queries; the caps keep one
// account, or a crowd of them, from holding the server's connections. Counted per process, so one store kind
// shows it; both run, as for every HTTP behaviour.
for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`live-feed caps (${kind})`, () => {
    let ts: TestStore;
    let t: TestTenancy;
    let app: FastifyInstance;
    let port: number;
    const opened: OpenedFeed[] = [];
    beforeAll(async () => {
      ts = await createTestStore(kind);
      t = await createTenancy(ts.store);
      ({ app } = await buildTestApp(ts.store, { ATTEST_STREAMS_PER_PRINCIPAL: '2', ATTEST_STREAMS_TOTAL: '3' }));
      await app.listen({ port: 0, host: '127.0.0.1' });
      port = (app.server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      for (const feed of opened) feed.close();
      await app?.close();
      await ts?.dispose();
    });
    const open = async (orgId: string, caller: TestUser, via: 'cookie' | 'bearer' = 'cookie') => {
      const feed = await openFeed(port, orgId, caller, via);
      opened.push(feed);
      return feed;
    };

    it('an account past its cap gets 429 problem+json with Retry-After, whichever credential it uses; the server past its total too; a closed feed frees its slot', async () => {
      expect((await open(t.org.id, t.owner)).status).toBe(200);
      const second = await open(t.org.id, t.owner, 'bearer');
      expect(second.status).toBe(200);

      const refused = await open(t.org.id, t.owner);
      expect(refused.status).toBe(429);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(await refused.body)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect((await open(t.org.id, t.owner, 'bearer')).status).toBe(429);

      // Another account may open one more: the third and last of the server's total.
      expect((await open(t.otherOrg.id, t.otherOwner)).status).toBe(200);
      const overTotal = await open(t.otherOrg.id, t.otherOwner);
      expect(overTotal.status).toBe(429);
      expect(await overTotal.body).toContain('ATTEST_STREAMS_TOTAL');

      // Closing a feed gives its slot back, once the server has seen the connection go.
      second.close();
      await expect
        .poll(
          async () => {
            const retry = await open(t.org.id, t.owner);
            if (retry.status !== 200) retry.close();
            return retry.status;
          },
          { timeout: 10_000, interval: 100 },
        )
        .toBe(200);
    });
  });
}

describe('live-feed cap settings', () => {
  it('default to 20 per account and 500 in all, and refuse what is not a positive integer', () => {
    expect(loadConfig({})).toMatchObject({ streamsPerPrincipal: 20, streamsTotal: 500 });
    expect(() => loadConfig({ ATTEST_STREAMS_PER_PRINCIPAL: '0' })).toThrow(/ATTEST_STREAMS_PER_PRINCIPAL/);
    expect(() => loadConfig({ ATTEST_STREAMS_TOTAL: 'many' })).toThrow(/ATTEST_STREAMS_TOTAL/);
  });
});
