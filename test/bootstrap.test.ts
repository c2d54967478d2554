import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from './support/child-processes.js';
import { rawRequest } from './support/raw-http.js';
import { openLocation } from './support/seed-store.js';
import { storeMatrix } from './support/store-matrix.js';
import { freshStoreLocation, type FreshStoreLocation } from './support/test-stores.js';

// First start of the real service (`node dist/src/main.js`): it creates the bootstrap organization and owner
// once, with the configured or a generated password, and never again.

const GENERATED = /Generated password \(shown once\): (\S+)/g;

function logIn(port: number, email: string, password: string) {
  return rawRequest(port, {
    method: 'POST',
    path: '/api/v1/session',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

async function stopGracefully(server: ServerProcess): Promise<void> {
  server.child.kill('SIGTERM');
  expect(await server.exited).toEqual({ code: 0, signal: null });
}

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`${kind}: bootstrap on first start`, () => {
    let location: FreshStoreLocation | undefined;
    const servers: ServerProcess[] = [];
    afterEach(async () => {
      for (const server of servers.splice(0)) await server.stop();
      await location?.remove();
      location = undefined;
    });

    async function start(env: Record<string, string>): Promise<ServerProcess> {
      const server = await startServer({ ...(location as FreshStoreLocation).env, ...env });
      servers.push(server);
      return server;
    }

    async function countRows(): Promise<{ organizations: number; users: number }> {
      const store = await openLocation(location as FreshStoreLocation);
      try {
        const orgs = await store.db
          .selectFrom('organizations')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        const users = await store.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        return { organizations: Number(orgs.n), users: Number(users.n) };
      } finally {
        await store.close();
      }
    }

    it('creates the organization and owner from ATTEST_BOOTSTRAP_EMAIL/PASSWORD once; a second start creates nothing', async () => {
      location = freshStoreLocation(kind);
      const first = await start({
        ATTEST_BOOTSTRAP_EMAIL: 'Boss@Example.com',
        ATTEST_BOOTSTRAP_PASSWORD: 'first start secret',
        ATTEST_BOOTSTRAP_ORG_NAME: 'Initech',
      });
      expect(first.stdout()).toMatch(/created the bootstrap organization and owner/);
      expect(first.stdout()).not.toMatch(/Generated password/);
      const login = await logIn(first.port, 'boss@example.com', 'first start secret');
      expect(login.status, login.body).toBe(200);
      expect(JSON.parse(login.body)).toMatchObject({
        user: { email: 'boss@example.com' },
        organizations: [{ orgName: 'Initech', userType: 'owner' }],
      });
      expect((await logIn(first.port, 'boss@example.com', 'wrong')).status).toBe(401);
      await stopGracefully(first);

      const second = await start({ ATTEST_BOOTSTRAP_EMAIL: 'someone.else@example.com', ATTEST_BOOTSTRAP_PASSWORD: 'other' });
      expect(second.stdout()).not.toMatch(/created the bootstrap organization/);
      expect((await logIn(second.port, 'someone.else@example.com', 'other')).status).toBe(401);
      expect((await logIn(second.port, 'boss@example.com', 'first start secret')).status).toBe(200);
      await stopGracefully(second);
      expect(await countRows()).toEqual({ organizations: 1, users: 1 });
    });

    it('prints a generated password exactly once when ATTEST_BOOTSTRAP_PASSWORD is unset, and it logs in', async () => {
      location = freshStoreLocation(kind);
      const first = await start({ ATTEST_BOOTSTRAP_EMAIL: 'owner@initech.example' });
      const printed = [...first.stdout().matchAll(GENERATED)].map((m) => m[1] as string);
      expect(printed).toHaveLength(1);
      const password = printed[0] as string;
      expect(password.length).toBeGreaterThanOrEqual(12);
      expect(first.stderr()).not.toContain(password);
      expect((await logIn(first.port, 'owner@initech.example', password)).status).toBe(200);
      await stopGracefully(first);
      // The password is in no log line, only in the banner.
      expect(
        first
          .stdout()
          .split('\n')
          .filter((line) => line.includes(password)),
      ).toHaveLength(1);

      const second = await start({ ATTEST_BOOTSTRAP_EMAIL: 'owner@initech.example' });
      expect(second.stdout()).not.toMatch(/Generated password/);
      expect((await logIn(second.port, 'owner@initech.example', password)).status).toBe(200);
      await stopGracefully(second);
      expect(await countRows()).toEqual({ organizations: 1, users: 1 });
    });

    it('creates one organization when two servers start on an empty store at the same moment', async () => {
      location = freshStoreLocation(kind);
      const env = { ATTEST_BOOTSTRAP_EMAIL: 'race@example.com', ATTEST_BOOTSTRAP_PASSWORD: 'race password' };
      const [a, b] = await Promise.all([start(env), start(env)]);
      const creators = [a, b].filter((s) => /created the bootstrap organization/.test(s.stdout()));
      expect(creators).toHaveLength(1);
      await stopGracefully(a as ServerProcess);
      await stopGracefully(b as ServerProcess);
      expect(await countRows()).toEqual({ organizations: 1, users: 1 });
    });
  });
}
