import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_FEED_FALLBACK_POLL_MS } from '../src/features/audit-logs/http/audit-log-live-feed.js';
import { createTenancy, type TestTenancy } from './support/audit-fixtures.js';
import { startServer, type ServerProcess } from './support/child-processes.js';
import { incomingEvent } from './support/ingest-harness.js';
import { postEvents } from './support/raw-http.js';
import { openLocation } from './support/seed-store.js';
import { SseClient } from './support/sse-client.js';
import { freshStoreLocation, postgresAvailable, type FreshStoreLocation } from './support/test-stores.js';

/**
 * Two real server processes on one PostgreSQL schema: an event ingested through A reaches an owner following
 * the live feed on B, through B's LISTEN connection (NOTIFY after A's commit), well before B's fallback poll
 * could have found it. Only correctness here; the latency's p50/p99 are measured by `npm run bench -- --only
 * live-feed`.
 */
describe.skipIf(!(await postgresAvailable()))('live feed across two server processes on PostgreSQL', () => {
  let location: FreshStoreLocation;
  let tenancy: TestTenancy;
  let keyDir: string;
  let serverA: ServerProcess | undefined;
  let serverB: ServerProcess | undefined;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    location = freshStoreLocation('postgres');
    const store = await openLocation(location);
    try {
      tenancy = await createTenancy(store);
    } finally {
      await store.close();
    }
    // Processes on one store share the log key (README "Several processes on one PostgreSQL").
    keyDir = mkdtempSync(join(tmpdir(), 'attest-key-'));
    const env = { ...location.env, ATTEST_LOG_KEY_FILE: join(keyDir, 'log-key') };
    serverA = await startServer(env);
    serverB = await startServer(env);
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await serverA?.stop();
    await serverB?.stop();
    await location?.remove();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
  });

  it('delivers events ingested through A to a live-feed subscriber on B, in seq order, by notification', async () => {
    if (!serverA || !serverB) throw new Error('servers did not start');
    expect(serverB.stdout()).toContain('following other processes');
    const metrics = await (await fetch(`http://127.0.0.1:${serverB.port}/metrics`)).text();
    expect(metrics).toMatch(/^attest_store_hears_other_processes 1$/m);

    const client = new SseClient();
    clients.push(client);
    const status = await client.connect(`http://127.0.0.1:${serverB.port}/api/v1/orgs/${tenancy.org.id}/audit-logs/stream`, {
      authorization: tenancy.owner.bearer,
    });
    expect(status).toBe(200);
    await client.until(() => client.comments > 0, 'the connected comment');
    const connectedAt = Date.now();

    const producerKey = tenancy.producerBearer.slice('Bearer '.length);
    const acknowledged: Array<{ logId: string; seq: number }> = [];
    for (let i = 0; i < 5; i += 1) {
      const answer = await postEvents(serverA.port, producerKey, [incomingEvent(tenancy.org.id, { idempotencyKey: `cross-${i}` })]);
      expect(answer.status, answer.body).toBe(201);
      const [appended] = (JSON.parse(answer.body) as { events: Array<{ logId: string; seq: number }> }).events;
      if (!appended) throw new Error('no event acknowledged');
      acknowledged.push(appended);
      await client.until(() => client.records().some((r) => r.logId === appended.logId), `event ${i} on B`);
    }
    // B's fallback poll runs LIVE_FEED_FALLBACK_POLL_MS after the feed started: everything arrived before it could.
    expect(Date.now() - connectedAt).toBeLessThan(LIVE_FEED_FALLBACK_POLL_MS);
    // The feed also carries B's own record of the owner opening it (audit_log.*), before A's events.
    const fromA = client.records().filter((r) => r.type === 'user.standard.added');
    expect(fromA.map((r) => [r.logId, r.seq])).toEqual(acknowledged.map((a) => [a.logId, a.seq]));
    const seqs = client.records().map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });
});
