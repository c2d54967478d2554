import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/service/build-app.js';
import { servicesForStore } from '../src/service/create-services.js';
import { bootstrapIfEmpty } from '../src/service/bootstrap.js';
import { insertMembership, insertOrganization, insertUser } from '../src/store/queries/tenancy-queries.js';
import { newId } from '../src/core/ids.js';
import { runCli } from './support/child-processes.js';
import { incomingEvent } from './support/ingest-harness.js';
import { preparedEvent } from './support/prepared-events.js';
import { storeMatrix } from './support/store-matrix.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

// The CLI contract of PRODUCT.md §7 that scripts rely on: `attest producer-key create` and `attest token
// create` print exactly one line, the secret, on stdout; they honour ATTEST_DATABASE_URL (and
// ATTEST_POSTGRES_SCHEMA); the secrets work against the HTTP API.

const OWNER_EMAIL = 'cli-owner@example.com';

describe('attest --help', () => {
  it('lists the commands', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['producer-key', 'token', 'purge']) expect(result.stdout).toContain(command);
  });
});

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`${kind}: attest credentials`, () => {
    let testStore: TestStore;
    let env: Record<string, string>;
    let orgId: string;

    beforeAll(async () => {
      testStore = await createTestStore(kind);
      // The store the CLI must reach only through ATTEST_DATABASE_URL (+ ATTEST_POSTGRES_SCHEMA).
      env = { ATTEST_DATABASE_URL: testStore.databaseUrl, ...testStore.env };
      const bootstrap = await bootstrapIfEmpty(testStore.store, {
        email: OWNER_EMAIL,
        password: 'pw-for-cli-test',
        orgName: 'CLI Org',
        timeZone: 'UTC',
      });
      orgId = bootstrap?.organization.id as string;
      const adminId = newId();
      await insertUser(testStore.store.db, {
        id: adminId,
        email: 'admin@example.com',
        name: 'Admin',
        password_hash: null,
        created_at: Date.now(),
      });
      await insertMembership(testStore.store.db, {
        org_id: orgId,
        user_id: adminId,
        user_type: 'admin',
        proxy_from_org_id: null,
        expires_at: null,
        created_at: Date.now(),
      });
    });
    afterAll(async () => {
      await testStore?.dispose();
    });

    async function appOverTestStore() {
      const services = servicesForStore(testStore.store, loadConfig({}));
      return { app: await buildApp(services), services };
    }

    it('producer-key create prints one secret line that appends events over HTTP for its product only', async () => {
      const result = await runCli(['producer-key', 'create', '--product', 'UserManagement'], env);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^atp_[A-Za-z0-9_-]{43}\n$/);
      const key = result.stdout.trim();

      const { app, services } = await appOverTestStore();
      try {
        const post = (type: string) =>
          app.inject({
            method: 'POST',
            url: '/api/v1/events',
            headers: { authorization: `Bearer ${key}` },
            payload: { events: [incomingEvent(orgId, { type })] },
          });
        expect((await post('user.standard.added')).statusCode).toBe(201);
        expect((await post('audit_log.viewed')).statusCode).toBe(400);
      } finally {
        await app.close();
        await services.committer.close();
      }
    });

    it('producer-key create --org binds the key to those organizations (repeated or comma-separated) and prints one secret', async () => {
      const secondOrg = newId();
      const thirdOrg = newId();
      await insertOrganization(testStore.store.db, { id: secondOrg, name: 'Second', timeZone: 'UTC' }, Date.now());
      await insertOrganization(testStore.store.db, { id: thirdOrg, name: 'Third', timeZone: 'UTC' }, Date.now());
      const result = await runCli(
        ['producer-key', 'create', '--product', 'UserManagement', '--org', `${orgId},${secondOrg}`, '--name', 'tenant-service'],
        env,
      );
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^atp_[A-Za-z0-9_-]{43}\n$/);
      const key = result.stdout.trim();
      const repeated = await runCli(
        ['producer-key', 'create', '--product', 'UserManagement', '--org', orgId, '--org', thirdOrg, '--name', 'repeated-orgs'],
        env,
      );
      expect(repeated.code).toBe(0);

      const listed = (await runCli(['producer-key', 'list'], env)).stdout.split('\n').map((line) => line.split('\t'));
      expect(
        listed
          .find((f) => f[1] === 'tenant-service')?.[4]
          ?.split(',')
          .sort(),
      ).toEqual([orgId, secondOrg].sort());
      expect(
        listed
          .find((f) => f[1] === 'repeated-orgs')?.[4]
          ?.split(',')
          .sort(),
      ).toEqual([orgId, thirdOrg].sort());

      const { app, services } = await appOverTestStore();
      try {
        const post = (target: string) =>
          app.inject({
            method: 'POST',
            url: '/api/v1/events',
            headers: { authorization: `Bearer ${key}` },
            payload: { events: [incomingEvent(target)] },
          });
        expect((await post(secondOrg)).statusCode).toBe(201);
        expect((await post(thirdOrg)).statusCode).toBe(403);
      } finally {
        await app.close();
        await services.committer.close();
      }
    });

    it('token create prints one secret line that reads as the owner over HTTP', async () => {
      const result = await runCli(['token', 'create', '--email', 'CLI-Owner@Example.com'], env);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^att_[A-Za-z0-9_-]{43}\n$/);
      const token = result.stdout.trim();

      const { app, services } = await appOverTestStore();
      try {
        const me = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
        expect(me.statusCode).toBe(200);
        expect(me.json()).toMatchObject({ user: { email: OWNER_EMAIL }, organizations: [{ orgId, userType: 'owner' }] });
        // An owner token may not append events.
        const ingest = await app.inject({
          method: 'POST',
          url: '/api/v1/events',
          headers: { authorization: `Bearer ${token}` },
          payload: { events: [incomingEvent(orgId)] },
        });
        expect(ingest.statusCode).toBe(403);
      } finally {
        await app.close();
        await services.committer.close();
      }
    });

    it('prints nothing on stdout and exits 1 with a reason on stderr when it cannot create the secret', async () => {
      const failures = [
        { args: ['producer-key', 'create', '--product', 'Loyalty'], reason: /unknown product Loyalty/ },
        {
          args: ['producer-key', 'create', '--product', 'UserManagement', '--org', '0190d9a0-0000-7000-8000-00000000dead'],
          reason: /no organization with id 0190d9a0-0000-7000-8000-00000000dead/,
        },
        { args: ['token', 'create', '--email', 'nobody@example.com'], reason: /no user with email/ },
        { args: ['token', 'create', '--email', 'admin@example.com'], reason: /not an owner/ },
      ];
      const countCredentials = async () => ({
        keys: (await testStore.store.db.selectFrom('producer_keys').select('id').execute()).length,
        tokens: (await testStore.store.db.selectFrom('api_tokens').select('id').execute()).length,
      });
      const before = await countCredentials();
      for (const failure of failures) {
        const result = await runCli(failure.args, env);
        expect(result.code, failure.args.join(' ')).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(failure.reason);
      }
      expect(await countCredentials()).toEqual(before);
    });

    it('lists producer keys and owner tokens without secrets, and a revoked one is refused at once by the running app', async () => {
      const key = (
        await runCli(['producer-key', 'create', '--product', 'UserManagement', 'AuditLogs', '--name', 'billing\tservice'], env)
      ).stdout.trim();
      const token = (await runCli(['token', 'create', '--email', OWNER_EMAIL, '--name', 'reporting'], env)).stdout.trim();

      const keyList = await runCli(['producer-key', 'list'], env);
      expect(keyList.code).toBe(0);
      expect(keyList.stdout).not.toContain(key);
      const keyLine = keyList.stdout.split('\n').find((line) => line.includes('billing service'));
      const [keyId, keyName, keyProducts, keyCreated, keyOrgs] = (keyLine ?? '').split('\t');
      expect({ keyName, keyProducts, keyOrgs }).toEqual({
        keyName: 'billing service',
        keyProducts: 'UserManagement,AuditLogs',
        keyOrgs: '*',
      });
      expect(Date.parse(keyCreated as string)).toBeGreaterThan(Date.now() - 60_000);

      const tokenList = await runCli(['token', 'list', '--email', 'CLI-OWNER@example.com'], env);
      expect(tokenList.code).toBe(0);
      expect(tokenList.stdout).not.toContain(token);
      const tokenLine = tokenList.stdout.split('\n').find((line) => line.split('\t')[1] === 'reporting');
      const [tokenId, , tokenOwner] = (tokenLine ?? '').split('\t');
      expect(tokenOwner).toBe(OWNER_EMAIL);
      expect((await runCli(['token', 'list', '--email', 'admin@example.com'], env)).stdout).toBe('');

      const { app, services } = await appOverTestStore();
      try {
        const post = () =>
          app.inject({
            method: 'POST',
            url: '/api/v1/events',
            headers: { authorization: `Bearer ${key}` },
            payload: { events: [incomingEvent(orgId)] },
          });
        const me = () => app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
        expect((await post()).statusCode).toBe(201);
        expect((await me()).statusCode).toBe(200);

        // Revoked from another process while the app runs.
        const revokedKey = await runCli(['producer-key', 'revoke', keyId as string], env);
        expect(revokedKey).toMatchObject({ code: 0, stdout: '' });
        expect(revokedKey.stderr).toContain(`revoked producer key ${keyId as string}`);
        const revokedToken = await runCli(['token', 'revoke', tokenId as string], env);
        expect(revokedToken).toMatchObject({ code: 0, stdout: '' });

        const refusedPost = await post();
        expect(refusedPost.statusCode).toBe(401);
        expect(refusedPost.headers['content-type']).toContain('application/problem+json');
        expect((await me()).statusCode).toBe(401);
        // The other credentials are untouched.
        expect((await runCli(['producer-key', 'list'], env)).stdout).not.toContain(keyId as string);
        expect((await runCli(['token', 'list'], env)).stdout.trim().split('\n')).toHaveLength(1);
      } finally {
        await app.close();
        await services.committer.close();
      }

      for (const [args, reason] of [
        [['producer-key', 'revoke', keyId as string], /no producer key with id/],
        [['token', 'revoke', 'no-such-token'], /no API token with id no-such-token/],
      ] as const) {
        const again = await runCli([...args], env);
        expect(again.code).toBe(1);
        expect(again.stderr).toMatch(reason);
      }
    });

    it('purge deletes only expired events beside the open store, reporting on stderr', async () => {
      const now = Date.now();
      const expired = Array.from({ length: 5 }, (_, i) =>
        preparedEvent(orgId, { occurredAtMs: now - 3_600_000, expiresAtMs: now - 1000 - i }),
      );
      const live = preparedEvent(orgId, { occurredAtMs: now - 3_600_000 });
      await testStore.store.appendEvents([...expired, live]);
      const result = await runCli(['purge'], env);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe('purged 5 expired events; dropped 0 checkpoints\n');
      for (const event of expired) expect(await testStore.store.events.findByLogId(orgId, event.logId)).toBeUndefined();
      expect(await testStore.store.events.findByLogId(orgId, live.logId)).toMatchObject({ logId: live.logId });
    });
  });
}
