import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { AppServices } from '../src/http/app-services.js';
import { buildApp } from '../src/service/build-app.js';
import { servicesForStore } from '../src/service/create-services.js';
import type { AttestStore } from '../src/store/attest-store.js';
import { openStore } from '../src/store/open-store.js';
import { DEFAULT_POSTGRES_CONNECTION_SETTINGS } from '../src/store/postgres/postgres-connection-settings.js';
import { isStoreTimeoutError, isStoreUnavailableError } from '../src/store/store-unavailable.js';
import { incomingEvent } from './support/ingest-harness.js';
import { seedStore } from './support/seed-store.js';
import { freshStoreLocation, postgresAvailable, TEST_POSTGRES_URL, type FreshStoreLocation } from './support/test-stores.js';

/**
 * How a process uses its PostgreSQL connections (ATTEST_PG_POOL_SIZE, ATTEST_PG_STATEMENT_TIMEOUT_MS,
 * ATTEST_PG_CONNECT_TIMEOUT_MS): a statement past the timeout is cancelled by the server with a clear error
 * and gives its connection back, so even a pool of one serves the next request; a request that finds every
 * connection busy waits at most the connect timeout.
 */

describe('ATTEST_PG_* configuration', () => {
  it('has sane defaults and reads each variable', () => {
    expect(loadConfig({}).postgres).toEqual(DEFAULT_POSTGRES_CONNECTION_SETTINGS);
    expect(DEFAULT_POSTGRES_CONNECTION_SETTINGS).toEqual({
      poolSize: 10,
      statementTimeoutMs: 30_000,
      connectTimeoutMs: 5_000,
      idleTimeoutMs: 300_000,
    });
    expect(
      loadConfig({
        ATTEST_PG_POOL_SIZE: '3',
        ATTEST_PG_STATEMENT_TIMEOUT_MS: '0',
        ATTEST_PG_CONNECT_TIMEOUT_MS: '250',
        ATTEST_PG_IDLE_TIMEOUT_MS: '0',
      }).postgres,
    ).toEqual({ poolSize: 3, statementTimeoutMs: 0, connectTimeoutMs: 250, idleTimeoutMs: 0 });
  });

  it('refuses a malformed value, naming the variable', () => {
    expect(() => loadConfig({ ATTEST_PG_POOL_SIZE: '0' })).toThrow(/ATTEST_PG_POOL_SIZE/);
    expect(() => loadConfig({ ATTEST_PG_STATEMENT_TIMEOUT_MS: '1.5' })).toThrow(/ATTEST_PG_STATEMENT_TIMEOUT_MS/);
    expect(() => loadConfig({ ATTEST_PG_CONNECT_TIMEOUT_MS: 'soon' })).toThrow(/ATTEST_PG_CONNECT_TIMEOUT_MS/);
    expect(() => loadConfig({ ATTEST_PG_IDLE_TIMEOUT_MS: '-1' })).toThrow(/ATTEST_PG_IDLE_TIMEOUT_MS/);
  });
});

describe.skipIf(!(await postgresAvailable()))('PostgreSQL connection limits', () => {
  let location: FreshStoreLocation | undefined;
  const cleanups: Array<() => Promise<void>> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await location?.remove();
    location = undefined;
  });

  const openLimited = async (
    env: Record<string, string>,
  ): Promise<{ store: AttestStore; seeded: { orgId: string; producerKey: string } }> => {
    location = freshStoreLocation('postgres');
    const seeded = await seedStore(location);
    const config = loadConfig({ ...location.env, ...env });
    const store = await openStore(config.databaseUrl, undefined, { postgresSchema: config.postgresSchema, postgres: config.postgres });
    cleanups.push(() => store.close());
    return { store, seeded };
  };

  it('cancels a statement past ATTEST_PG_STATEMENT_TIMEOUT_MS with a clear error; the pool of one serves the next', async () => {
    const { store } = await openLimited({ ATTEST_PG_POOL_SIZE: '1', ATTEST_PG_STATEMENT_TIMEOUT_MS: '300' });
    const started = Date.now();
    const slow = await sql`select pg_sleep(5)`.execute(store.db).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(Date.now() - started).toBeLessThan(4000);
    expect(slow).toMatchObject({ code: '57014', message: expect.stringMatching(/statement timeout/) as unknown });
    expect(isStoreTimeoutError(slow)).toBe(true);
    expect((await sql<{ one: number }>`select 1 as one`.execute(store.db)).rows).toEqual([{ one: 1 }]);
  });

  it("keeps an unused connection open for ATTEST_PG_IDLE_TIMEOUT_MS, not pg's 10 s, and closes it after", async () => {
    const backend = async (store: AttestStore) =>
      (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store.db)).rows[0]?.pid;
    const pause = () => new Promise((resolve) => setTimeout(resolve, 600));
    // The default keeps it: the same backend answers after the pause.
    const kept = (await openLimited({ ATTEST_PG_POOL_SIZE: '1' })).store;
    const first = await backend(kept);
    await pause();
    expect(await backend(kept)).toBe(first);
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await location?.remove();
    // A short timeout closes it: a new backend answers.
    const closing = (await openLimited({ ATTEST_PG_POOL_SIZE: '1', ATTEST_PG_IDLE_TIMEOUT_MS: '100' })).store;
    const before = await backend(closing);
    await pause();
    expect(await backend(closing)).not.toBe(before);
  });

  it('ends a transaction left idle past the statement timeout, so it cannot hold the pool of one either', async () => {
    const { store } = await openLimited({ ATTEST_PG_POOL_SIZE: '1', ATTEST_PG_STATEMENT_TIMEOUT_MS: '300' });
    const abandoned = await store.db
      .transaction()
      .execute(async (tx) => {
        await sql`select 1`.execute(tx);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await sql`select 1`.execute(tx);
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(isStoreUnavailableError(abandoned), String(abandoned)).toBe(true);
    expect((await sql<{ one: number }>`select 1 as one`.execute(store.db)).rows).toEqual([{ one: 1 }]);
  });

  it('answers 503 STORE_TIMEOUT with Retry-After to a request whose statement ran past the timeout, and serves the next', async () => {
    const { store, seeded } = await openLimited({ ATTEST_PG_POOL_SIZE: '1', ATTEST_PG_STATEMENT_TIMEOUT_MS: '500' });
    const services: AppServices = servicesForStore(store, loadConfig({}));
    const app: FastifyInstance = await buildApp(services);
    cleanups.push(async () => {
      await app.close();
      await services.committer.close();
    });
    const ingest = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { authorization: `Bearer ${seeded.producerKey}`, 'content-type': 'application/json' },
        payload: { events: [incomingEvent(seeded.orgId, { idempotencyKey: 'slow-1' })] },
      });

    // Another session holds the event table locked, so the insert waits: a statement that would run for ever.
    const locker = new pg.Client({ connectionString: TEST_POSTGRES_URL, options: `-c search_path=${location?.schema ?? ''}` });
    await locker.connect();
    cleanups.push(() => locker.end());
    await locker.query('begin');
    await locker.query('lock table audit_events in access exclusive mode');

    const blocked = await ingest();
    expect(blocked.statusCode, blocked.body).toBe(503);
    expect(blocked.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(blocked.headers['retry-after']).toBe('1');
    expect(blocked.json()).toMatchObject({
      status: 503,
      code: 'STORE_TIMEOUT',
      detail: expect.stringMatching(/ATTEST_PG_STATEMENT_TIMEOUT_MS/) as unknown,
    });
    // The pool's only connection came back: a request that needs no locked table is served while the lock holds.
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);

    await locker.query('rollback');
    const retried = await ingest();
    expect(retried.statusCode, retried.body).toBe(201);
    const stored = await store.db.selectFrom('audit_events').select('idempotency_key').where('org_id', '=', seeded.orgId).execute();
    expect(stored).toEqual([{ idempotency_key: 'slow-1' }]);
  });

  it('gives up waiting for a busy pool after ATTEST_PG_CONNECT_TIMEOUT_MS, as unavailable (503), not for ever', async () => {
    const { store } = await openLimited({ ATTEST_PG_POOL_SIZE: '1', ATTEST_PG_CONNECT_TIMEOUT_MS: '300' });
    let release: () => void = () => undefined;
    const holding = store.db.transaction().execute(async (tx) => {
      await sql`select 1`.execute(tx);
      await new Promise<void>((resolve) => (release = resolve));
    });
    cleanups.push(async () => {
      release();
      await holding;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    const waited = await sql`select 1`.execute(store.db).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(isStoreUnavailableError(waited)).toBe(true);
    release();
    await holding;
    expect((await sql<{ one: number }>`select 1 as one`.execute(store.db)).rows).toEqual([{ one: 1 }]);
  });
});
