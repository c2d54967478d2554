import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { newTraceId } from '../../src/core/trace-context.js';
import { createStream } from '../../src/features/streams/stream-commands.js';
import { startServer, type ServerProcess } from '../support/child-processes.js';
import { incomingEvent } from '../support/ingest-harness.js';
import { postEvents } from '../support/raw-http.js';
import { openLocation, seedStore } from '../support/seed-store.js';
import { storeMatrix } from '../support/store-matrix.js';
import { freshStoreLocation, type FreshStoreLocation } from '../support/test-stores.js';
import { range } from './stream-harness.js';
import { WebhookReceiver } from './webhook-receiver.js';

/**
 * The delivery cursor lives in the store: a service killed with SIGKILL in the middle of a delivery and
 * started again goes on after the last batch the receiver accepted. Duplicates are possible (the batch that
 * was on the wire), loss never, and every event still arrives after the ones before it.
 */

const STREAM_ENV = {
  ATTEST_STREAMS_ALLOW_PRIVATE: 'true',
  ATTEST_STREAMS_RETRY_BASE_MS: '100',
  ATTEST_STREAMS_RETRY_MAX_MS: '500',
  ATTEST_STREAMS_TIMEOUT_MS: '1000',
};

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`${kind}: streams survive kill -9`, () => {
    let location: FreshStoreLocation | undefined;
    let servers: ServerProcess[] = [];
    const receiver = new WebhookReceiver();
    afterEach(async () => {
      for (const server of servers) await server.stop();
      servers = [];
      await receiver.stop();
      await location?.remove();
      location = undefined;
    });

    it('a service killed mid-delivery and restarted delivers everything, in order, nothing lost', async () => {
      location = freshStoreLocation(kind);
      const { orgId, producerKey } = await seedStore(location);
      await receiver.start();
      receiver.secret = 'crash-test-secret-0123456789';
      // Slow answers, so the kill lands while a batch is on the wire.
      receiver.acceptDelayMs = 300;
      const store = await openLocation(location);
      const config = loadConfig(STREAM_ENV).streams;
      const actor = { id: 'operator', name: null, email: null, type: 'system' as const };
      await createStream(
        { store, config, actor, orgId, nowMs: Date.now(), retentionDays: 90, traceId: newTraceId() },
        { kind: 'webhook', url: `${receiver.url}/hook`, secret: receiver.secret },
      );
      await store.close();

      const env = { ...location.env, ...STREAM_ENV };
      const server = await startServer(env);
      servers.push(server);
      for (let i = 0; i < 20; i += 1) {
        const res = await postEvents(
          server.port,
          producerKey,
          Array.from({ length: 50 }, () => incomingEvent(orgId)),
        );
        expect(res.status).toBe(201);
      }
      // Kill once some batches were accepted and another is in flight.
      await expect.poll(() => receiver.accepted.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
      await expect.poll(() => receiver.requests > receiver.accepted.length, { timeout: 5000, interval: 5 }).toBe(true);
      server.child.kill('SIGKILL');
      expect((await server.exited).signal).toBe('SIGKILL');
      const beforeRestart = receiver.accepted.length;
      // 1001 events (the stream's creation and 1000 ingested) make 11 batches: the kill came before the last.
      expect(beforeRestart).toBeLessThan(11);

      const restarted = await startServer(env);
      servers.push(restarted);
      const res = await postEvents(
        restarted.port,
        producerKey,
        Array.from({ length: 20 }, () => incomingEvent(orgId)),
      );
      expect(res.status).toBe(201);
      const last = (JSON.parse(res.body) as { events: Array<{ seq: number }> }).events.at(-1)?.seq ?? -1;
      // The restarted service waits for the dead one's lease to expire (3 × the request limit), then resumes.
      await expect.poll(() => Math.max(-1, ...receiver.records.map((r) => r.seq)), { timeout: 60_000 }).toBe(last);

      const seqs = receiver.records.map((r) => r.seq);
      const firstSeen = seqs.filter((s, i) => seqs.indexOf(s) === i);
      expect(firstSeen).toEqual(range(0, last));
      // A repeat is the batch cut off by the kill, sent again from its first event: each batch is in order.
      for (const batch of receiver.accepted) {
        const batchSeqs = batch.records.map((r) => r.seq);
        expect(batchSeqs).toEqual(range(batchSeqs[0] ?? 0, (batchSeqs[0] ?? 0) + batchSeqs.length - 1));
      }
      expect(receiver.signatureFailures).toEqual([]);
      // Two server starts, a kill and a lease expiry: minutes, not seconds, on a loaded machine.
    }, 180_000);
  });
}
