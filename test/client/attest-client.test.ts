import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AttestClient, AttestProblemError, QueueFullError, type AttestEvent, type SentEvent } from '../../packages/client/src/index.js';
import { startSdkServer, type SdkServer } from './support/sdk-server.js';

let server: SdkServer;
beforeEach(async () => {
  server = await startSdkServer();
});
afterEach(async () => {
  await server.close();
});

function rewardEvent(orgId: string, n: number): AttestEvent {
  return { type: 'loyalty.reward.created', orgId, actor: { id: `user_${n % 7}` }, entity: { id: `reward_${n}`, name: `Reward ${n}` } };
}

async function storedRows(): Promise<Array<{ log_id: string; trace_id: string; idempotency_key: string | null }>> {
  return server.harness.testStore.store.db
    .selectFrom('audit_events')
    .select(['log_id', 'trace_id', 'idempotency_key'])
    .where('type', '=', 'loyalty.reward.created')
    .execute();
}

function client(options: Partial<ConstructorParameters<typeof AttestClient>[0]> = {}): AttestClient {
  return new AttestClient({ baseUrl: server.baseUrl, producerKey: server.harness.allProductsKey, ...options });
}

describe('@attest/client against a real Attest server', () => {
  it('batches by size, then by time window: 250 events with maxBatchSize 100 are 3 requests, all stored once', async () => {
    const sdk = client({ maxBatchSize: 100, flushIntervalMs: 50 });
    const sent = await Promise.all(Array.from({ length: 250 }, (_, n) => sdk.send(rewardEvent(server.harness.orgId, n))));
    await sdk.close();
    expect(server.posts.map((p) => p.events)).toEqual([100, 100, 50]);
    expect(new Set(sent.map((s) => s.logId)).size).toBe(250);
    const rows = await storedRows();
    expect(rows).toHaveLength(250);
    expect(new Set(rows.map((r) => r.log_id))).toEqual(new Set(sent.map((s) => s.logId)));
  });

  it('a partial batch waits for the time window, and flush() sends it at once', async () => {
    const sdk = client({ flushIntervalMs: 60_000 });
    const pending = sdk.send(rewardEvent(server.harness.orgId, 1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.posts).toHaveLength(0);
    await sdk.flush();
    await expect(pending).resolves.toMatchObject({ duplicate: false });
    expect(server.posts).toHaveLength(1);
    await sdk.close();
  });

  it('survives a server answering 503 for a while, including an answer lost after the commit: nothing lost, nothing duplicated', async () => {
    // Requests 0-2: 503 (Retry-After 0); request 3 reaches the server but its answer is lost; then all forwarded.
    server.policy = (n) => (n < 3 ? { status: 503, retryAfter: '0' } : n === 3 ? 'forward-then-lose' : 'forward');
    const sdk = client({ maxBatchSize: 50, flushIntervalMs: 20, maxConcurrentRequests: 1, retry: { baseDelayMs: 5 } });
    const sent = await Promise.all(Array.from({ length: 120 }, (_, n) => sdk.send(rewardEvent(server.harness.orgId, n))));
    await sdk.close();
    expect(server.posts.slice(0, 5).map((p) => p.action)).toEqual([
      { status: 503, retryAfter: '0' },
      { status: 503, retryAfter: '0' },
      { status: 503, retryAfter: '0' },
      'forward-then-lose',
      'forward',
    ]);
    const rows = await storedRows();
    expect(rows).toHaveLength(120);
    expect(new Set(rows.map((r) => r.log_id)).size).toBe(120);
    expect(new Set(rows.map((r) => r.idempotency_key)).size).toBe(120);
    expect(new Set(sent.map((s) => s.logId))).toEqual(new Set(rows.map((r) => r.log_id)));
    // The batch whose first commit answer was lost came back as the original events, by idempotency key.
    expect(sent.filter((s) => s.duplicate)).toHaveLength(50);
  });

  it.each(['forward-then-drop', 'forward-then-hang'] as const)(
    'a request committed whose connection then %s is retried over node:http: every event stored once, with its original logId',
    async (lost) => {
      server.policy = (n) => (n === 1 ? lost : 'forward');
      const sdk = client({
        maxBatchSize: 40,
        flushIntervalMs: 10,
        maxConcurrentRequests: 1,
        requestTimeoutMs: 1000,
        retry: { baseDelayMs: 5 },
      });
      const sent = await Promise.all(Array.from({ length: 80 }, (_, n) => sdk.send(rewardEvent(server.harness.orgId, n))));
      await sdk.close();
      expect(server.posts.map((p) => p.action)).toEqual(['forward', lost, 'forward']);
      const rows = await storedRows();
      expect(rows).toHaveLength(80);
      expect(new Set(sent.map((s) => s.logId))).toEqual(new Set(rows.map((r) => r.log_id)));
      expect(sent.filter((s) => s.duplicate)).toHaveLength(40);
    },
  );

  it('sendAll() queues many events under one promise: a result per event in order, and all or none of them queued', async () => {
    const sdk = client({ maxBatchSize: 100, flushIntervalMs: 20, maxQueuedEvents: 200 });
    const events = Array.from({ length: 150 }, (_, n) => rewardEvent(server.harness.orgId, n));
    const all = sdk.sendAll(events);
    // 150 held, so 51 more do not fit: refused whole, none of them queued.
    await expect(sdk.sendAll(events.slice(0, 51))).rejects.toBeInstanceOf(QueueFullError);
    expect(sdk.pendingEvents).toBe(150);
    const results = await all;
    await sdk.close();
    expect(server.posts.map((p) => p.events)).toEqual([100, 50]);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const sent = results.map((r) => (r as PromiseFulfilledResult<SentEvent>).value);
    const rows = await storedRows();
    expect(rows).toHaveLength(150);
    const byLogId = new Map(rows.map((r) => [r.log_id, r]));
    // In order: the n-th result is the n-th event (its entity), and the keys follow the order sent.
    const stored = await server.harness.testStore.store.db
      .selectFrom('audit_events')
      .select(['log_id', 'record', 'idempotency_key'])
      .where('type', '=', 'loyalty.reward.created')
      .execute();
    const entityOf = new Map(stored.map((r) => [r.log_id, (JSON.parse(r.record) as { entity: { id: string } }).entity.id]));
    expect(sent.map((s) => entityOf.get(s.logId))).toEqual(events.map((e) => e.entity.id));
    const keys = sent.map((s) => byLogId.get(s.logId)?.idempotency_key ?? '');
    expect(new Set(keys).size).toBe(150);
    expect([...keys].sort()).toEqual(keys);
    expect(new Set(keys.map((k) => k.split('.')[0])).size).toBe(1);
    await expect(sdk.sendAll(events)).rejects.toThrow(/closed/);
  });

  it('flush() waits only for the events sent before it', async () => {
    const sdk = client({ flushIntervalMs: 60_000 });
    const first = sdk.send(rewardEvent(server.harness.orgId, 1));
    const flushed = sdk.flush();
    let laterSettled = false;
    const later = sdk.send(rewardEvent(server.harness.orgId, 2)).finally(() => {
      laterSettled = true;
    });
    await flushed;
    await expect(first).resolves.toMatchObject({ duplicate: false });
    expect(laterSettled).toBe(false);
    await sdk.close();
    await expect(later).resolves.toMatchObject({ duplicate: false });
    expect(await storedRows()).toHaveLength(2);
  });

  it('honours Retry-After: 1 on a 429 (waits about a second before the retry)', async () => {
    server.policy = (n) => (n === 0 ? { status: 429, retryAfter: '1' } : 'forward');
    const sdk = client({ flushIntervalMs: 0, retry: { baseDelayMs: 1 } });
    await sdk.send(rewardEvent(server.harness.orgId, 1));
    await sdk.close();
    expect(server.posts).toHaveLength(2);
    const [first, second] = server.posts;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('a 400 rejects every event of the batch with the problem+json, and stores none of them', async () => {
    const sdk = client({ flushIntervalMs: 20 });
    const good = sdk.send(rewardEvent(server.harness.orgId, 1));
    const bad = sdk.send({ ...rewardEvent(server.harness.orgId, 2), type: 'loyalty.no_such_type' } as unknown as AttestEvent);
    const [goodResult, badResult] = await Promise.allSettled([good, bad]);
    await sdk.close();
    for (const result of [goodResult, badResult]) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as AttestProblemError;
      expect(error).toBeInstanceOf(AttestProblemError);
      expect(error.status).toBe(400);
      expect(JSON.stringify(error.problem.errors)).toContain('events[1].type');
    }
    expect(server.posts).toHaveLength(1);
    expect(await storedRows()).toHaveLength(0);
  });

  it('a full queue rejects send() with QueueFullError (never a silent drop) and keeps the events it holds', async () => {
    const sdk = client({ maxQueuedEvents: 5, flushIntervalMs: 60_000 });
    const held = Array.from({ length: 5 }, (_, n) => sdk.send(rewardEvent(server.harness.orgId, n)));
    await expect(sdk.send(rewardEvent(server.harness.orgId, 5))).rejects.toBeInstanceOf(QueueFullError);
    expect(sdk.pendingEvents).toBe(5);
    await sdk.close();
    expect(await Promise.all(held)).toHaveLength(5);
    expect(await storedRows()).toHaveLength(5);
    // A closed client refuses new events loudly too.
    await expect(sdk.send(rewardEvent(server.harness.orgId, 6))).rejects.toThrow(/closed/);
  });

  it("groups events by traceparent, one request each, so Attest records each event's trace id", async () => {
    const traceA = '0af7651916cd43dd8448eb211c80319c';
    const traceB = '4bf92f3577b34da6a3ce929d0e0e4736';
    let current = `00-${traceB}-00f067aa0ba902b7-01`;
    const sdk = client({ flushIntervalMs: 30, traceparent: () => current });
    const sends = [
      sdk.send(rewardEvent(server.harness.orgId, 1), { traceparent: `00-${traceA}-b7ad6b7169203331-01` }),
      sdk.send(rewardEvent(server.harness.orgId, 2)),
      sdk.send(rewardEvent(server.harness.orgId, 3), { traceparent: `00-${traceA}-b7ad6b7169203331-01` }),
    ];
    current = 'not a traceparent';
    const sent = await Promise.all(sends);
    await sdk.close();
    expect(server.posts.map((p) => p.events)).toEqual([2, 1]);
    expect(sent.map((s) => s.traceId)).toEqual([traceA, traceB, traceA]);
    const rows = await storedRows();
    const traceOf = new Map(rows.map((r) => [r.log_id, r.trace_id]));
    expect(sent.map((s) => traceOf.get(s.logId))).toEqual([traceA, traceB, traceA]);
  });

  it('a custom fetch carries the requests (here: one that counts and forwards)', async () => {
    let calls = 0;
    const sdk = client({
      flushIntervalMs: 10,
      fetch: (input, init) => {
        calls += 1;
        return fetch(input, init);
      },
    });
    await sdk.send(rewardEvent(server.harness.orgId, 1));
    await sdk.close();
    expect(calls).toBe(1);
  });
});
