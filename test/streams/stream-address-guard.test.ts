import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import { syslogSender } from '../../src/features/streams/senders/syslog-sender.js';
import { webhookSender } from '../../src/features/streams/senders/webhook-sender.js';
import { streamTestEvent } from '../../src/features/streams/stream-test-delivery.js';
import { insertStreamDestination, newStreamDestinationRow } from '../../src/store/stream-destination-queries.js';
import { authHeaders, buildTestApp, createTenancy, variedEvent, type TestTenancy } from '../support/audit-fixtures.js';
import { createTestStore, type TestStore } from '../support/test-stores.js';
import { WebhookReceiver } from './webhook-receiver.js';

/**
 * The SSRF guard: without ATTEST_STREAMS_ALLOW_PRIVATE a destination may not point at loopback, private or
 * link-local addresses (the cloud metadata service at 169.254.169.254), refused when it is saved and again
 * when Attest connects, so a name that resolves to such an address later (DNS rebinding) gets nothing either.
 */

let ts: TestStore;
let app: FastifyInstance;
let t: TestTenancy;
const receiver = new WebhookReceiver();
let tcpServer: Server;
let tcpConnections = 0;

beforeAll(async () => {
  await receiver.start();
  tcpServer = createServer((socket) => {
    tcpConnections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => tcpServer.listen(0, '127.0.0.1', resolve));
  ts = await createTestStore('sqlite');
  t = await createTenancy(ts.store);
  ({ app } = await buildTestApp(ts.store, { ATTEST_STREAMS_TIMEOUT_MS: '2000' }));
});
afterAll(async () => {
  await app?.close();
  await ts?.dispose();
  await receiver.stop();
  await new Promise((resolve) => tcpServer.close(resolve));
});

const limits = { timeoutMs: 2000, allowPrivate: false, caBundle: undefined };
const tcpPort = () => (tcpServer.address() as AddressInfo).port;

describe('at creation', () => {
  const refused: Array<[string, string, string]> = [
    ['webhook', 'https://127.0.0.1/hook', '127.0.0.1'],
    ['webhook', 'https://10.20.30.40/hook', '10.20.30.40'],
    ['webhook', 'https://169.254.169.254/latest/meta-data', '169.254.169.254'],
    ['webhook', 'https://[::1]:8443/hook', '::1'],
    ['webhook', 'https://localhost:8443/hook', '127.0.0.1'],
    ['splunk-hec', 'https://192.168.1.10:8088', '192.168.1.10'],
    ['syslog', 'tcp://10.0.0.7:514', '10.0.0.7'],
    ['syslog', 'tls://localhost:6514', '127.0.0.1'],
  ];
  for (const [kind, url, address] of refused) {
    it(`${kind} ${url} is refused with 400 naming ${address}, and nothing is written`, async () => {
      const before = await ts.store.events.lastSeq(t.org.id);
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1/orgs/${t.org.id}/streams`,
        headers: authHeaders(t.owner, 'cookie'),
        payload: { kind, url, ...(kind === 'splunk-hec' ? { token: 'hec-token' } : {}) },
      });
      expect(res.statusCode, res.body).toBe(400);
      const error = res.json<{ errors: Array<{ field: string; reason: string }> }>().errors[0];
      expect(error?.field).toBe('url');
      expect(error?.reason).toContain(address === '127.0.0.1' && url.includes('localhost') ? 'localhost resolves to' : address);
      expect(error?.reason).toContain('ATTEST_STREAMS_ALLOW_PRIVATE');
      expect(await ts.store.events.lastSeq(t.org.id)).toBe(before);
      expect(await ts.store.db.selectFrom('stream_destinations').select('id').execute()).toEqual([]);
    });
  }

  it('plain http:// is refused without ATTEST_STREAMS_ALLOW_PRIVATE', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${t.org.id}/streams`,
      headers: authHeaders(t.owner, 'cookie'),
      payload: { kind: 'webhook', url: 'http://93.184.215.14/hook' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ errors: Array<{ reason: string }> }>().errors[0]?.reason).toContain('https://');
  });
});

describe('at connection time', () => {
  const event = () => streamTestEvent(t.org.id, 'guard-test', Date.now());
  const target = (url: string) => {
    const parsed = new URL(url);
    return {
      streamId: newId(),
      url,
      endpoint: { host: parsed.hostname, port: Number(parsed.port), tls: false },
      credential: 'a-secret-of-sixteen-or-more',
    };
  };

  it('a webhook to a name resolving to loopback (localhost) is refused before any byte is sent', async () => {
    const sender = webhookSender(target(`http://localhost:${receiver.port}/hook`), limits, Date.now);
    await expect(sender.send({ deliveryId: 'd1', events: [event()] })).rejects.toThrow(/localhost resolves to (127\.0\.0\.1|::1)/);
    expect(receiver.requests).toBe(0);
  });

  it('a webhook to a loopback literal is refused', async () => {
    const sender = webhookSender(target(`http://127.0.0.1:${receiver.port}/hook`), limits, Date.now);
    await expect(sender.send({ deliveryId: 'd2', events: [event()] })).rejects.toThrow(/127\.0\.0\.1/);
    expect(receiver.requests).toBe(0);
  });

  it('syslog to localhost and to 127.0.0.1 is refused without connecting', async () => {
    for (const host of ['localhost', '127.0.0.1']) {
      const sender = syslogSender(target(`tcp://${host}:${tcpPort()}`), limits);
      await expect(sender.send({ deliveryId: 'd3', events: [event()] })).rejects.toThrow(/loopback/);
    }
    expect(tcpConnections).toBe(0);
  });

  it('a stored destination whose name now resolves to loopback (DNS rebinding) gets nothing; the owner sees why', async () => {
    const id = newId();
    const now = Date.now();
    await insertStreamDestination(
      ts.store.db,
      newStreamDestinationRow({
        id,
        org_id: t.org.id,
        kind: 'syslog',
        url: `tcp://localhost:${tcpPort()}`,
        filter: '{}',
        enabled: 1,
        credential: null,
        ca_bundle: null,
        last_delivered_seq: await ts.store.events.lastSeq(t.org.id),
        created_at: now,
      }),
    );
    await ts.store.appendEvents([variedEvent(t.org.id, now, 1)]);
    await expect
      .poll(async () =>
        (await app.inject({ url: `/api/v1/orgs/${t.org.id}/streams/${id}`, headers: authHeaders(t.owner, 'cookie') })).json<{
          lastError: string | null;
          state: string;
        }>(),
      )
      .toMatchObject({ state: 'retrying', lastError: expect.stringMatching(/localhost resolves to (127\.0\.0\.1|::1)/) });
    expect(tcpConnections).toBe(0);
  });
});
