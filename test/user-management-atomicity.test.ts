import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/core/clock.js';
import { newTraceId } from '../src/core/trace-context.js';
import { addUser } from '../src/features/user-management/user-commands.js';
import type { OrgCommandContext } from '../src/features/user-management/command-context.js';
import { storeMatrix } from './support/store-matrix.js';
import { createUserManagementFixture, injectAuditWriteFailure, type UserManagementFixture } from './user-management-fixture.js';

/** Everything User Management writes, as one comparable snapshot of organization A. */
async function domainState(f: UserManagementFixture) {
  const db = f.ts.store.db;
  const org = f.orgA.id;
  const [memberships, users, grants, sets, customs, links, visible, invitations, activations] = await Promise.all([
    db
      .selectFrom('memberships')
      .select(['user_id', 'user_type', 'proxy_from_org_id'])
      .where('org_id', '=', org)
      .orderBy('user_id')
      .execute(),
    db.selectFrom('users').select(['id', 'email']).orderBy('id').execute(),
    db.selectFrom('membership_grants').selectAll().where('org_id', '=', org).orderBy('user_id').orderBy('target_id').execute(),
    db.selectFrom('permission_sets').select(['id', 'name', 'permissions']).where('org_id', '=', org).orderBy('id').execute(),
    db.selectFrom('custom_permissions').select(['id', 'name']).where('org_id', '=', org).orderBy('id').execute(),
    db.selectFrom('org_invite_links').select(['id', 'token_hash']).where('org_id', '=', org).execute(),
    db.selectFrom('org_visible_orgs').selectAll().where('org_id', '=', org).execute(),
    db.selectFrom('membership_invitations').selectAll().where('org_id', '=', org).orderBy('user_id').execute(),
    db.selectFrom('account_activations').select(['id', 'user_id']).orderBy('id').execute(),
  ]);
  return { memberships, users, grants, sets, customs, links, visible, invitations, activations };
}

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`User Management atomicity (${kind})`, () => {
    let f: UserManagementFixture;
    let standardTarget: { id: string; email: string };
    let adminTarget: { id: string };
    let setId: string;
    beforeAll(async () => {
      f = await createUserManagementFixture(kind);
      standardTarget = await f.member(f.orgA.id, 'standard');
      adminTarget = await f.member(f.orgA.id, 'admin');
      await f.member(f.orgB.id, 'admin', { email: 'guest@beta.example.com' });
      const set = await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/permission-sets`, {
        name: 'Existing',
        permissions: ['users.view'],
      });
      setId = set.json<{ id: string }>().id;
      await f.call('owner', 'GET', `/api/v1/orgs/${f.orgA.id}/invite-link`);
      await f.call('owner', 'GET', `/api/v1/orgs/${f.orgA.id}/entities`);
    });
    afterAll(async () => f?.close());

    const actions: { name: string; path: () => string; method: 'POST' | 'PUT' | 'DELETE'; body?: () => unknown; csv?: boolean }[] = [
      {
        name: 'add user',
        method: 'POST',
        path: () => '/users',
        body: () => ({ email: 'rolled.back@example.com', name: 'Rolled Back', userType: 'admin' }),
      },
      { name: 'remove user', method: 'DELETE', path: () => `/users/${standardTarget.id}` },
      { name: 'change type', method: 'PUT', path: () => `/users/${adminTarget.id}/type`, body: () => ({ userType: 'standard' }) },
      {
        name: 'update access',
        method: 'PUT',
        path: () => `/users/${standardTarget.id}/access`,
        body: () => ({ permissionSetIds: [setId], customPermissionIds: [], entityIds: [] }),
      },
      { name: 'create permission set', method: 'POST', path: () => '/permission-sets', body: () => ({ name: 'Never', permissions: [] }) },
      {
        name: 'update permission set',
        method: 'PUT',
        path: () => `/permission-sets/${setId}`,
        body: () => ({ name: 'Renamed', permissions: [] }),
      },
      { name: 'delete permission set', method: 'DELETE', path: () => `/permission-sets/${setId}` },
      {
        name: 'create custom permission',
        method: 'POST',
        path: () => '/custom-permissions',
        body: () => ({ name: 'never.created', description: '' }),
      },
      {
        name: 'bulk add',
        method: 'POST',
        path: () => '/users/bulk?mode=add',
        body: () => 'email,name\nbulk.rollback@example.com,Bulk Rollback\n',
        csv: true,
      },
      {
        name: 'bulk overwrite',
        method: 'POST',
        path: () => '/users/bulk?mode=overwrite',
        body: () => `email,permissionSets\n${standardTarget.email},Existing\n`,
        csv: true,
      },
      { name: 'regenerate invite link', method: 'POST', path: () => '/invite-link/regenerate' },
      {
        name: 'grant proxy access',
        method: 'POST',
        path: () => '/proxy-access',
        body: () => ({ email: 'guest@beta.example.com', userType: 'standard' }),
      },
    ];

    for (const action of actions) {
      it(`${action.name}: when the audit write fails, the change is rolled back and the caller gets an error`, async () => {
        const before = await domainState(f);
        const seq = await f.lastSeq(f.orgA.id);
        const removeTrigger = await injectAuditWriteFailure(f.ts);
        try {
          const res = await f.call(
            'owner',
            action.method,
            `/api/v1/orgs/${f.orgA.id}${action.path()}`,
            action.body?.(),
            action.csv ? { 'content-type': 'text/csv' } : {},
          );
          expect(res.statusCode).toBe(500);
          expect(res.headers['content-type']).toContain('application/problem+json');
        } finally {
          await removeTrigger();
        }
        expect(await domainState(f)).toEqual(before);
        expect(await f.lastSeq(f.orgA.id)).toBe(seq);
      });
    }

    it('a store whose appendEventsIn throws leaves no user behind either (failure injected in the store object)', async () => {
      const store = f.ts.store;
      const original = store.appendEventsIn.bind(store);
      store.appendEventsIn = () => Promise.reject(new Error('injected appendEventsIn failure'));
      const ctx: OrgCommandContext = {
        store,
        clock: systemClock,
        retentionMs: 90 * 86_400_000,
        traceId: newTraceId(),
        actor: { userId: f.users.owner.id, name: f.users.owner.name, email: f.users.owner.email },
        org: f.orgA,
        actorType: 'owner',
      };
      try {
        await expect(addUser(ctx, { email: 'never.here@example.com', name: 'Never Here', userType: 'standard' })).rejects.toThrow(
          'injected appendEventsIn failure',
        );
      } finally {
        store.appendEventsIn = original;
      }
      expect(
        await store.db.selectFrom('users').select('id').where('email', '=', 'never.here@example.com').executeTakeFirst(),
      ).toBeUndefined();
    });

    it('with the audit write working again, the same action applies and is recorded (the failure above was the trigger)', async () => {
      const seq = await f.lastSeq(f.orgA.id);
      const res = await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/users`, {
        email: 'rolled.back@example.com',
        name: 'Rolled Back',
        userType: 'admin',
      });
      expect(res.statusCode).toBe(201);
      expect((await f.eventsAfter(f.orgA.id, seq)).map((e) => e.type)).toEqual(['user.privileged.added']);
    });

    const invalid: {
      name: string;
      status: number;
      method: 'POST' | 'PUT' | 'DELETE';
      path: () => string;
      body?: () => unknown;
      csv?: boolean;
    }[] = [
      {
        name: 'duplicate member email',
        status: 409,
        method: 'POST',
        path: () => '/users',
        body: () => ({ email: standardTarget.email, name: 'Again', userType: 'standard' }),
      },
      {
        name: 'malformed email',
        status: 400,
        method: 'POST',
        path: () => '/users',
        body: () => ({ email: 'not-an-email', name: 'X', userType: 'standard' }),
      },
      {
        name: 'unknown user type',
        status: 400,
        method: 'PUT',
        path: () => `/users/${standardTarget.id}/type`,
        body: () => ({ userType: 'superuser' }),
      },
      {
        name: 'type unchanged',
        status: 400,
        method: 'PUT',
        path: () => `/users/${standardTarget.id}/type`,
        body: () => ({ userType: 'standard' }),
      },
      {
        name: 'unknown entity id',
        status: 400,
        method: 'PUT',
        path: () => `/users/${standardTarget.id}/access`,
        body: () => ({ permissionSetIds: [], customPermissionIds: [], entityIds: ['no-such-entity'] }),
      },
      {
        name: 'unknown permission in a set',
        status: 400,
        method: 'POST',
        path: () => '/permission-sets',
        body: () => ({ name: 'Bad', permissions: ['launch.missiles'] }),
      },
      {
        name: 'duplicate permission set name',
        status: 409,
        method: 'POST',
        path: () => '/permission-sets',
        body: () => ({ name: 'Existing', permissions: [] }),
      },
      {
        name: 'bulk file with a bad row',
        status: 400,
        method: 'POST',
        path: () => '/users/bulk?mode=add',
        body: () => 'email,name\ngood@example.com,Good\nbad-email,Bad\n',
        csv: true,
      },
      {
        name: 'proxy access for an unknown email',
        status: 400,
        method: 'POST',
        path: () => '/proxy-access',
        body: () => ({ email: 'nobody@nowhere.example.com', userType: 'admin' }),
      },
      {
        name: 'visibility of an unrelated organization',
        status: 400,
        method: 'PUT',
        path: () => '/settings/multi-org-visibility',
        body: () => ({ visibleOrgIds: [f.orgB.id] }),
      },
    ];
    for (const c of invalid) {
      it(`${c.name}: rejected with problem+json naming the field, nothing changed, no event`, async () => {
        const before = await domainState(f);
        const seq = await f.lastSeq(f.orgA.id);
        const res = await f.call(
          'owner',
          c.method,
          `/api/v1/orgs/${f.orgA.id}${c.path()}`,
          c.body?.(),
          c.csv ? { 'content-type': 'text/csv' } : {},
        );
        expect(res.statusCode).toBe(c.status);
        expect(res.headers['content-type']).toContain('application/problem+json');
        const problem = res.json<{ errors?: { field: string; reason: string }[] }>();
        expect(problem.errors?.[0]?.field).toBeTruthy();
        expect(problem.errors?.[0]?.reason).toBeTruthy();
        expect(await domainState(f)).toEqual(before);
        expect(await f.lastSeq(f.orgA.id)).toBe(seq);
      });
    }
  });
}
