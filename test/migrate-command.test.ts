import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { LogCheckpointer } from '../src/features/integrity/log-checkpointer.js';
import { fromHex } from '../src/integrity/bytes.js';
import { verifyInclusion } from '../src/integrity/inclusion-proof.js';
import { MerkleHasher } from '../src/integrity/merkle-hasher.js';
import { generateSignerKey, parseSignerKey, parseVerifierKey } from '../src/integrity/note-keys.js';
import { openCheckpoint } from '../src/integrity/signed-checkpoint.js';
import { COPIED_TABLES } from '../src/store/store-copy/store-copy-plan.js';
import { insertMembership, insertOrganization } from '../src/store/queries/tenancy-queries.js';
import { tileSize } from '../src/integrity/merkle-tiles.js';
import { createTenancy, seedVariedEvents, type TestTenancy } from './support/audit-fixtures.js';
import { REPO_ROOT, requireBuild, runCli, startServer, type ServerProcess } from './support/child-processes.js';
import {
  postgresAvailable,
  createTestStore,
  freshStoreLocation,
  TEST_POSTGRES_URL,
  type FreshStoreLocation,
} from './support/test-stores.js';

const LOG_NAME = 'attest.test';
/** Events per organization of the source store: three organizations of different sizes. */
const SIZES = [700, 260, 40];
const TOTAL_EVENTS = SIZES.reduce((a, b) => a + b, 0);

const available = await postgresAvailable();

describe.skipIf(!available)('attest migrate --from sqlite:PATH --to postgres://…', () => {
  let work: string;
  let sourceFile: string;
  let keyFile: string;
  let tenancy: TestTenancy;
  let thirdOrgId: string;
  /** Events seeded before this time; servers started later record their own `audit_log.viewed` events after it. */
  let seededBefore: string;
  const targets: FreshStoreLocation[] = [];
  const servers: ServerProcess[] = [];
  let client: pg.Client;

  const sourceUrl = (): string => `sqlite:${sourceFile}`;
  const fileHash = (): string => createHash('sha256').update(readFileSync(sourceFile)).digest('hex');
  const newTarget = (): FreshStoreLocation => {
    const target = freshStoreLocation('postgres');
    targets.push(target);
    return target;
  };
  const migrate = (target: FreshStoreLocation, extra: string[] = []) =>
    runCli(['migrate', '--from', sourceUrl(), '--to', TEST_POSTGRES_URL, ...extra], { ATTEST_POSTGRES_SCHEMA: target.schema ?? '' });
  const count = async (target: FreshStoreLocation, table: string): Promise<number> =>
    Number((await client.query<{ n: string }>(`select count(*) as n from ${target.schema}.${table}`)).rows[0]?.n);

  beforeAll(async () => {
    requireBuild();
    work = mkdtempSync(join(tmpdir(), 'attest-migrate-'));
    const source = await createTestStore('sqlite');
    sourceFile = join(work, 'source.db');
    const store = source.store;
    tenancy = await createTenancy(store);
    thirdOrgId = newId();
    await insertOrganization(store.db, { id: thirdOrgId, name: 'Third Ltd', timeZone: 'Europe/Berlin' }, Date.now());
    await insertMembership(store.db, {
      org_id: thirdOrgId,
      user_id: tenancy.owner.id,
      user_type: 'owner',
      proxy_from_org_id: null,
      expires_at: null,
      created_at: Date.now(),
    });
    // A destination with delivery state of its own, disabled so that no server sends anything.
    await store.db
      .insertInto('stream_destinations')
      .values({
        id: newId(),
        org_id: tenancy.org.id,
        kind: 'webhook',
        url: 'https://siem.example.com/hook',
        filter: '{}',
        enabled: 0,
        credential: null,
        ca_bundle: null,
        last_delivered_seq: 41,
        last_delivered_at: Date.now() - 60_000,
        failed_attempts: 3,
        failing_since: Date.now() - 30_000,
        last_error: 'HTTP 503',
        next_attempt_at: Date.now() + 60_000,
        lease_owner: null,
        lease_expires_at: null,
        created_at: Date.now(),
        updated_at: Date.now(),
      })
      .execute();
    const keyText = await generateSignerKey(LOG_NAME);
    keyFile = join(work, 'log-key');
    writeFileSync(keyFile, `${keyText}\n`, { mode: 0o600 });
    const signer = await parseSignerKey(keyText);
    await store.merkleTrees.publishKey(signer.verifierKey, Date.now());
    const checkpointer = new LogCheckpointer(store, signer, LOG_NAME);
    const orgs = [tenancy.org.id, tenancy.otherOrg.id, thirdOrgId];
    // Each organization's log in two commits with a signed checkpoint after each: trees, tiles and checkpoints to copy.
    for (const [i, orgId] of orgs.entries()) {
      const size = SIZES[i] ?? 0;
      await seedVariedEvents(store, orgId, size / 2, Date.now(), { days: 20, seed: i + 1 });
      await checkpointer.checkpointOrganization(orgId);
      await seedVariedEvents(store, orgId, size / 2, Date.now(), { days: 20, seed: i + 11 });
      await checkpointer.checkpointOrganization(orgId);
    }
    seededBefore = new Date(Date.now() + 1000).toISOString();
    await store.close();
    // The closed store is one self-contained file: copy it where the test keeps its files.
    writeFileSync(sourceFile, readFileSync(source.databaseUrl.slice('sqlite:'.length)));
    await source.dispose();
    client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    await new Promise((resolve) => setTimeout(resolve, 1100));
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await client?.end();
    await Promise.all(targets.map((target) => target.remove()));
    if (work) rmSync(work, { recursive: true, force: true });
  });

  let copied: FreshStoreLocation;

  it('copies every table, verifies the copy and exits 0, leaving the source file untouched', async () => {
    const before = fileHash();
    copied = newTarget();
    const result = await migrate(copied);
    expect(result.stdout, result.stderr).toContain(`the logs of 3 organizations (${TOTAL_EVENTS} events)`);
    expect(result.code).toBe(0);
    expect(await count(copied, 'audit_events')).toBe(TOTAL_EVENTS);
    // The source's 20 days of events went into week partitions made for them, none left in the default one.
    expect(await count(copied, 'audit_events_default')).toBe(0);
    // Tiles over 256 nodes: 700 leaves fill 3 level-0 tiles and 1 of level 8 (2 nodes); 260 leaves 2 and 1; 40 leaves 1.
    expect(await count(copied, 'merkle_tiles')).toBe(8);
    const tileBytes = await client.query<{ n: string }>(`select sum(length(hashes)) as n from ${copied.schema}.merkle_tiles`);
    const hashes = [256, 256, 188, 2, 256, 4, 1, 40].reduce((sum, width) => sum + tileSize(width), 0);
    expect(Number(tileBytes.rows[0]?.n)).toBe(hashes * 32);
    expect(await count(copied, 'log_checkpoints')).toBe(6);
    const destination = (
      await client.query(`select last_delivered_seq, failed_attempts, last_error from ${copied.schema}.stream_destinations`)
    ).rows;
    expect(destination).toEqual([{ last_delivered_seq: 41, failed_attempts: 3, last_error: 'HTTP 503' }]);
    // PostgreSQL keeps no organization numbers (migration 0004).
    const numbered = await client.query<{ n: string }>(`select count(*) as n from ${copied.schema}.org_log_heads where org_no is not null`);
    expect(Number(numbered.rows[0]?.n)).toBe(0);
    expect(fileHash()).toBe(before);
  });

  it('goes on after being killed mid-copy and ends with the same rows as an uninterrupted copy', async () => {
    const target = newTarget();
    requireBuild();
    const child = spawn(
      process.execPath,
      ['bin/attest.js', 'migrate', '--from', sourceUrl(), '--to', TEST_POSTGRES_URL, '--batch-size', '1'],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ATTEST_POSTGRES_SCHEMA: target.schema ?? '' },
        stdio: 'ignore',
      },
    );
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Kill it once some events, not all, are in: the copy runs one row per statement.
    await expect.poll(() => count(target, 'audit_events').catch(() => 0), { timeout: 60_000, interval: 20 }).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await exited;
    const partial = await count(target, 'audit_events');
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(TOTAL_EVENTS);

    const resumed = await migrate(target);
    expect(resumed.stdout, resumed.stderr).toContain('verified:');
    expect(resumed.code).toBe(0);
    for (const table of COPIED_TABLES) {
      const only = async (a: string | undefined, b: string | undefined) =>
        Number(
          (
            await client.query<{ n: string }>(
              `select count(*) as n from (select * from ${a}.${table} except all select * from ${b}.${table}) d`,
            )
          ).rows[0]?.n,
        );
      expect([table, await only(target.schema, copied.schema), await only(copied.schema, target.schema)]).toEqual([table, 0, 0]);
    }
  });

  it('exits 1 and names the event when the target differs from the source', async () => {
    const target = newTarget();
    expect((await migrate(target)).code).toBe(0);
    await client.query(
      `update ${target.schema}.audit_events set record = replace(record, '"description":"', '"description":"(edited) ') where org_id = $1 and seq = 7`,
      [tenancy.otherOrg.id],
    );
    const tampered = await migrate(target);
    expect(tampered.stdout).toContain('NOT VERIFIED: 1 difference');
    expect(tampered.stdout).toContain(`audit_events of organization ${tenancy.otherOrg.id}, seq 7: record differs`);
    expect(tampered.code).toBe(1);

    // A row the source never had is a difference too, although the copy writes nothing over it.
    await client.query(
      `update ${target.schema}.audit_events set record = (select record from ${copied.schema}.audit_events a where a.org_id = $1 and a.seq = 7) where org_id = $1 and seq = 7`,
      [tenancy.otherOrg.id],
    );
    await client.query(`insert into ${target.schema}.organizations (id, name, time_zone, created_at) values ($1, 'Stray', 'UTC', 0)`, [
      newId(),
    ]);
    const extra = await migrate(target);
    expect(extra.stdout).toContain('organizations: the source holds 3 rows, the target 4');
    expect(extra.code).toBe(1);
  });

  it.each([
    ['no options at all', [], "required option '--from <url>' not specified"],
    ['a target that is not PostgreSQL', ['--from', 'sqlite:/nowhere.db', '--to', 'sqlite:/x.db'], '--to must be a postgres://… URL'],
    ['a source that is not SQLite', ['--from', 'postgres://x/y', '--to', TEST_POSTGRES_URL], '--from must be sqlite:PATH'],
    [
      'a source file that does not exist',
      ['--from', 'sqlite:/nowhere/attest.db', '--to', TEST_POSTGRES_URL],
      'no SQLite store at /nowhere/attest.db',
    ],
    [
      'a batch size of 0',
      ['--from', 'sqlite:/x.db', '--to', TEST_POSTGRES_URL, '--batch-size', '0'],
      '--batch-size must be an integer from 1 to 3000',
    ],
    ['an unknown option', ['--from', 'sqlite:/x.db', '--to', TEST_POSTGRES_URL, '--fast'], "unknown option '--fast'"],
  ])('exits 2 for %s, saying what is wrong', async (_what, args, message) => {
    const result = await runCli(['migrate', ...args]);
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(2);
  });

  it('serves the same pages, totals, leaf hashes and cursors from a server on the target, with checkpoints and proofs that verify', async () => {
    for (const orgId of [tenancy.org.id, tenancy.otherOrg.id, thirdOrgId]) {
      const verified = await runCli(['verify', '--org', orgId], {
        ATTEST_DATABASE_URL: TEST_POSTGRES_URL,
        ATTEST_POSTGRES_SCHEMA: copied.schema ?? '',
        ATTEST_LOG_NAME: LOG_NAME,
      });
      expect(verified.stdout, verified.stderr).toContain('verified:');
      expect(verified.code).toBe(0);
    }
    const common = { ATTEST_LOG_KEY_FILE: keyFile, ATTEST_LOG_NAME: LOG_NAME, ATTEST_BOOTSTRAP_PASSWORD: 'not-used-here-1234' };
    const [onSource, onTarget] = await Promise.all([
      startServer({ ...common, ATTEST_DATABASE_URL: sourceUrl() }),
      startServer({ ...common, ATTEST_DATABASE_URL: TEST_POSTGRES_URL, ATTEST_POSTGRES_SCHEMA: copied.schema ?? '' }),
    ]);
    servers.push(onSource, onTarget);
    const get = async (server: ServerProcess, path: string, bearer: string): Promise<{ status: number; body: string }> => {
      const response = await fetch(`http://127.0.0.1:${server.port}${path}`, { headers: bearer ? { authorization: bearer } : {} });
      return { status: response.status, body: await response.text() };
    };
    const owners: Array<[string, string, number]> = [
      [tenancy.org.id, tenancy.owner.bearer, SIZES[0] ?? 0],
      [tenancy.otherOrg.id, tenancy.otherOwner.bearer, SIZES[1] ?? 0],
      [thirdOrgId, tenancy.owner.bearer, SIZES[2] ?? 0],
    ];
    for (const [orgId, bearer, size] of owners) {
      let cursor = '';
      let events = 0;
      do {
        const path = `/api/v1/orgs/${orgId}/audit-logs?limit=200&to=${encodeURIComponent(seededBefore)}${cursor ? `&cursor=${cursor}` : ''}`;
        const [fromSource, fromTarget] = [await get(onSource, path, bearer), await get(onTarget, path, bearer)];
        expect(fromTarget.status, fromTarget.body).toBe(200);
        // Byte for byte: the same records, leaf hashes, total and cursor (the cursor key was copied too).
        expect(fromTarget.body).toBe(fromSource.body);
        const page = JSON.parse(fromTarget.body) as { data: unknown[]; total: number; nextCursor: string | null };
        expect(page.total).toBe(size);
        events += page.data.length;
        cursor = page.nextCursor ? encodeURIComponent(page.nextCursor) : '';
      } while (cursor);
      expect(events).toBe(size);
    }

    const hasher = new MerkleHasher();
    const keys = JSON.parse((await get(onTarget, '/api/v1/log-keys', '')).body) as { keys: Array<{ vkey: string }> };
    const verifiers = await Promise.all(keys.keys.map((key) => parseVerifierKey(key.vkey)));
    const org = tenancy.org.id;
    const page = JSON.parse(
      (await get(onTarget, `/api/v1/orgs/${org}/audit-logs?limit=50&to=${encodeURIComponent(seededBefore)}`, tenancy.owner.bearer)).body,
    ) as {
      data: Array<{ logId: string; seq: number; leafHash: string }>;
    };
    for (const event of page.data.slice(0, 10)) {
      const proof = JSON.parse((await get(onTarget, `/api/v1/orgs/${org}/audit-logs/${event.logId}/proof`, tenancy.owner.bearer)).body) as {
        seq: number;
        treeSize: number;
        hashes: string[];
        checkpoint: string;
      };
      const { checkpoint } = await openCheckpoint(proof.checkpoint, verifiers, `${LOG_NAME}/${org}`);
      await verifyInclusion(hasher, {
        index: proof.seq,
        size: proof.treeSize,
        leafHash: fromHex(event.leafHash)!,
        proof: proof.hashes.map((hash) => fromHex(hash)!),
        root: checkpoint.rootHash,
      });
      expect(proof.seq).toBe(event.seq);
    }
  });
});
