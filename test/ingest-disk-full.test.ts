import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducerKey } from '../src/auth/credentials.js';
import { loadConfig } from '../src/config.js';
import type { AppServices } from '../src/http/app-services.js';
import { bootstrapIfEmpty } from '../src/service/bootstrap.js';
import { buildApp } from '../src/service/build-app.js';
import { servicesForStore } from '../src/service/create-services.js';
import { AttestStore } from '../src/store/attest-store.js';
import { openSqliteStoreDialect } from '../src/store/sqlite/sqlite-store-dialect.js';
import { incomingEvent } from './support/ingest-harness.js';

// The SQLite volume fills up: on a real 3 MiB tmpfs mounted by the test, ingest answers 503 problem+json with
// Retry-After once SQLite reports SQLITE_FULL, every event acknowledged before stays readable, and once the
// volume grows again (remounted larger, as an operator would free space) ingest takes events again.

/** Mounts a tmpfs of `sizeMiB` at a new folder; undefined where mounting is not permitted (not root). */
function mountSmallVolume(sizeMiB: number): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'attest-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir], { stdio: 'pipe' });
    return dir;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    if (process.env.CI === 'true') throw new Error(`cannot mount a tmpfs for the disk-full test: ${String(error)}`, { cause: error });
    console.warn(`\n*** SKIPPED: the disk-full test needs to mount a tmpfs (run as root): ${String(error)}\n`);
    return undefined;
  }
}

const volume = mountSmallVolume(3);

describe.skipIf(!volume)('sqlite: the volume fills up', () => {
  const dir = volume as string;
  let store: AttestStore;
  let services: AppServices;
  let app: FastifyInstance;
  let orgId: string;
  let key: string;

  beforeAll(async () => {
    store = await AttestStore.open(openSqliteStoreDialect(join(dir, 'attest.db')));
    services = servicesForStore(store, loadConfig({}));
    app = await buildApp(services);
    const bootstrap = await bootstrapIfEmpty(store, {
      email: 'owner@example.com',
      password: 'a long enough password',
      orgName: 'Full',
      timeZone: 'UTC',
    });
    orgId = bootstrap?.organization.id as string;
    key = (await createProducerKey(store.db, 'filler', ['UserManagement'], Date.now())).secret;
  });
  afterAll(async () => {
    await app?.close();
    await services?.committer.close();
    await store?.close();
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (events: unknown[]) =>
    app.inject({ method: 'POST', url: '/api/v1/events', headers: { authorization: `Bearer ${key}` }, payload: { events } });
  const batch = (tag: string) =>
    Array.from({ length: 100 }, (_, i) =>
      incomingEvent(orgId, { idempotencyKey: `${tag}-${i}`, metadata: { padding: 'x'.repeat(1500), i } }),
    );

  it('answers 503 with Retry-After when SQLite reports the disk full, loses nothing acknowledged, and recovers when space returns', async () => {
    const acknowledged: string[] = [];
    let full: Awaited<ReturnType<typeof post>> | undefined;
    for (let round = 0; round < 200 && !full; round += 1) {
      const response = await post(batch(`fill-${round}`));
      if (response.statusCode === 201)
        acknowledged.push(...response.json<{ events: Array<{ logId: string }> }>().events.map((e) => e.logId));
      else full = response;
    }
    expect(full, 'the 3 MiB volume never filled up').toBeDefined();
    expect(full?.statusCode, full?.body).toBe(503);
    expect(full?.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(full?.headers['retry-after']).toMatch(/^\d+$/);
    expect(full?.json()).toMatchObject({ status: 503, code: 'STORE_FULL' });
    expect(acknowledged.length).toBeGreaterThan(0);

    // Still full: refused again, the same way, and the service itself keeps answering.
    expect((await post(batch('still-full'))).statusCode).toBe(503);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);

    // Every acknowledged event is there, readable, with a gapless seq.
    const rows = await store.db.selectFrom('audit_events').select(['log_id', 'seq']).where('org_id', '=', orgId).orderBy('seq').execute();
    const stored = new Set(rows.map((r) => r.log_id));
    expect(acknowledged.filter((logId) => !stored.has(logId))).toEqual([]);
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i));

    // Space returns: the operator grows the volume, and the next batch is taken without a restart.
    execFileSync('mount', ['-o', 'remount,size=64m', dir]);
    const again = await post(batch('after'));
    expect(again.statusCode, again.body).toBe(201);
    const after = await store.db.selectFrom('audit_events').select(['seq']).where('org_id', '=', orgId).orderBy('seq').execute();
    expect(after.map((r) => Number(r.seq))).toEqual(after.map((_, i) => i));
    expect(after.length).toBe(rows.length + 100);
  });
});
