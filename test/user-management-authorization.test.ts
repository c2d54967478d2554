import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeMatrix } from './support/store-matrix.js';
import { createUserManagementFixture, type Role, type UserManagementFixture } from './user-management-fixture.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** One endpoint of the matrix: `prepare` makes a fresh target for every call, so one role's success cannot change another's case. */
interface Endpoint {
  name: string;
  ok: number;
  ownerOnly?: boolean;
  prepare(f: UserManagementFixture): Promise<{ method: Method; path: string; body?: unknown; csv?: boolean }>;
}

let n = 0;
const unique = (prefix: string) => `${prefix}-${(n += 1)}`;

async function newSet(f: UserManagementFixture): Promise<string> {
  const res = await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/permission-sets`, { name: unique('set'), permissions: [] });
  return res.json<{ id: string }>().id;
}

/** An account of organization B with a pending standard membership in A (added by A's owner). */
async function pendingStandard(f: UserManagementFixture): Promise<string> {
  const elsewhere = await f.member(f.orgB.id, 'standard');
  const res = await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/users`, {
    email: elsewhere.email,
    name: 'Pending Person',
    userType: 'standard',
  });
  expect(res.json<{ status: string }>().status).toBe('pending');
  return elsewhere.id;
}

const endpoints: Endpoint[] = [
  { name: 'GET users', ok: 200, prepare: async () => ({ method: 'GET', path: '/users?q=person' }) },
  {
    name: 'POST users (standard)',
    ok: 201,
    prepare: async () => ({
      method: 'POST',
      path: '/users',
      body: { email: `${unique('added')}@example.com`, name: 'Added', userType: 'standard' },
    }),
  },
  {
    name: 'DELETE users/{id} (standard)',
    ok: 204,
    prepare: async (f) => ({ method: 'DELETE', path: `/users/${(await f.member(f.orgA.id, 'standard')).id}` }),
  },
  {
    name: 'PUT users/{id}/type (standard → admin)',
    ok: 200,
    prepare: async (f) => ({
      method: 'PUT',
      path: `/users/${(await f.member(f.orgA.id, 'standard')).id}/type`,
      body: { userType: 'admin' },
    }),
  },
  {
    name: 'PUT users/{id}/access',
    ok: 200,
    prepare: async (f) => ({
      method: 'PUT',
      path: `/users/${(await f.member(f.orgA.id, 'standard')).id}/access`,
      body: { permissionSetIds: [await newSet(f)], customPermissionIds: [], entityIds: [] },
    }),
  },
  { name: 'GET users/export', ok: 200, prepare: async () => ({ method: 'GET', path: '/users/export' }) },
  {
    name: 'POST users/bulk',
    ok: 200,
    prepare: async () => ({
      method: 'POST',
      path: '/users/bulk?mode=add',
      body: `email,name\n${unique('bulk')}@example.com,Bulk\n`,
      csv: true,
    }),
  },
  { name: 'GET permission-sets', ok: 200, prepare: async () => ({ method: 'GET', path: '/permission-sets' }) },
  {
    name: 'POST permission-sets',
    ok: 201,
    prepare: async () => ({ method: 'POST', path: '/permission-sets', body: { name: unique('set'), permissions: ['users.view'] } }),
  },
  {
    name: 'PUT permission-sets/{id}',
    ok: 200,
    prepare: async (f) => ({
      method: 'PUT',
      path: `/permission-sets/${await newSet(f)}`,
      body: { name: unique('renamed'), permissions: [] },
    }),
  },
  {
    name: 'DELETE permission-sets/{id}',
    ok: 204,
    prepare: async (f) => ({ method: 'DELETE', path: `/permission-sets/${await newSet(f)}` }),
  },
  { name: 'GET custom-permissions', ok: 200, prepare: async () => ({ method: 'GET', path: '/custom-permissions' }) },
  {
    name: 'POST custom-permissions',
    ok: 201,
    prepare: async () => ({ method: 'POST', path: '/custom-permissions', body: { name: unique('custom'), description: 'd' } }),
  },
  { name: 'GET entities', ok: 200, prepare: async () => ({ method: 'GET', path: '/entities' }) },
  { name: 'GET permissions', ok: 200, prepare: async () => ({ method: 'GET', path: '/permissions' }) },
  { name: 'GET invitations', ok: 200, prepare: async () => ({ method: 'GET', path: '/invitations' }) },
  {
    name: 'DELETE invitations/{userId} (standard)',
    ok: 204,
    prepare: async (f) => ({ method: 'DELETE', path: `/invitations/${await pendingStandard(f)}` }),
  },
  { name: 'GET invite-link', ok: 200, prepare: async () => ({ method: 'GET', path: '/invite-link' }) },
  { name: 'POST invite-link/regenerate', ok: 200, prepare: async () => ({ method: 'POST', path: '/invite-link/regenerate' }) },
  { name: 'GET settings/multi-org-visibility', ok: 200, prepare: async () => ({ method: 'GET', path: '/settings/multi-org-visibility' }) },
  {
    name: 'PUT settings/multi-org-visibility',
    ok: 200,
    ownerOnly: true,
    prepare: async () => ({ method: 'PUT', path: '/settings/multi-org-visibility', body: { visibleOrgIds: [] } }),
  },
  { name: 'GET proxy-access', ok: 200, prepare: async () => ({ method: 'GET', path: '/proxy-access' }) },
  {
    name: 'POST proxy-access',
    ok: 201,
    ownerOnly: true,
    prepare: async (f) => ({
      method: 'POST',
      path: '/proxy-access',
      body: { email: (await f.member(f.orgB.id, 'standard')).email, userType: 'standard' },
    }),
  },
];

/** What each principal gets: managers succeed, standard users 403, other organizations 404 (existence not revealed), anonymous 401. */
function expectedStatus(role: Role, endpoint: Endpoint): number {
  switch (role) {
    case 'owner':
      return endpoint.ok;
    case 'admin':
    case 'proxy': // the proxy user was granted admin
      return endpoint.ownerOnly ? 403 : endpoint.ok;
    case 'standard':
      return 403;
    case 'outsider':
      return 404;
    case 'anonymous':
      return 401;
  }
}

const roles: Role[] = ['owner', 'admin', 'standard', 'proxy', 'outsider', 'anonymous'];

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`User Management authorization (${kind})`, () => {
    let f: UserManagementFixture;
    beforeAll(async () => {
      f = await createUserManagementFixture(kind);
    });
    afterAll(async () => f?.close());

    for (const endpoint of endpoints) {
      it(`${endpoint.name}: ${roles.map((r) => `${r} ${expectedStatus(r, endpoint)}`).join(', ')}`, async () => {
        for (const role of roles) {
          const req = await endpoint.prepare(f);
          const seq = await f.lastSeq(f.orgA.id);
          const res = await f.call(
            role,
            req.method,
            `/api/v1/orgs/${f.orgA.id}${req.path}`,
            req.body,
            req.csv ? { 'content-type': 'text/csv' } : {},
          );
          expect({ role, status: res.statusCode }).toEqual({ role, status: expectedStatus(role, endpoint) });
          if (res.statusCode >= 400) {
            expect(res.headers['content-type']).toContain('application/problem+json');
            expect(await f.lastSeq(f.orgA.id)).toBe(seq);
          }
        }
      });
    }

    it('every User Management route is in the OpenAPI document with its schemas', async () => {
      const doc = (await f.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
        paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      }>();
      const base = '/api/v1/orgs/{orgId}';
      for (const [path, method] of [
        ['/users', 'get'],
        ['/users', 'post'],
        ['/users/{userId}', 'delete'],
        ['/users/{userId}/type', 'put'],
        ['/users/{userId}/access', 'put'],
        ['/users/bulk', 'post'],
        ['/users/export', 'get'],
        ['/permission-sets', 'post'],
        ['/permission-sets/{setId}', 'delete'],
        ['/custom-permissions', 'post'],
        ['/entities', 'get'],
        ['/invitations', 'get'],
        ['/invitations/{userId}', 'delete'],
        ['/permissions', 'get'],
        ['/invite-link/regenerate', 'post'],
        ['/settings/multi-org-visibility', 'put'],
        ['/proxy-access', 'post'],
      ] as const) {
        expect(doc.paths[`${base}${path}`]?.[method]?.responses, `${method} ${path}`).toHaveProperty('403');
      }
      expect(doc.paths['/api/v1/invites/{token}/join']?.post?.responses).toHaveProperty('202');
    });

    it('the user search matches email or name, case-insensitively, and treats % and _ literally', async () => {
      await f.member(f.orgA.id, 'standard', { email: 'percent%sign@example.com' });
      const search = async (q: string) =>
        (await f.call('owner', 'GET', `/api/v1/orgs/${f.orgA.id}/users?q=${encodeURIComponent(q)}`))
          .json<{ data: { email: string }[] }>()
          .data.map((u) => u.email);
      expect(await search('PERCENT%')).toEqual(['percent%sign@example.com']);
      expect(await search('%')).toEqual(['percent%sign@example.com']);
      expect(await search(f.users.owner.email.toUpperCase())).toEqual([f.users.owner.email]);
      expect(await search('owner PERSON')).toEqual([f.users.owner.email]);
    });

    it('an organization id that does not exist is the same 404 as one the caller is not in', async () => {
      const missing = await f.call('owner', 'GET', '/api/v1/orgs/01900000-0000-7000-8000-000000000000/users');
      const foreign = await f.call('owner', 'GET', `/api/v1/orgs/${f.orgB.id}/users`);
      expect(missing.statusCode).toBe(404);
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json<{ detail: string }>().detail).toBe(missing.json<{ detail: string }>().detail);
    });

    it('an admin cannot create an owner, promote to owner, or touch an owner', async () => {
      const other = await f.member(f.orgA.id, 'owner');
      const plain = await f.member(f.orgA.id, 'standard');
      const seq = await f.lastSeq(f.orgA.id);
      const create = await f.call('admin', 'POST', `/api/v1/orgs/${f.orgA.id}/users`, {
        email: 'wannabe.owner@example.com',
        name: 'Wannabe',
        userType: 'owner',
      });
      expect(create.statusCode).toBe(403);
      expect(create.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('userType');
      expect((await f.call('admin', 'PUT', `/api/v1/orgs/${f.orgA.id}/users/${plain.id}/type`, { userType: 'owner' })).statusCode).toBe(
        403,
      );
      expect((await f.call('admin', 'DELETE', `/api/v1/orgs/${f.orgA.id}/users/${other.id}`)).statusCode).toBe(403);
      expect((await f.call('admin', 'PUT', `/api/v1/orgs/${f.orgA.id}/users/${other.id}/type`, { userType: 'standard' })).statusCode).toBe(
        403,
      );
      expect(
        (
          await f.call('admin', 'PUT', `/api/v1/orgs/${f.orgA.id}/users/${other.id}/access`, {
            permissionSetIds: [],
            customPermissionIds: [],
            entityIds: [],
          })
        ).statusCode,
      ).toBe(403);
      const bulk = await f.call(
        'admin',
        'POST',
        `/api/v1/orgs/${f.orgA.id}/users/bulk?mode=add`,
        'email,name,userType\nbulk.owner@example.com,Bulk Owner,owner\n',
        { 'content-type': 'text/csv' },
      );
      expect(bulk.statusCode).toBe(400);
      expect(bulk.json<{ errors: unknown[] }>().errors).toEqual([
        { line: 2, field: 'userType', reason: 'only organization owners can add owners' },
      ]);
      expect(await f.lastSeq(f.orgA.id)).toBe(seq);
      expect(
        await f.ts.store.db.selectFrom('users').select('id').where('email', '=', 'wannabe.owner@example.com').executeTakeFirst(),
      ).toBeUndefined();
      // An admin does manage admins and standard users.
      expect((await f.call('admin', 'PUT', `/api/v1/orgs/${f.orgA.id}/users/${plain.id}/type`, { userType: 'admin' })).statusCode).toBe(
        200,
      );
      await f.call('owner', 'DELETE', `/api/v1/orgs/${f.orgA.id}/users/${other.id}`);
    });

    it('the last owner can be neither removed nor demoted; proxy owners do not count; with two owners one may go', async () => {
      const org = f.orgA.id;
      const owners = await f.ts.store.db
        .selectFrom('memberships')
        .select('user_id')
        .where('org_id', '=', org)
        .where('user_type', '=', 'owner')
        .where('proxy_from_org_id', 'is', null)
        .execute();
      expect(owners.map((o) => o.user_id)).toEqual([f.users.owner.id]);
      await f.member(org, 'owner', { proxyFromOrgId: f.orgB.id });
      const seq = await f.lastSeq(org);
      const remove = await f.call('owner', 'DELETE', `/api/v1/orgs/${org}/users/${f.users.owner.id}`);
      expect(remove.statusCode).toBe(409);
      expect(remove.json<{ code: string }>().code).toBe('LAST_OWNER');
      const demote = await f.call('owner', 'PUT', `/api/v1/orgs/${org}/users/${f.users.owner.id}/type`, { userType: 'admin' });
      expect(demote.statusCode).toBe(409);
      expect(demote.json<{ code: string }>().code).toBe('LAST_OWNER');
      expect(await f.lastSeq(org)).toBe(seq);

      const second = await f.member(org, 'owner');
      expect((await f.call('owner', 'PUT', `/api/v1/orgs/${org}/users/${second.id}/type`, { userType: 'admin' })).statusCode).toBe(200);
      expect((await f.call('owner', 'PUT', `/api/v1/orgs/${org}/users/${second.id}/type`, { userType: 'owner' })).statusCode).toBe(200);
      expect((await f.call('owner', 'DELETE', `/api/v1/orgs/${org}/users/${second.id}`)).statusCode).toBe(204);
    });

    it('two owners removing each other at the same moment: exactly one owner is left', async () => {
      const org = f.orgA.id;
      const first = await f.member(org, 'owner');
      const second = await f.member(org, 'owner');
      // Leave exactly these two owners: demote the fixture's owner for the duration of the race.
      await f.ts.store.db
        .updateTable('memberships')
        .set({ user_type: 'admin' })
        .where('org_id', '=', org)
        .where('user_id', '=', f.users.owner.id)
        .execute();
      try {
        const remove = (by: typeof first, target: typeof first) =>
          f.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org}/users/${target.id}`, headers: { cookie: by.cookie } });
        const results = await Promise.all([remove(first, second), remove(second, first)]);
        // The loser is refused as the last owner (409), or, if the winner's commit came first, is no longer a
        // member at all (404); either way one owner is left.
        const statuses = results.map((r) => r.statusCode).sort();
        expect(statuses[0]).toBe(204);
        expect([404, 409]).toContain(statuses[1]);
        const owners = await f.ts.store.db
          .selectFrom('memberships')
          .select('user_id')
          .where('org_id', '=', org)
          .where('user_type', '=', 'owner')
          .where('proxy_from_org_id', 'is', null)
          .execute();
        expect(owners).toHaveLength(1);
      } finally {
        await f.ts.store.db
          .updateTable('memberships')
          .set({ user_type: 'owner' })
          .where('org_id', '=', org)
          .where('user_id', '=', f.users.owner.id)
          .execute();
        await f.ts.store.db.deleteFrom('memberships').where('org_id', '=', org).where('user_id', 'in', [first.id, second.id]).execute();
      }
    });

    it('a proxy user acts with the granted type, and not at all once the grant expired', async () => {
      const org = f.orgA.id;
      expect(
        (
          await f.call('proxy', 'POST', `/api/v1/orgs/${org}/users`, {
            email: 'by.proxy@example.com',
            name: 'By Proxy',
            userType: 'standard',
          })
        ).statusCode,
      ).toBe(201);
      expect(
        (await f.call('proxy', 'POST', `/api/v1/orgs/${org}/users`, { email: 'owner.by.proxy@example.com', name: 'No', userType: 'owner' }))
          .statusCode,
      ).toBe(403);
      // In their home organization the same user is a standard user and manages nobody.
      expect((await f.call('proxy', 'GET', `/api/v1/orgs/${f.orgB.id}/users`)).statusCode).toBe(403);
      const expired = await f.member(f.orgB.id, 'standard');
      await f.ts.store.db
        .insertInto('memberships')
        .values({
          org_id: org,
          user_id: expired.id,
          user_type: 'owner',
          proxy_from_org_id: f.orgB.id,
          expires_at: Date.now() - 1000,
          created_at: Date.now() - 10_000,
        })
        .execute();
      const res = await f.app.inject({ method: 'GET', url: `/api/v1/orgs/${org}/users`, headers: { cookie: expired.cookie } });
      expect(res.statusCode).toBe(404);
    });

    it('ids of another organization are not found here: its users, its permission sets, its entities', async () => {
      const foreignUser = await f.member(f.orgB.id, 'standard');
      const foreignSet = await f.call('outsider', 'POST', `/api/v1/orgs/${f.orgB.id}/permission-sets`, {
        name: 'Beta set',
        permissions: [],
      });
      const foreignEntities = (await f.call('outsider', 'GET', `/api/v1/orgs/${f.orgB.id}/entities`)).json<{ data: { id: string }[] }>()
        .data;
      const target = await f.member(f.orgA.id, 'standard');
      const seq = await f.lastSeq(f.orgA.id);
      expect((await f.call('owner', 'DELETE', `/api/v1/orgs/${f.orgA.id}/users/${foreignUser.id}`)).statusCode).toBe(404);
      expect(
        (await f.call('owner', 'PUT', `/api/v1/orgs/${f.orgA.id}/users/${foreignUser.id}/type`, { userType: 'admin' })).statusCode,
      ).toBe(404);
      expect(
        (await f.call('owner', 'DELETE', `/api/v1/orgs/${f.orgA.id}/permission-sets/${foreignSet.json<{ id: string }>().id}`)).statusCode,
      ).toBe(404);
      const access = await f.call('owner', 'PUT', `/api/v1/orgs/${f.orgA.id}/users/${target.id}/access`, {
        permissionSetIds: [foreignSet.json<{ id: string }>().id],
        customPermissionIds: [],
        entityIds: [foreignEntities[0]?.id],
      });
      expect(access.statusCode).toBe(400);
      expect(access.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual(['permissionSetIds[0]', 'entityIds[0]']);
      expect(await f.lastSeq(f.orgA.id)).toBe(seq);
      const list = (await f.call('owner', 'GET', `/api/v1/orgs/${f.orgA.id}/users`)).json<{ data: { id: string }[] }>().data;
      expect(list.map((u) => u.id)).not.toContain(foreignUser.id);
    });
  });
}
