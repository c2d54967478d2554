import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from './support/child-processes.js';
import { createIngestHarness, incomingEvent, type IngestHarness } from './support/ingest-harness.js';
import { loadUntilInterrupted } from './support/ingest-load.js';
import { openLocation, readOrgLog, seedStore } from './support/seed-store.js';
import { storeMatrix } from './support/store-matrix.js';
import { freshStoreLocation, type FreshStoreLocation } from './support/test-stores.js';

// Operations: health, readiness, metrics, the OpenAPI document, and a graceful shutdown of the real process.

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`${kind}: operations`, () => {
    let h: IngestHarness | undefined;
    let location: FreshStoreLocation | undefined;
    let server: ServerProcess | undefined;
    afterEach(async () => {
      await h?.dispose();
      await server?.stop();
      await location?.remove();
      h = undefined;
      server = undefined;
      location = undefined;
    });

    it('answers /healthz 200, and /readyz 200 while the store answers and 503 problem+json once it is closed', async () => {
      h = await createIngestHarness(kind);
      const health = await h.app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toEqual({ status: 'ok' });
      const ready = await h.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready', store: kind });

      await h.testStore.store.close();
      const notReady = await h.app.inject({ method: 'GET', url: '/readyz' });
      expect(notReady.statusCode).toBe(503);
      expect(notReady.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(notReady.json()).toMatchObject({ status: 503, code: 'STORE_UNAVAILABLE' });
      // Liveness does not depend on the store.
      expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      // Other routes say the same as /readyz: 503, retry later, instead of a bare 500.
      const ingest = await h.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { authorization: `Bearer ${h.allProductsKey}` },
        payload: { events: [incomingEvent(h.orgId)] },
      });
      expect(ingest.statusCode).toBe(503);
      expect(ingest.headers['retry-after']).toBe('1');
      expect(ingest.json()).toMatchObject({ status: 503, code: 'STORE_UNAVAILABLE' });
      const me = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: h.sessionCookie } });
      expect(me.json()).toMatchObject({ status: 503, code: 'STORE_UNAVAILABLE' });
    });

    it('serves Prometheus text on /metrics with request durations by route and the ingest counters', async () => {
      h = await createIngestHarness(kind);
      const ingest = await h.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { authorization: `Bearer ${h.allProductsKey}` },
        payload: { events: [incomingEvent(h.orgId), incomingEvent(h.orgId)] },
      });
      expect(ingest.statusCode).toBe(201);
      const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.statusCode).toBe(200);
      expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = metrics.body;
      expect(text).toContain('# TYPE attest_http_request_duration_seconds histogram');
      expect(text).toMatch(/attest_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/events",status="201"\} 1/);
      expect(text).toMatch(/^attest_ingested_events_total 2$/m);
      expect(text).toMatch(/^attest_group_commits_total [1-9]/m);
      expect(text).toMatch(/^# TYPE attest_group_commits_total counter$/m);
      expect(text).toMatch(/^attest_process_cpu_user_seconds_total /m);
    });

    it('publishes an OpenAPI 3.1 document listing ingest and session routes', async () => {
      h = await createIngestHarness(kind);
      const response = await h.app.inject({ method: 'GET', url: '/api/openapi.json' });
      expect(response.statusCode).toBe(200);
      const doc = response.json<{ openapi: string; paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> }>();
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths['/api/v1/events'] ?? {})).toContain('post');
      expect(Object.keys(doc.paths['/api/v1/events']?.post?.responses ?? {})).toEqual(
        expect.arrayContaining(['201', '400', '401', '403', '413', '415']),
      );
      expect(Object.keys(doc.paths['/api/v1/session'] ?? {})).toEqual(expect.arrayContaining(['post', 'delete']));
    });

    it('shuts down gracefully on SIGTERM: in-flight requests finish, every acknowledged event is stored, exit code 0', async () => {
      location = freshStoreLocation(kind);
      const loc = location;
      const { orgId, producerKey } = await seedStore(loc);
      const running = await startServer(loc.env);
      server = running;
      const outcome = await loadUntilInterrupted({
        port: running.port,
        producerKey,
        orgId,
        senders: 10,
        eventsPerRequest: 10,
        interruptAfter: 20,
        interrupt: () => running.child.kill('SIGTERM'),
      });
      expect(await running.exited).toEqual({ code: 0, signal: null });
      expect(outcome.inFlightAtInterrupt).toBeGreaterThan(0);
      // Requests already being handled are answered; later ones are refused (connection closed) or get a 503,
      // never a 500 or a lost acknowledgement.
      expect(outcome.otherStatuses.every((s) => s === 503)).toBe(true);
      expect(running.stdout()).toMatch(/shutting down/);

      const store = await openLocation(loc);
      try {
        const log = await readOrgLog(store, orgId);
        expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i));
        const byKey = new Map(log.map((e) => [e.idempotencyKey, e]));
        for (const ack of outcome.acknowledged) {
          ack.keys.forEach((key, i) => expect(byKey.get(key)?.logId, key).toBe(ack.events[i]?.logId));
        }
        // Every request the server took in was finished before it exited: nothing half-committed.
        expect(log.length).toBe(outcome.acknowledged.length * 10);
      } finally {
        await store.close();
      }
    });
  });
}
