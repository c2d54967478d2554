import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createSession } from '../src/auth/credentials.js';
import { loadConfig } from '../src/config.js';
import { newId } from '../src/core/ids.js';
import { buildApp } from '../src/service/build-app.js';
import { servicesForStore } from '../src/service/create-services.js';
import { openStore } from '../src/store/open-store.js';
import { insertMembership, insertOrganization, insertUser } from '../src/store/queries/tenancy-queries.js';

/** One figure of this benchmark, in the shape `bench/bulk-import-hook.ts` collects. */
export interface BulkImportFigure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const ROWS = 10_000;

function csvFile(mode: 'add' | 'overwrite'): string {
  const header = mode === 'add' ? 'email,name,userType,permissionSets,customPermissions,entities' : 'email,permissionSets,entities';
  const rows = Array.from({ length: ROWS }, (_, i) =>
    mode === 'add'
      ? `bench.${i}@example.com,Bench User ${i},${i % 50 === 0 ? 'admin' : 'standard'},Cashiers,,North Zone;Downtown Store`
      : `bench.${i}@example.com,Managers,South Zone`,
  );
  return [header, ...rows].join('\n');
}

/**
 * Times a 10,000-row bulk CSV import through the real HTTP route on a SQLite file (parse, validate, write the
 * members and their grants, record the one audit event, commit): once adding the users, once overwriting their
 * access. Reports figures; asserts nothing (speed lives here, not in tests).
 *
 * @example
 * const { figures } = await runBulkImportBench({ quick: false, dataDir: './bench/.data', log: console.log });
 */
export async function runBulkImportBench(
  options: { quick?: boolean; dataDir?: string; log?: (line: string) => void } = {},
): Promise<{ figures: BulkImportFigure[]; details: Record<string, number> }> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const parent = options.dataDir ?? tmpdir();
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'bulk-import-'));
  const store = await openStore(`sqlite:${join(dir, 'attest.db')}`);
  const services = servicesForStore(store, loadConfig({}));
  const app = await buildApp(services);
  try {
    const now = store.clock.now();
    const orgId = newId(now);
    const ownerId = newId(now);
    await insertOrganization(store.db, { id: orgId, name: 'Bench Org', timeZone: 'UTC' }, now);
    await insertUser(store.db, {
      id: ownerId,
      email: 'bench.owner@example.com',
      name: 'Bench Owner',
      password_hash: null,
      created_at: now,
    });
    await insertMembership(store.db, {
      org_id: orgId,
      user_id: ownerId,
      user_type: 'owner',
      proxy_from_org_id: null,
      expires_at: null,
      created_at: now,
    });
    const cookie = `attest_session=${await createSession(store.db, ownerId, now)}`;
    const call = (method: 'GET' | 'POST', url: string, payload?: string | Record<string, unknown>, contentType?: string) =>
      app.inject({
        method,
        url: `/api/v1/orgs/${orgId}${url}`,
        headers: { cookie, ...(contentType ? { 'content-type': contentType } : {}) },
        ...(payload === undefined ? {} : { payload }),
      });
    for (const name of ['Cashiers', 'Managers']) await call('POST', '/permission-sets', { name, permissions: ['users.view'] });
    await call('GET', '/entities');

    const details: Record<string, number> = {};
    for (const mode of ['add', 'overwrite'] as const) {
      const body = csvFile(mode);
      const started = performance.now();
      const res = await call('POST', `/users/bulk?mode=${mode}`, body, 'text/csv');
      const ms = performance.now() - started;
      if (res.statusCode !== 200) throw new Error(`bulk ${mode} answered ${res.statusCode}: ${res.body.slice(0, 500)}`);
      details[`${mode}Ms`] = ms;
      details[`${mode}Bytes`] = Buffer.byteLength(body);
      log(
        `bulk import: ${mode} ${ROWS.toLocaleString('en-US')} rows in ${ms.toFixed(0)} ms (${Math.round(ROWS / (ms / 1000)).toLocaleString('en-US')} rows/s)`,
      );
    }
    const figures: BulkImportFigure[] = [
      {
        name: `bulk add ${ROWS.toLocaleString('en-US')} users from CSV (SQLite, HTTP)`,
        value: Math.round(details.addMs ?? 0),
        unit: 'ms',
        note: 'one transaction, one audit event',
      },
      {
        name: `bulk overwrite ${ROWS.toLocaleString('en-US')} users' access (SQLite, HTTP)`,
        value: Math.round(details.overwriteMs ?? 0),
        unit: 'ms',
      },
      { name: 'bulk add throughput', value: Math.round(ROWS / ((details.addMs ?? 1) / 1000)), unit: 'rows/s' },
    ];
    return { figures, details };
  } finally {
    await app.close();
    await services.committer.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node dist/bench/bulk-import-bench.js` runs it alone and prints the figures.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { figures } = await runBulkImportBench();
  for (const f of figures) process.stdout.write(`${f.name}: ${f.value.toLocaleString('en-US')} ${f.unit}\n`);
}
