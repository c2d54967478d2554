import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { storedRecordJson } from '../../src/store/event-rows.js';
import { authHeaders } from '../support/audit-fixtures.js';
import { createTestStore, type TestStore } from '../support/test-stores.js';
import { range, seqsOf, streamHarness, type StreamHarness } from './stream-harness.js';
import { WebhookReceiver } from './webhook-receiver.js';

/**
 * Webhook delivery against a real HTTP receiver on 127.0.0.1 that checks every signature: every event of the
 * organization, at least once, in seq order, in batches of at most 100; through a receiver answering 500,
 * timing out, or down for a while; pausing, filters, other organizations, Retry-After and the metrics.
 */

let ts: TestStore;
let h: StreamHarness;
let receiver: WebhookReceiver;

beforeAll(async () => {
  ts = await createTestStore('sqlite');
  h = await streamHarness(ts);
});
afterAll(async () => {
  await h?.close();
  await ts?.dispose();
});
afterEach(async () => {
  await receiver?.stop();
});

async function newReceiverStream(body: Record<string, unknown> = {}) {
  receiver = new WebhookReceiver();
  await receiver.start();
  const stream = await h.createStream({ kind: 'webhook', url: `${receiver.url}/hook`, ...body });
  receiver.secret = stream.secret;
  return stream;
}

const waitForCursor = (id: string, seq: number) =>
  expect.poll(async () => (await h.readStream(id)).lastDeliveredSeq, { timeout: 20_000 }).toBe(seq);

describe('webhook delivery', () => {
  it('delivers every event in seq order, at most 100 per request, each the stored record with leafHash, signed', async () => {
    const stream = await newReceiverStream();
    const last = await h.append(250);
    await waitForCursor(stream.id, last);
    expect(seqsOf(receiver.accepted)).toEqual(range(stream.lastDeliveredSeq + 1, last));
    expect(Math.max(...receiver.accepted.map((b) => b.records.length))).toBeLessThanOrEqual(100);
    expect(receiver.accepted[0]?.records[0]?.type).toBe('audit_log.stream.created');
    expect(receiver.signatureFailures).toEqual([]);
    // The exact stored bytes, as the audit-log API returns them, so a receiver can recompute each leaf hash.
    const stored = await ts.store.db
      .selectFrom('audit_events')
      .select(['record', 'leaf_hash'])
      .where('org_id', '=', h.t.org.id)
      .where('seq', '>', stream.lastDeliveredSeq)
      .orderBy('seq')
      .execute();
    expect(receiver.accepted.map((b) => b.body).join('')).toBe(
      receiver.accepted.map((b) => `{"events":[${stored.splice(0, b.records.length).map(storedRecordJson).join(',')}]}`).join(''),
    );
    expect(new Set(receiver.accepted.map((b) => b.headers['attest-delivery-id'])).size).toBe(receiver.accepted.length);
    const after = await h.readStream(stream.id);
    expect(after).toMatchObject({ state: 'ok', lagEvents: 0, lastError: null });
    await h.patchStream(stream.id, { enabled: false });
  });

  it('a receiver answering 500, then timing out, then down for a while: nothing lost, order kept', async () => {
    const stream = await newReceiverStream();
    let failures = 0;
    receiver.behave = (_req, res) => {
      failures += 1;
      if (failures <= 3) return Boolean(res.writeHead(500).end('boom'));
      if (failures <= 5) return true; // never answers: the request times out
      return false;
    };
    await h.append(150);
    await expect.poll(() => failures, { timeout: 20_000 }).toBeGreaterThan(5);
    const port = receiver.port;
    await receiver.stop();
    const last = await h.append(120);
    await expect.poll(async () => (await h.readStream(stream.id)).lastError, { timeout: 10_000 }).toMatch(/ECONNREFUSED/);
    expect((await h.readStream(stream.id)).state).toBe('retrying');
    await receiver.start(port);
    await waitForCursor(stream.id, last);
    // A batch is repeated only when it was not accepted, so the accepted ones follow each other exactly.
    expect(seqsOf(receiver.accepted)).toEqual(range(stream.lastDeliveredSeq + 1, last));
    expect(receiver.refused.length).toBe(5);
    expect(receiver.signatureFailures).toEqual([]);
    expect(await h.readStream(stream.id)).toMatchObject({ state: 'ok', lastError: null });
    await h.patchStream(stream.id, { enabled: false });
  });

  it('waits as long as Retry-After asks', async () => {
    const stream = await newReceiverStream();
    const times: number[] = [];
    receiver.behave = (_req, res) => {
      times.push(Date.now());
      return times.length === 1 ? Boolean(res.writeHead(429, { 'retry-after': '2' }).end()) : false;
    };
    const last = await h.append(3);
    await waitForCursor(stream.id, last);
    // Without Retry-After the next attempt would come after 50–100 ms (ATTEST_STREAMS_RETRY_BASE_MS=100).
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(1900);
    await h.patchStream(stream.id, { enabled: false });
  });

  it('a paused destination receives nothing and catches up on resume', async () => {
    const stream = await newReceiverStream();
    const paused = await h.patchStream(stream.id, { enabled: false });
    expect(paused.state).toBe('paused');
    const pausedAt = await ts.store.events.lastSeq(h.t.org.id);
    await h.append(40);
    await sleep(1500);
    expect(seqsOf(receiver.accepted).filter((s) => s > pausedAt)).toEqual([]);
    await h.patchStream(stream.id, { enabled: true });
    const last = await ts.store.events.lastSeq(h.t.org.id);
    await waitForCursor(stream.id, last);
    expect(seqsOf(receiver.accepted)).toEqual(range(stream.lastDeliveredSeq + 1, last));
    await h.patchStream(stream.id, { enabled: false });
  });

  it("filters deliver only what matches, and a destination never receives another organization's events", async () => {
    const security = await newReceiverStream({ filter: { security: true }, url: 'http://127.0.0.1:1/placeholder', enabled: false });
    const types = await h.createStream({
      kind: 'webhook',
      url: `${receiver.url}/types`,
      filter: { types: ['user.standard.added', 'permission_set.created'], actions: ['Create'] },
      enabled: false,
    });
    // Both receive on the one receiver (one secret), each on its own path.
    await h.patchStream(security.id, { url: `${receiver.url}/security`, secret: 'shared-secret-for-both-paths' });
    await h.patchStream(types.id, { secret: 'shared-secret-for-both-paths' });
    receiver.secret = 'shared-secret-for-both-paths';
    const from = await ts.store.events.lastSeq(h.t.org.id);
    await h.patchStream(security.id, { enabled: true });
    await h.patchStream(types.id, { enabled: true });
    await h.append(60, h.t.otherOrg.id);
    const last = await h.append(150);
    await h.append(60, h.t.otherOrg.id);
    await waitForCursor(security.id, last);
    await waitForCursor(types.id, last);
    const sent = await ts.store.events.findAfterSeq(h.t.org.id, security.lastDeliveredSeq, 1000);
    const received = (path: string) => receiver.accepted.filter((b) => b.path === path).flatMap((b) => b.records.map((r) => r.seq));
    // The security stream was created before `from`: it also got the events of its own changes.
    expect(received('/security').filter((s) => s > from)).toEqual(sent.filter((e) => e.seq > from && e.securityAction).map((e) => e.seq));
    expect(received('/types')).toEqual(
      sent.filter((e) => e.seq > from && ['user.standard.added', 'permission_set.created'].includes(e.type)).map((e) => e.seq),
    );
    expect(received('/types').length).toBeGreaterThan(0);
    expect(receiver.records.every((r) => r.orgId === h.t.org.id)).toBe(true);
    expect(receiver.signatureFailures).toEqual([]);

    const metrics = (await h.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(
      new RegExp(`attest_stream_delivered_events_total\\{stream_id="${types.id}",org_id="${h.t.org.id}"\\} ${received('/types').length}`),
    );
    expect(metrics).toMatch(new RegExp(`attest_stream_lag_events\\{stream_id="${types.id}",org_id="${h.t.org.id}"\\} 0`));
    expect(metrics).toMatch(/attest_stream_failed_deliveries_total\{stream_id="[^"]+",org_id="[^"]+"\} [1-9]/);
    await h.patchStream(security.id, { enabled: false });
    await h.patchStream(types.id, { enabled: false });
  });

  it("the list and /metrics show each destination's lag in events and in time; a caught-up destination has none", async () => {
    const caughtUp = await newReceiverStream();
    const paused = await h.createStream({ kind: 'webhook', url: `${receiver.url}/paused`, enabled: false });
    const last = await h.append(7);
    await waitForCursor(caughtUp.id, last);
    await sleep(300);
    const before = Date.now();
    const list = (await h.app.inject({ url: `/api/v1/orgs/${h.t.org.id}/streams`, headers: authHeaders(h.t.owner, 'cookie') })).json<{
      data: Array<{ id: string; lagEvents: number; lagSeconds: number | null }>;
    }>();
    const after = Date.now();
    expect(list.data.find((s) => s.id === caughtUp.id)).toMatchObject({ lagEvents: 0, lagSeconds: null });
    const behind = list.data.find((s) => s.id === paused.id);
    // Its own creation event, then the seven.
    expect(behind?.lagEvents).toBe(8);
    // The age of the first event after the cursor, from its commit (recordedAt), not from when it occurred.
    const first = await ts.store.db
      .selectFrom('audit_events')
      .select('recorded_at')
      .where('org_id', '=', h.t.org.id)
      .where('seq', '=', paused.lastDeliveredSeq + 1)
      .executeTakeFirstOrThrow();
    expect(behind?.lagSeconds).toBeGreaterThanOrEqual((before - Number(first.recorded_at)) / 1000);
    expect(behind?.lagSeconds).toBeLessThanOrEqual((after - Number(first.recorded_at)) / 1000);
    expect(behind?.lagSeconds).toBeGreaterThanOrEqual(0.3);

    const metrics = (await h.app.inject({ url: '/metrics' })).body;
    const gauge = (name: string, id: string) =>
      Number(new RegExp(`^${name}\\{stream_id="${id}",org_id="${h.t.org.id}"\\} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(gauge('attest_stream_lag_seconds', caughtUp.id)).toBe(0);
    expect(gauge('attest_stream_lag_seconds', paused.id)).toBeGreaterThanOrEqual(behind?.lagSeconds ?? Infinity);
    expect(gauge('attest_stream_lag_events', paused.id)).toBe(8);
    await h.patchStream(caughtUp.id, { enabled: false });
  });
});
