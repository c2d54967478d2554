import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findEventType } from '../src/catalog/catalog-registry.js';
import { newId } from '../src/core/ids.js';
import { productAreaNamed } from '../src/catalog/catalog-registry.js';
import type { FieldChange, JsonValue } from '../src/events/audit-event.js';
import { storeMatrix } from './support/store-matrix.js';
import { createUserManagementFixture, type UserManagementFixture } from './user-management-fixture.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

/** What one catalogued action must record. */
interface EventCase {
  type: string;
  /** Performs the action as the owner; returns the status and what the event must say. */
  perform(
    f: UserManagementFixture,
    send: Send,
  ): Promise<{
    status: number;
    expectedStatus: number;
    entity: { id: string; type: string; name: string };
    description: string;
    changes?: FieldChange[];
    metadata?: Record<string, JsonValue>;
  }>;
}
type Send = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => ReturnType<UserManagementFixture['call']>;

const ownerLabel = (f: UserManagementFixture) => f.users.owner.name;
const label = (u: { name: string; email: string }) => `${u.name} (${u.email})`;

async function createSet(f: UserManagementFixture, name: string, permissions: string[] = ['users.view']): Promise<string> {
  const res = await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/permission-sets`, { name, permissions });
  expect(res.statusCode).toBe(201);
  return (res.json() as { id: string }).id;
}

async function entityIds(f: UserManagementFixture): Promise<{ id: string; name: string }[]> {
  return (await f.call('owner', 'GET', `/api/v1/orgs/${f.orgA.id}/entities`)).json<{ data: { id: string; name: string }[] }>().data;
}

const cases: EventCase[] = [
  {
    type: 'user.standard.added',
    async perform(f, send) {
      const res = await send('POST', '/users', { email: 'New.Standard@Example.com', name: 'Nia Standard', userType: 'standard' });
      const id = res.json<{ id: string }>().id;
      return {
        status: res.statusCode,
        expectedStatus: 201,
        entity: { id, type: 'user', name: 'Nia Standard (new.standard@example.com)' },
        description: `Added standard user Nia Standard (new.standard@example.com)`,
        changes: [{ field: 'userType', from: null, to: 'standard' }],
      };
    },
  },
  {
    type: 'user.standard.removed',
    async perform(f, send) {
      const target = await f.member(f.orgA.id, 'standard');
      const res = await send('DELETE', `/users/${target.id}`);
      return {
        status: res.statusCode,
        expectedStatus: 204,
        entity: { id: target.id, type: 'user', name: label(target) },
        description: `Removed standard user ${label(target)}`,
        changes: [{ field: 'userType', from: 'standard', to: null }],
      };
    },
  },
  {
    type: 'user.privileged.added',
    async perform(f, send) {
      const res = await send('POST', '/users', { email: 'ada.admin@example.com', name: 'Ada Admin', userType: 'admin' });
      const id = res.json<{ id: string }>().id;
      return {
        status: res.statusCode,
        expectedStatus: 201,
        entity: { id, type: 'user', name: 'Ada Admin (ada.admin@example.com)' },
        description: 'Added organization owner/admin Ada Admin (ada.admin@example.com)',
        changes: [{ field: 'userType', from: null, to: 'admin' }],
      };
    },
  },
  {
    type: 'user.privileged.removed',
    async perform(f, send) {
      const target = await f.member(f.orgA.id, 'admin');
      const res = await send('DELETE', `/users/${target.id}`);
      return {
        status: res.statusCode,
        expectedStatus: 204,
        entity: { id: target.id, type: 'user', name: label(target) },
        description: `Removed organization owner/admin ${label(target)}`,
        changes: [{ field: 'userType', from: 'admin', to: null }],
      };
    },
  },
  {
    type: 'user.type.made_privileged',
    async perform(f, send) {
      const target = await f.member(f.orgA.id, 'standard');
      const res = await send('PUT', `/users/${target.id}/type`, { userType: 'owner' });
      return {
        status: res.statusCode,
        expectedStatus: 200,
        entity: { id: target.id, type: 'user', name: label(target) },
        description: `Made organization owner/admin: ${label(target)}`,
        changes: [{ field: 'userType', from: 'standard', to: 'owner' }],
      };
    },
  },
  {
    type: 'user.type.made_standard',
    async perform(f, send) {
      const target = await f.member(f.orgA.id, 'admin');
      const res = await send('PUT', `/users/${target.id}/type`, { userType: 'standard' });
      return {
        status: res.statusCode,
        expectedStatus: 200,
        entity: { id: target.id, type: 'user', name: label(target) },
        description: `Made standard user: ${label(target)}`,
        changes: [{ field: 'userType', from: 'admin', to: 'standard' }],
      };
    },
  },
  {
    type: 'user.standard.access_updated',
    async perform(f, send) {
      const target = await f.member(f.orgA.id, 'standard');
      const setId = await createSet(f, 'Cashiers');
      const [north] = await entityIds(f);
      const res = await send('PUT', `/users/${target.id}/access`, {
        permissionSetIds: [setId],
        customPermissionIds: [],
        entityIds: [north?.id],
      });
      return {
        status: res.statusCode,
        expectedStatus: 200,
        entity: { id: target.id, type: 'user', name: label(target) },
        description: `Updated permissions or accessible entities of ${label(target)}`,
        changes: [
          { field: 'permissionSets', from: [], to: ['Cashiers'] },
          { field: 'accessibleEntities', from: [], to: [north?.name as string] },
        ],
      };
    },
  },
  {
    type: 'user.admin.access_updated',
    async perform(f, send) {
      const target = await f.member(f.orgA.id, 'admin');
      const setId = await createSet(f, 'Regional managers');
      const res = await send('PUT', `/users/${target.id}/access`, { permissionSetIds: [setId], customPermissionIds: [], entityIds: [] });
      return {
        status: res.statusCode,
        expectedStatus: 200,
        entity: { id: target.id, type: 'user', name: label(target) },
        description: `Updated permissions or accessible entities of admin ${label(target)}`,
        changes: [{ field: 'permissionSets', from: [], to: ['Regional managers'] }],
      };
    },
  },
  {
    type: 'permission_set.created',
    async perform(f, send) {
      const res = await send('POST', '/permission-sets', { name: 'Store staff', permissions: ['orders.refund', 'users.view'] });
      return {
        status: res.statusCode,
        expectedStatus: 201,
        entity: { id: res.json<{ id: string }>().id, type: 'permission_set', name: 'Store staff' },
        description: 'Created permission set Store staff',
        changes: [
          { field: 'name', from: null, to: 'Store staff' },
          { field: 'permissions', from: null, to: ['orders.refund', 'users.view'] },
        ],
      };
    },
  },
  {
    type: 'permission_set.updated',
    async perform(f, send) {
      const setId = await createSet(f, 'Auditors', ['users.view']);
      const res = await send('PUT', `/permission-sets/${setId}`, {
        name: 'Auditors',
        permissions: ['users.view', 'insights.reports.view'],
      });
      return {
        status: res.statusCode,
        expectedStatus: 200,
        entity: { id: setId, type: 'permission_set', name: 'Auditors' },
        description: 'Updated permission set Auditors',
        changes: [{ field: 'permissions', from: ['users.view'], to: ['insights.reports.view', 'users.view'] }],
      };
    },
  },
  {
    type: 'permission_set.deleted',
    async perform(f, send) {
      const setId = await createSet(f, 'Temporary', ['users.view']);
      const res = await send('DELETE', `/permission-sets/${setId}`);
      return {
        status: res.statusCode,
        expectedStatus: 204,
        entity: { id: setId, type: 'permission_set', name: 'Temporary' },
        description: 'Deleted permission set Temporary',
        changes: [
          { field: 'name', from: 'Temporary', to: null },
          { field: 'permissions', from: ['users.view'], to: null },
        ],
      };
    },
  },
  {
    type: 'custom_permission.created',
    async perform(f, send) {
      const res = await send('POST', '/custom-permissions', { name: 'menu.prices.edit', description: 'Edit menu prices' });
      return {
        status: res.statusCode,
        expectedStatus: 201,
        entity: { id: res.json<{ id: string }>().id, type: 'custom_permission', name: 'menu.prices.edit' },
        description: 'Created custom permission menu.prices.edit',
        changes: [
          { field: 'name', from: null, to: 'menu.prices.edit' },
          { field: 'description', from: null, to: 'Edit menu prices' },
        ],
      };
    },
  },
  {
    type: 'users.bulk_added',
    async perform(f, send) {
      const res = await send(
        'POST',
        '/users/bulk?mode=add',
        'email,name,userType\nbulk.one@example.com,Bulk One,standard\nbulk.two@example.com,Bulk Two,admin\n',
        { 'content-type': 'text/csv' },
      );
      const ids = (
        await f.ts.store.db
          .selectFrom('users')
          .select('id')
          .where('email', 'in', ['bulk.one@example.com', 'bulk.two@example.com'])
          .orderBy('email')
          .execute()
      ).map((u) => u.id);
      return {
        status: res.statusCode,
        expectedStatus: 200,
        entity: { id: f.orgA.id, type: 'organization', name: f.orgA.name },
        description: `Added users in bulk to ${f.orgA.name}`,
        metadata: { mode: 'add', rows: 2, addedCount: 2, userIds: ids, pendingCount: 0 },
      };
    },
  },
  {
    type: 'users.bulk_updated.append',
    async perform(f, send) {
      const target = await f.member(f.orgA.id, 'standard');
      await createSet(f, 'Bulk append set');
      const res = await send('POST', '/users/bulk?mode=append', `email,permissionSets\n${target.email},Bulk append set\n`, {
        'content-type': 'text/csv',
      });
      return {
        status: res.statusCode,
        expectedStatus: 200,
        entity: { id: f.orgA.id, type: 'organization', name: f.orgA.name },
        description: `Updated users in bulk (append mode) in ${f.orgA.name}`,
        metadata: { mode: 'append', rows: 1, updatedCount: 1, userIds: [target.id], unchangedCount: 0 },
      };
    },
  },
  {
    type: 'users.bulk_updated.overwrite',
    async perform(f, send) {
      const target = await f.member(f.orgA.id, 'standard');
      await createSet(f, 'Bulk overwrite set');
      const res = await send('POST', '/users/bulk?mode=overwrite', `email,permissionSets\n${target.email},Bulk overwrite set\n`, {
        'content-type': 'text/csv',
      });
      return {
        status: res.statusCode,
        expectedStatus: 200,
        entity: { id: f.orgA.id, type: 'organization', name: f.orgA.name },
        description: `Updated users in bulk (overwrite mode) in ${f.orgA.name}`,
        metadata: { mode: 'overwrite', rows: 1, updatedCount: 1, userIds: [target.id], unchangedCount: 0 },
      };
    },
  },
  {
    type: 'invite_link.regenerated',
    async perform(f, send) {
      const old = (await f.call('owner', 'GET', `/api/v1/orgs/${f.orgA.id}/invite-link`)).json<{ id: string }>();
      const res = await send('POST', '/invite-link/regenerate');
      const link = res.json<{ id: string }>();
      return {
        status: res.statusCode,
        expectedStatus: 200,
        entity: { id: link.id, type: 'invite_link', name: f.orgA.name },
        description: `Regenerated the invite link of ${f.orgA.name}`,
        changes: [{ field: 'inviteLinkId', from: old.id, to: link.id }],
      };
    },
  },
  {
    type: 'user_list.exported',
    async perform(f, send) {
      const res = await send('GET', '/users/export');
      const rowCount = res.body.trim().split('\n').length - 1;
      return {
        status: res.statusCode,
        expectedStatus: 200,
        entity: { id: f.orgA.id, type: 'organization', name: f.orgA.name },
        description: `Exported the user list of ${f.orgA.name}`,
        metadata: { format: 'csv', rowCount },
      };
    },
  },
  {
    type: 'org.multi_org_visibility.updated',
    async perform(f, send) {
      // The owner of A also owns a sister organization C, so C is a related organization.
      const orgC = await f.ts.store.db
        .selectFrom('memberships')
        .select('org_id')
        .where('user_id', '=', f.users.owner.id)
        .where('org_id', '!=', f.orgA.id)
        .executeTakeFirstOrThrow();
      const res = await send('PUT', '/settings/multi-org-visibility', { visibleOrgIds: [orgC.org_id] });
      return {
        status: res.statusCode,
        expectedStatus: 200,
        entity: { id: f.orgA.id, type: 'organization', name: f.orgA.name },
        description: `Updated multiple organization user visibility of ${f.orgA.name}`,
        changes: [{ field: 'visibleOrgIds', from: [], to: [orgC.org_id] }],
      };
    },
  },
  {
    type: 'org.proxy_access.granted',
    async perform(f, send) {
      const guest = await f.member(f.orgB.id, 'admin');
      const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
      const res = await send('POST', '/proxy-access', { email: guest.email, userType: 'standard', expiresAt });
      return {
        status: res.statusCode,
        expectedStatus: 201,
        entity: { id: guest.id, type: 'user', name: label(guest) },
        description: `Granted proxy organization access to ${label(guest)}`,
        changes: [{ field: 'userType', from: null, to: 'standard' }],
        metadata: { proxyFromOrgId: f.orgB.id, expiresAt },
      };
    },
  },
];

describe('the User Management catalog is covered', () => {
  // Logins, organization creation (by an operator) and accepted invitations (by the invited account holder) are
  // not actions of A's owner: test/account-pre-hijacking.test.ts and test/organizations-for-platforms.test.ts cover them.
  const notByOwner = (t: string) => t.startsWith('session.') || t === 'org.created' || t === 'user.invitation.accepted';
  it('has one case per catalogued User Management action (19), sessions, organization creation and accepted invitations aside', () => {
    const catalogued = productAreaNamed('UserManagement')
      .eventTypes.map((d) => d.type)
      .filter((t) => !notByOwner(t));
    expect(catalogued).toHaveLength(19);
    expect(cases.map((c) => c.type).sort()).toEqual([...catalogued].sort());
  });
});

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`User Management events over HTTP (${kind})`, () => {
    let f: UserManagementFixture;
    let before = -1;
    beforeAll(async () => {
      f = await createUserManagementFixture(kind);
      // A sister organization C owned by A's owner, for the multi-organization visibility case.
      const now = Date.now();
      const orgCId = newId(now);
      await f.ts.store.db
        .insertInto('organizations')
        .values({ id: orgCId, name: 'Acme Catering', time_zone: 'UTC', created_at: now })
        .execute();
      await f.ts.store.db
        .insertInto('memberships')
        .values({
          org_id: orgCId,
          user_id: f.users.owner.id,
          user_type: 'owner',
          proxy_from_org_id: null,
          expires_at: null,
          created_at: now,
        })
        .execute();
    });
    afterAll(async () => f?.close());

    for (const c of cases) {
      it(`${c.type}: exactly one event with the right actor, entity, action, security flag, description and changes`, async () => {
        const send: Send = (method, path, body, headers = {}) =>
          f.call('owner', method, `/api/v1/orgs/${f.orgA.id}${path}`, body, {
            traceparent: TRACEPARENT,
            'user-agent': 'attest-test/1.0',
            ...headers,
          });
        // Setup inside `perform` may record events of its own; only what the action under test adds counts.
        const result = await c.perform(f, async (...args) => {
          before = await f.lastSeq(f.orgA.id);
          return send(...args);
        });
        expect(result.status).toBe(result.expectedStatus);
        const events = await f.eventsAfter(f.orgA.id, before);
        expect(events.map((e) => e.type)).toEqual([c.type]);
        const event = events[0]!;
        const def = findEventType(c.type)!;
        expect(event.product).toBe('UserManagement');
        expect(event.action).toBe(def.action);
        expect(event.activity).toBe(def.activity);
        expect(event.securityAction).toBe(def.securityAction);
        expect(event.actor).toEqual({
          id: f.users.owner.id,
          name: ownerLabel(f),
          email: f.users.owner.email,
          type: 'user',
          ip: '127.0.0.1',
          userAgent: 'attest-test/1.0',
        });
        expect(event.entity).toEqual({ ...result.entity, product: 'UserManagement' });
        expect(event.description).toBe(result.description);
        expect(event.changes).toEqual(result.changes);
        if (result.metadata) expect(event.metadata).toEqual(result.metadata);
        expect(event.traceId).toBe(TRACE_ID);
        expect(Date.parse(event.expiresAt) - Date.parse(event.occurredAt)).toBe(90 * 86_400_000);
      });
    }
  });
}
