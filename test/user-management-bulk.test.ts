import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeMatrix } from './support/store-matrix.js';
import { createUserManagementFixture, type UserManagementFixture } from './user-management-fixture.js';

interface ListedUser {
  id: string;
  email: string;
  userType: string;
  permissionSetIds: string[];
  customPermissionIds: string[];
  entityIds: string[];
}

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`bulk users from CSV (${kind})`, () => {
    let f: UserManagementFixture;
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      f = await createUserManagementFixture(kind);
      const org = `/api/v1/orgs/${f.orgA.id}`;
      for (const name of ['Cashiers', 'Managers', 'Auditors'])
        ids[name] = (await f.call('owner', 'POST', `${org}/permission-sets`, { name, permissions: ['users.view'] })).json<{
          id: string;
        }>().id;
      ids['refunds.approve'] = (
        await f.call('owner', 'POST', `${org}/custom-permissions`, { name: 'refunds.approve', description: 'Approve refunds' })
      ).json<{ id: string }>().id;
      for (const e of (await f.call('owner', 'GET', `${org}/entities`)).json<{ data: { id: string; name: string }[] }>().data)
        ids[e.name] = e.id;
    });
    afterAll(async () => f?.close());

    const bulk = (mode: string, csv: string, role: 'owner' | 'admin' = 'owner') =>
      f.call(role, 'POST', `/api/v1/orgs/${f.orgA.id}/users/bulk?mode=${mode}`, csv, { 'content-type': 'text/csv' });
    const users = async () =>
      new Map(
        (await f.call('owner', 'GET', `/api/v1/orgs/${f.orgA.id}/users`)).json<{ data: ListedUser[] }>().data.map((u) => [u.email, u]),
      );

    it('a good file adds every user with their type and access, and records one event with counts and ids', async () => {
      const seq = await f.lastSeq(f.orgA.id);
      const csv = [
        '\uFEFFemail,name,userType,permissionSets,customPermissions,entities',
        'ana@example.com,Ana Lima,standard,Cashiers,,Downtown Store;North Zone',
        'ben@example.com,"Ben ""the boss"" Okafor",admin,Managers;Cashiers,refunds.approve,',
        'CAROL@example.com,Carol Diaz,,,,store:Airport Store',
      ].join('\r\n');
      const res = await bulk('add', csv);
      expect(res.statusCode).toBe(200);
      const welcome = { welcomeUrl: expect.stringMatching(/^\/welcome\/ata_[\w-]{43}$/), welcomeLinkExpiresAt: expect.any(String) };
      expect(res.json()).toEqual({
        applied: true,
        rows: 3,
        errors: [],
        added: ['ana@example.com', 'ben@example.com', 'carol@example.com'].map((email) => ({ email, status: 'active', ...welcome })),
      });
      const list = await users();
      expect(list.get('ana@example.com')).toMatchObject({
        userType: 'standard',
        permissionSetIds: [ids.Cashiers],
        customPermissionIds: [],
        entityIds: [ids['Downtown Store'], ids['North Zone']].sort(),
      });
      expect(list.get('ben@example.com')).toMatchObject({
        userType: 'admin',
        permissionSetIds: [ids.Cashiers, ids.Managers].sort(),
        customPermissionIds: [ids['refunds.approve']],
      });
      expect(list.get('carol@example.com')).toMatchObject({ userType: 'standard', entityIds: [ids['Airport Store']] });
      const events = await f.eventsAfter(f.orgA.id, seq);
      expect(events.map((e) => e.type)).toEqual(['users.bulk_added']);
      const added = ['ana@example.com', 'ben@example.com', 'carol@example.com'].map((e) => list.get(e)?.id);
      expect(events[0]?.metadata).toEqual({ mode: 'add', rows: 3, addedCount: 3, userIds: added, pendingCount: 0 });
      // Each new user sets their own password through their link.
      const anaLink = res.json<{ added: { email: string; welcomeUrl: string }[] }>().added[0]?.welcomeUrl ?? '';
      const activated = await f.app.inject({
        method: 'POST',
        url: '/api/v1/activation',
        payload: { token: anaLink.replace('/welcome/', ''), password: 'ana-own-password' },
      });
      expect(activated.json()).toMatchObject({ user: { email: 'ana@example.com' } });
    });

    it('adds existing accounts as pending memberships, and answers the welcome links as CSV when asked', async () => {
      const elsewhere = await f.member(f.orgB.id, 'admin', { email: '=formula.person@example.com' });
      const seq = await f.lastSeq(f.orgA.id);
      const res = await f.call(
        'owner',
        'POST',
        `/api/v1/orgs/${f.orgA.id}/users/bulk?mode=add`,
        `email,name,userType,permissionSets\n${elsewhere.email},Named Here,admin,Auditors\nnew.in.csv@example.com,New In Csv,standard,\n`,
        { 'content-type': 'text/csv', accept: 'text/csv' },
      );
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/csv');
      const lines = res.body.trim().split('\n');
      expect(lines[0]).toBe('email,status,welcomeUrl,welcomeLinkExpiresAt');
      // A cell a spreadsheet would run as a formula is neutralised.
      expect(lines[1]).toMatch(/^'=formula\.person@example\.com,pending,\/welcome\/ata_[\w-]{43},\d{4}-/);
      expect(lines[2]).toMatch(/^new\.in\.csv@example\.com,active,\/welcome\/ata_[\w-]{43},/);
      // The pending account is no member and has no access until its holder accepts through the link.
      expect((await users()).has(elsewhere.email)).toBe(false);
      expect(
        (await f.app.inject({ method: 'GET', url: `/api/v1/orgs/${f.orgA.id}/users`, headers: { cookie: elsewhere.cookie } })).statusCode,
      ).toBe(404);
      const events = await f.eventsAfter(f.orgA.id, seq);
      expect(events[0]?.metadata).toMatchObject({ mode: 'add', addedCount: 2, pendingCount: 1 });
      expect(JSON.stringify(events)).not.toContain('ata_');
      const token = (lines[1] as string).split(',')[2]?.replace('/welcome/', '') ?? '';
      const accepted = await f.app.inject({
        method: 'POST',
        url: '/api/v1/me/invitations/accept',
        headers: { cookie: elsewhere.cookie },
        payload: { token },
      });
      expect(accepted.json()).toMatchObject({ orgId: f.orgA.id, userType: 'admin' });
      expect((await users()).get(elsewhere.email)).toMatchObject({ userType: 'admin', permissionSetIds: [ids.Auditors] });
      const again = await bulk('add', `email,name\n${elsewhere.email},Again\n`);
      expect(again.json<{ errors: unknown[] }>().errors).toEqual([
        { line: 2, field: 'email', reason: `${elsewhere.email} is already a member of this organization` },
      ]);
    });

    it('a file with bad rows reports each problem with its line, and applies nothing', async () => {
      const seq = await f.lastSeq(f.orgA.id);
      const before = await users();
      const csv = [
        'email,name,userType,permissionSets,entities',
        'dana@example.com,Dana,standard,Cashiers,', // line 2: fine on its own
        'not-an-email,Eve,standard,,', // line 3
        'frank@example.com,,standard,,', // line 4: no name
        'gina@example.com,Gina,superuser,,', // line 5
        'hal@example.com,Hal,standard,Nonexistent set,', // line 6
        'ivy@example.com,Ivy,standard,,Moon Base', // line 7
        'dana@example.com,Dana Again,standard,,', // line 8: duplicate of line 2
        'ana@example.com,Ana,standard,,', // line 9: already a member
      ].join('\n');
      const res = await bulk('add', csv);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const body = res.json<{
        applied: boolean;
        rows: number;
        errors: { line: number; field: string; reason: string }[];
        detail: string;
      }>();
      expect(body.applied).toBe(false);
      expect(body.detail).toMatch(/^Line 3: email/);
      expect(body.errors.map((e) => [e.line, e.field])).toEqual([
        [3, 'email'],
        [4, 'name'],
        [5, 'userType'],
        [8, 'email'],
      ]);
      // Name lookups and membership checks come after the format checks pass, so fix those and look again.
      const second = await bulk(
        'add',
        csv
          .split('\n')
          .filter((_, i) => ![2, 3, 4, 7].includes(i))
          .join('\n'),
      );
      expect(second.json<{ errors: { line: number; field: string; reason: string }[] }>().errors).toEqual([
        { line: 3, field: 'permissionSets', reason: 'no permissionSet named "Nonexistent set" in this organization' },
        { line: 4, field: 'entities', reason: 'no entity named "Moon Base" in this organization' },
        { line: 5, field: 'email', reason: 'ana@example.com is already a member of this organization' },
      ]);
      expect(await users()).toEqual(before);
      expect(await f.lastSeq(f.orgA.id)).toBe(seq);
    });

    it('header problems are line 1: an unknown column, a missing required column, an empty file', async () => {
      const unknown = await bulk('append', 'email,userType\nana@example.com,admin\n');
      expect(unknown.json<{ errors: unknown[] }>().errors).toEqual([
        {
          line: 1,
          field: 'userType',
          reason: 'is not a column of append mode; expected email, permissionSets, customPermissions, entities',
        },
      ]);
      const missing = await bulk('add', 'email\nx@example.com\n');
      expect(missing.json<{ errors: unknown[] }>().errors).toEqual([{ line: 1, field: 'name', reason: 'column is required' }]);
      const empty = await bulk('add', '');
      expect(empty.statusCode).toBe(400);
      expect(empty.json<{ errors: { line: number }[] }>().errors[0]?.line).toBe(1);
      const broken = await bulk('add', 'email,name\n"unterminated,Name\n');
      expect(broken.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('file');
    });

    it('append adds to what users have; overwrite replaces the listed columns', async () => {
      const setup = await bulk(
        'add',
        'email,name,permissionSets,entities\nappend.me@example.com,Append Me,Cashiers,North Zone\noverwrite.me@example.com,Overwrite Me,Cashiers,North Zone\n',
      );
      expect(setup.statusCode).toBe(200);
      const seq = await f.lastSeq(f.orgA.id);
      expect((await bulk('append', 'email,permissionSets\nappend.me@example.com,Managers\n')).statusCode).toBe(200);
      expect((await bulk('overwrite', 'email,permissionSets\noverwrite.me@example.com,Managers\n')).statusCode).toBe(200);
      const list = await users();
      expect(list.get('append.me@example.com')).toMatchObject({
        permissionSetIds: [ids.Cashiers, ids.Managers].sort(),
        entityIds: [ids['North Zone']],
      });
      expect(list.get('overwrite.me@example.com')).toMatchObject({ permissionSetIds: [ids.Managers], entityIds: [ids['North Zone']] });
      const events = await f.eventsAfter(f.orgA.id, seq);
      expect(events.map((e) => e.type)).toEqual(['users.bulk_updated.append', 'users.bulk_updated.overwrite']);
      expect(events[0]?.metadata).toMatchObject({ mode: 'append', rows: 1, updatedCount: 1, unchangedCount: 0 });

      // The same files again: append finds nothing to add, overwrite nothing to replace; each still one event.
      expect((await bulk('append', 'email,permissionSets\nappend.me@example.com,Managers\n')).statusCode).toBe(200);
      expect((await bulk('overwrite', 'email,permissionSets,entities\noverwrite.me@example.com,Managers,\n')).statusCode).toBe(200);
      const again = await f.eventsAfter(f.orgA.id, seq + 2);
      expect(again.map((e) => e.metadata)).toEqual([
        { mode: 'append', rows: 1, updatedCount: 0, unchangedCount: 1, userIds: [] },
        { mode: 'overwrite', rows: 1, updatedCount: 1, unchangedCount: 0, userIds: [list.get('overwrite.me@example.com')?.id] },
      ]);
      expect((await users()).get('overwrite.me@example.com')).toMatchObject({ permissionSetIds: [ids.Managers], entityIds: [] });
    });

    it('updating someone who is not a member is a line error', async () => {
      const res = await bulk('overwrite', 'email,permissionSets\nstranger@example.com,Managers\n');
      expect(res.json<{ errors: unknown[] }>().errors).toEqual([
        { line: 2, field: 'email', reason: 'stranger@example.com is not a member of this organization' },
      ]);
    });

    it('takes a 10,000-row file in one operation with one event; 10,001 rows are refused', async () => {
      const rows = Array.from({ length: 10_000 }, (_, i) => `load.${i}@example.com,Load User ${i},standard,Cashiers,,North Zone`);
      const seq = await f.lastSeq(f.orgA.id);
      const res = await bulk('add', ['email,name,userType,permissionSets,customPermissions,entities', ...rows].join('\n'));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ applied: true, rows: 10_000, errors: [] });
      expect(res.json<{ added: unknown[] }>().added).toHaveLength(10_000);
      const count = await f.ts.store.db
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .where('memberships.org_id', '=', f.orgA.id)
        .where('users.email', 'like', 'load.%')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(10_000);
      const grants = await f.ts.store.db
        .selectFrom('membership_grants')
        .where('org_id', '=', f.orgA.id)
        .where('target_id', '=', ids.Cashiers!)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(grants.n)).toBeGreaterThanOrEqual(10_000);
      const events = await f.eventsAfter(f.orgA.id, seq);
      expect(events).toHaveLength(1);
      const metadata = events[0]?.metadata as { addedCount: number; userIds: string[]; userIdsOmitted: number };
      expect(metadata.addedCount).toBe(10_000);
      expect(metadata.userIds).toHaveLength(150);
      expect(metadata.userIdsOmitted).toBe(9_850);
      expect(Buffer.byteLength(JSON.stringify(metadata))).toBeLessThanOrEqual(8 * 1024);

      const tooMany = await bulk(
        'add',
        ['email,name', ...Array.from({ length: 10_001 }, (_, i) => `over.${i}@example.com,Over ${i}`)].join('\n'),
      );
      expect(tooMany.statusCode).toBe(400);
      expect(tooMany.json<{ errors: unknown[] }>().errors).toEqual([
        { line: 10_002, field: 'file', reason: 'has 10001 rows; at most 10000 are allowed' },
      ]);
    });
  });
}
