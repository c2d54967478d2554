import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createSession } from '../src/auth/credentials.js';
import { FixedClock } from '../src/core/clock.js';
import { newId } from '../src/core/ids.js';
import { insertMembership, insertOrganization, insertUser } from '../src/store/queries/tenancy-queries.js';
import { createConfiguredApp, type ConfiguredApp } from './support/configured-app.js';
import { storeMatrix } from './support/store-matrix.js';
import { createUserManagementFixture, type UserManagementFixture } from './user-management-fixture.js';

const EVIL = 'https://evil.example';

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`cross-site requests with the session cookie (${kind})`, () => {
    let f: UserManagementFixture;
    beforeAll(async () => {
      f = await createUserManagementFixture(kind);
    });
    afterAll(async () => f?.close());

    const regenerate = (headers: Record<string, string>) =>
      f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/invite-link/regenerate`, undefined, headers);
    // The link's id: its token is only shown in the answer that made it.
    const currentLink = async () => (await f.call('owner', 'GET', `/api/v1/orgs/${f.orgA.id}/invite-link`)).json<{ id: string }>().id;

    it("a bodyless POST …/invite-link/regenerate with the owner's cookie from https://evil.example is refused with 403 and changes nothing", async () => {
      const before = await currentLink();
      const seq = await f.lastSeq(f.orgA.id);
      const res = await regenerate({ origin: EVIL });
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 403, code: 'CROSS_SITE_REQUEST' });
      expect(await currentLink()).toBe(before);
      expect(await f.eventsAfter(f.orgA.id, seq)).toEqual([]);
    });

    it('refuses what browsers mark as another site, or an Origin that is not this one', async () => {
      for (const headers of <Record<string, string>[]>[
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site', origin: 'https://other.localhost' },
        { 'sec-fetch-site': 'cross-site', origin: 'http://localhost' },
        { origin: 'null' },
        { origin: 'http://localhost:8081' },
        { origin: 'https://localhost' },
      ]) {
        const res = await regenerate(headers);
        expect({ headers, status: res.statusCode }).toEqual({ headers, status: 403 });
      }
    });

    it('every state-changing method is checked, login and logout included; reads are not', async () => {
      const org = `/api/v1/orgs/${f.orgA.id}`;
      const cases = [
        { method: 'PUT' as const, url: `${org}/settings/multi-org-visibility`, payload: { visibleOrgIds: [] } },
        { method: 'DELETE' as const, url: `${org}/users/${f.users.standard.id}` },
        { method: 'POST' as const, url: `${org}/permission-sets`, payload: { name: 'from evil', permissions: [] } },
        { method: 'DELETE' as const, url: '/api/v1/session' },
      ];
      for (const c of cases) {
        const res = await f.app.inject({ ...c, headers: { cookie: f.users.owner.cookie, origin: EVIL } });
        expect({ ...c, status: res.statusCode }).toEqual({ ...c, status: 403 });
      }
      // Login CSRF: a page of another site must not sign its visitor in to an account of its choosing.
      const login = await f.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email: 'x@example.com', password: 'whatever' },
        headers: { origin: EVIL },
      });
      expect(login.statusCode).toBe(403);
      // The owner is still signed in and a member is still there.
      expect(
        (await f.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: f.users.owner.cookie, origin: EVIL } })).statusCode,
      ).toBe(200);
      expect(
        (await f.call('owner', 'GET', `${org}/users?q=${encodeURIComponent(f.users.standard.email)}`)).json<{ data: unknown[] }>().data,
      ).toHaveLength(1);
    });

    it('allows the page itself: same Origin, or Sec-Fetch-Site: same-origin without Origin; and clients that send neither', async () => {
      for (const headers of <Record<string, string>[]>[
        { origin: 'http://localhost' },
        { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' },
        { 'sec-fetch-site': 'same-origin' },
        {},
      ]) {
        const res = await regenerate(headers);
        expect({ headers, status: res.statusCode }).toEqual({ headers, status: 200 });
      }
    });

    it('requests with a bearer token are not affected: a browser never sends one on its own', async () => {
      const token = (await createApiToken(f.ts.store.db, f.users.owner.id, 'script', f.ts.store.clock.now())).secret;
      const res = await f.app.inject({
        method: 'POST',
        url: `/api/v1/orgs/${f.orgA.id}/invite-link/regenerate`,
        headers: { authorization: `Bearer ${token}`, origin: EVIL },
      });
      expect(res.statusCode).toBe(200);
    });
  });
}

describe("behind a reverse proxy, ATTEST_PUBLIC_URL names the page's origin", () => {
  let a: ConfiguredApp;
  let cookie: string;
  let orgId: string;
  beforeAll(async () => {
    a = await createConfiguredApp('sqlite', { ATTEST_PUBLIC_URL: 'https://audit.example.com/' }, new FixedClock(Date.now()));
    const { store } = a.testStore;
    const now = store.clock.now();
    orgId = newId(now);
    const userId = newId(now);
    await insertOrganization(store.db, { id: orgId, name: 'Proxied', timeZone: 'UTC' }, now);
    await insertUser(store.db, {
      id: userId,
      email: 'proxied.owner@example.com',
      name: 'Proxied Owner',
      password_hash: null,
      created_at: now,
    });
    await insertMembership(store.db, {
      org_id: orgId,
      user_id: userId,
      user_type: 'owner',
      proxy_from_org_id: null,
      expires_at: null,
      created_at: now,
    });
    cookie = `attest_session=${await createSession(store.db, userId, now)}`;
  });
  afterAll(async () => a?.close());

  it('accepts the public origin although the server sees http://attest-internal:8080, and still refuses another', async () => {
    const regenerate = (origin: string) =>
      a.app.inject({
        method: 'POST',
        url: `/api/v1/orgs/${orgId}/invite-link/regenerate`,
        headers: { cookie, origin, host: 'attest-internal:8080' },
      });
    expect((await regenerate('https://audit.example.com')).statusCode).toBe(200);
    expect((await regenerate(EVIL)).statusCode).toBe(403);
    expect((await regenerate('https://audit.example.com.evil.example')).statusCode).toBe(403);
  });
});
