import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/open-store.js';
import { createTenancy, type TestTenancy } from './support/audit-fixtures.js';
import { startServer, type ServerProcess } from './support/child-processes.js';
import { incomingEvent } from './support/ingest-harness.js';
import { ownPostgresAvailable, startOwnPostgres, type OwnPostgres } from './support/own-postgres.js';
import { preparedEvent } from './support/prepared-events.js';
import { SseClient } from './support/sse-client.js';

/**
 * PostgreSQL stopped in the middle of an ingest load and started again, on a cluster this test owns (never
 * the machine's shared server). While it is down, /readyz answers 503, ingest 503 with Retry-After, reads 503
 * problem+json; once it is back the server recovers without a restart, its LISTEN connection included; and
 * every acknowledged logId is stored, once: the senders resend a batch that failed with the same idempotency
 * keys, as a client should, so a commit whose answer was lost with the connection is answered, not doubled.
 */

const SENDERS = 4;
const BATCH = 10;

interface Answer {
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  body: string;
}

async function send(
  port: number,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { ...init, signal: AbortSignal.timeout(20_000) });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      contentType: response.headers.get('content-type'),
      body: await response.text(),
    };
  } catch (error) {
    return { status: 0, retryAfter: null, contentType: null, body: String(error) };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

describe.skipIf(!ownPostgresAvailable())('PostgreSQL stopped mid-load and started again', () => {
  let postgres: OwnPostgres | undefined;
  let server: ServerProcess | undefined;
  let keyDir: string | undefined;
  const clients: SseClient[] = [];

  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.stop();
    await postgres?.dispose();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
  });

  it('answers 503 while it is down, recovers by itself, and stores every acknowledged event exactly once', async () => {
    postgres = await startOwnPostgres();
    const pgServer = postgres;
    let tenancy: TestTenancy;
    const seeding = await openStore(pgServer.url);
    try {
      tenancy = await createTenancy(seeding);
    } finally {
      await seeding.close();
    }
    keyDir = mkdtempSync(join(tmpdir(), 'attest-key-'));
    server = await startServer({
      ATTEST_DATABASE_URL: pgServer.url,
      ATTEST_LOG_KEY_FILE: join(keyDir, 'log-key'),
      ATTEST_PG_CONNECT_TIMEOUT_MS: '1000',
    });
    const port = server.port;
    const orgId = tenancy.org.id;
    const owner = { authorization: tenancy.owner.bearer };

    // The load: each sender sends batches with keys of its own, and resends a failed batch, unchanged, until
    // it is acknowledged (after Retry-After, shortened so the test stays short).
    const acknowledged = new Map<string, string>(); // logId → idempotency key
    const failures: Answer[] = [];
    const unexpected: Answer[] = [];
    let sending = true;
    const sender = async (senderId: number) => {
      for (let round = 0; sending; round += 1) {
        const events = Array.from({ length: BATCH }, (_, i) => incomingEvent(orgId, { idempotencyKey: `s${senderId}-r${round}-e${i}` }));
        for (;;) {
          const answer = await send(port, '/api/v1/events', {
            method: 'POST',
            headers: { authorization: tenancy.producerBearer, 'content-type': 'application/json' },
            body: JSON.stringify({ events }),
          });
          if (answer.status === 201) {
            const appended = (JSON.parse(answer.body) as { events: Array<{ logId: string }> }).events;
            appended.forEach((event, i) => acknowledged.set(event.logId, String(events[i]?.idempotencyKey)));
            break;
          }
          if (answer.status === 503) failures.push(answer);
          else unexpected.push(answer);
          await sleep(Math.min(Number(answer.retryAfter ?? 1) * 1000, 200));
        }
      }
    };
    const load = Promise.all(Array.from({ length: SENDERS }, (_, i) => sender(i)));

    await waitFor(() => Promise.resolve(acknowledged.size >= 200), 'the load to get going', 30_000);
    const ackedBeforeStop = acknowledged.size;
    await pgServer.stop();

    // Down: readiness, ingest and reads all say so, as problem+json, and nothing hangs.
    const ready = await send(port, '/readyz');
    expect(ready.status, `${ready.body}\n${server.stderr()}\n${server.stdout().slice(-3000)}`).toBe(503);
    expect(ready.contentType).toMatch(/application\/problem\+json/);
    const read = await send(port, `/api/v1/orgs/${orgId}/audit-logs`, { headers: owner });
    expect(read.status, read.body).toBe(503);
    expect(read.contentType).toMatch(/application\/problem\+json/);
    expect(JSON.parse(read.body)).toMatchObject({ status: 503, code: 'STORE_UNAVAILABLE' });
    await waitFor(() => Promise.resolve(failures.length >= SENDERS), 'ingest to be refused while down', 30_000);
    await sleep(1000);
    for (const failure of failures) {
      expect(failure.retryAfter).toMatch(/^\d+$/);
      expect(failure.contentType).toMatch(/application\/problem\+json/);
      expect(JSON.parse(failure.body)).toMatchObject({ status: 503 });
    }
    const ackedWhileDown = acknowledged.size;

    await pgServer.start();
    await waitFor(async () => (await send(port, '/readyz')).status === 200, '/readyz to recover', 60_000);
    await waitFor(() => Promise.resolve(acknowledged.size >= ackedWhileDown + 200), 'ingest to recover', 60_000);
    // The listener reconnected too: it logs each time it starts following, once at start and once now.
    await waitFor(
      () => Promise.resolve((server?.stdout().match(/following other processes/g) ?? []).length >= 2),
      'the LISTEN connection to come back',
      30_000,
    );
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(/^attest_store_hears_other_processes 1$/m);
    sending = false;
    await load;
    expect(unexpected).toEqual([]);
    expect(ackedWhileDown - ackedBeforeStop).toBeLessThanOrEqual(SENDERS * BATCH);

    // And commits of another process reach a live feed on the server through it.
    const client = new SseClient();
    clients.push(client);
    expect(await client.connect(`http://127.0.0.1:${port}/api/v1/orgs/${orgId}/audit-logs/stream`, owner)).toBe(200);
    await client.until(() => client.comments > 0, 'the connected comment');
    const store = await openStore(pgServer.url);
    const [direct] = await store.appendEvents([preparedEvent(orgId)]);
    await client.until(() => client.records().some((r) => r.logId === direct?.logId), 'an event appended by another process');

    // Every acknowledged logId is stored, with the key it was sent with, once; nothing unacknowledged was added.
    const rows = await store.db
      .selectFrom('audit_events')
      .select(['log_id', 'idempotency_key', 'seq'])
      .where('org_id', '=', orgId)
      .orderBy('seq')
      .execute();
    await store.close();
    const ingested = rows.filter((row) => row.idempotency_key !== null);
    expect(new Map(ingested.map((row) => [row.log_id, row.idempotency_key]))).toEqual(acknowledged);
    expect(new Set(ingested.map((row) => row.idempotency_key)).size).toBe(ingested.length);
    expect(rows.map((row) => Number(row.seq))).toEqual(rows.map((_, i) => i));
    expect(server.child.exitCode).toBeNull();
  }, 240_000);
});
