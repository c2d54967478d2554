import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_THROTTLE } from '../src/auth/login-throttle.js';
import { storeMatrix } from './support/store-matrix.js';
import { createUserManagementFixture, type UserManagementFixture } from './user-management-fixture.js';

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`invite link, sessions, export and proxy access (${kind})`, () => {
    let f: UserManagementFixture;
    beforeAll(async () => {
      f = await createUserManagementFixture(kind);
    });
    afterAll(async () => f?.close());

    const join = (token: string, body: Record<string, string>) =>
      f.app.inject({ method: 'POST', url: `/api/v1/invites/${token}/join`, payload: body });
    const login = (email: string, password: string, remoteAddress = '127.0.0.1') =>
      f.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email, password },
        remoteAddress,
        headers: { 'user-agent': 'attest-test/1.0' },
      });

    /** Adds a user as A's owner and activates the account through its welcome link, as the person would. */
    async function activatedUser(email: string, name: string, password: string): Promise<string> {
      const added = await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/users`, { email, name, userType: 'standard' });
      expect(added.statusCode).toBe(201);
      const activated = await f.app.inject({
        method: 'POST',
        url: '/api/v1/activation',
        payload: { token: added.json<{ welcomeLink: { token: string } }>().welcomeLink.token, password },
      });
      expect(activated.statusCode).toBe(200);
      return added.json<{ id: string }>().id;
    }

    it('joining through the invite link adds a standard user and records it; after regeneration the old link stops working', async () => {
      const org = f.orgA.id;
      const first = (await f.call('admin', 'GET', `/api/v1/orgs/${org}/invite-link`)).json<{ id: string; token: string; url: string }>();
      expect(first.url).toBe(`/join/${first.token}`);
      // Only the answer that made the link holds its token: the store keeps its hash.
      expect((await f.call('owner', 'GET', `/api/v1/orgs/${org}/invite-link`)).json()).toMatchObject({
        id: first.id,
        token: null,
        url: null,
      });
      const stored = await f.ts.store.db.selectFrom('org_invite_links').selectAll().where('org_id', '=', org).execute();
      expect(JSON.stringify(stored)).not.toContain(first.token);

      const seq = await f.lastSeq(org);
      const joined = await join(first.token, { email: 'joiner@example.com', name: 'Jo Iner', password: 'joiner-password' });
      expect(joined.statusCode).toBe(202);
      expect(joined.json()).toEqual({ orgId: org });
      const { id: userId } = await f.ts.store.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'joiner@example.com')
        .executeTakeFirstOrThrow();
      const events = await f.eventsAfter(org, seq);
      expect(events.map((e) => e.type)).toEqual(['user.standard.added']);
      expect(events[0]).toMatchObject({
        actor: { id: userId, email: 'joiner@example.com', name: 'Jo Iner', type: 'user' },
        entity: { id: userId, type: 'user' },
        metadata: { via: 'invite_link' },
        changes: [{ field: 'userType', from: null, to: 'standard' }],
      });
      const list = (await f.call('owner', 'GET', `/api/v1/orgs/${org}/users?q=joiner`)).json<{ data: { id: string; userType: string }[] }>()
        .data;
      expect(list).toEqual([expect.objectContaining({ id: userId, userType: 'standard' })]);
      expect((await login('joiner@example.com', 'joiner-password')).statusCode).toBe(200);

      const regenerated = (await f.call('owner', 'POST', `/api/v1/orgs/${org}/invite-link/regenerate`)).json<{
        id: string;
        token: string;
      }>();
      expect(regenerated.token).not.toBe(first.token);
      const stale = await join(first.token, { email: 'late@example.com', name: 'Late', password: 'late-password' });
      expect(stale.statusCode).toBe(404);
      expect(
        await f.ts.store.db.selectFrom('users').select('id').where('email', '=', 'late@example.com').executeTakeFirst(),
      ).toBeUndefined();
      expect((await join(regenerated.token, { email: 'late@example.com', name: 'Late', password: 'late-password' })).statusCode).toBe(202);
      // Joining again changes nothing and answers the same.
      const seqAgain = await f.lastSeq(org);
      expect((await join(regenerated.token, { email: 'late@example.com', name: 'Late', password: 'other-password' })).statusCode).toBe(202);
      expect(await f.lastSeq(org)).toBe(seqAgain);
      expect((await login('late@example.com', 'other-password')).statusCode).toBe(401);
    });

    it('the invite link never reveals whether an email has an account: same answer, no password checked or changed, a pending membership to accept', async () => {
      const link = (await f.call('outsider', 'POST', `/api/v1/orgs/${f.orgB.id}/invite-link/regenerate`)).json<{ token: string }>();
      const holderId = await activatedUser('holder.of.account@example.com', 'Holder', 'holder-password');
      const seqB = await f.lastSeq(f.orgB.id);
      const existing = await join(link.token, { email: 'holder.of.account@example.com', name: 'Anyone', password: 'not-the-password' });
      const fresh = await join(link.token, { email: 'brand.new@example.com', name: 'Brand New', password: 'brand-new-password' });
      expect(existing.statusCode).toBe(fresh.statusCode);
      expect(existing.json()).toEqual(fresh.json());
      expect(existing.headers['set-cookie']).toBeUndefined();
      // The holder's password is unchanged, the joiner's guess opens nothing, and B recorded only the new user.
      expect((await login('holder.of.account@example.com', 'not-the-password')).statusCode).toBe(401);
      const signedIn = await login('holder.of.account@example.com', 'holder-password');
      expect(signedIn.statusCode).toBe(200);
      expect(signedIn.json<{ organizations: { orgId: string }[] }>().organizations.map((o) => o.orgId)).not.toContain(f.orgB.id);
      expect((await f.eventsAfter(f.orgB.id, seqB)).map((e) => e.entity.name)).toEqual(['Brand New (brand.new@example.com)']);
      // The account holder accepts with the invite link's token after signing in.
      const cookie = String(signedIn.headers['set-cookie']).split(';')[0] as string;
      const accepted = await f.app.inject({
        method: 'POST',
        url: '/api/v1/me/invitations/accept',
        headers: { cookie },
        payload: { token: link.token },
      });
      expect(accepted.json()).toEqual({ orgId: f.orgB.id, orgName: f.orgB.name, userType: 'standard' });
      const events = await f.eventsAfter(f.orgB.id, seqB);
      expect(events.map((e) => [e.type, e.actor.id])).toEqual([
        ['user.standard.added', expect.any(String)],
        ['user.invitation.accepted', holderId],
      ]);
      expect(events[1]?.metadata).toEqual({ invitedVia: 'invite_link' });
    });

    it("login success and failure are recorded in the user's organizations; an unknown email gets the same 401 and records nothing", async () => {
      const samId = await activatedUser('sam.session@example.com', 'Sam Session', 'sam-password-1');
      const seq = await f.lastSeq(f.orgA.id);
      const ok = await login('Sam.Session@example.com', 'sam-password-1');
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['set-cookie']).toContain('attest_session=');
      const bad = await login('sam.session@example.com', 'not-the-password');
      const unknown = await login('nobody.at.all@example.com', 'whatever-password');
      expect(bad.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      const strip = (body: Record<string, unknown>) => ({ ...body, instance: undefined });
      expect(strip(unknown.json())).toEqual(strip(bad.json()));
      const events = await f.eventsAfter(f.orgA.id, seq);
      expect(events.map((e) => [e.type, e.securityAction])).toEqual([
        ['session.login.succeeded', false],
        ['session.login.failed', true],
      ]);
      for (const e of events)
        expect(e).toMatchObject({
          actor: { id: samId, email: 'sam.session@example.com', type: 'user', ip: '127.0.0.1', userAgent: 'attest-test/1.0' },
          entity: { id: samId, type: 'user' },
        });
      const logout = await f.app.inject({
        method: 'DELETE',
        url: '/api/v1/session',
        headers: { cookie: String(ok.headers['set-cookie']).split(';')[0] },
      });
      expect(logout.statusCode).toBe(204);
    });

    it('logins are throttled per account at an address, and per address across accounts', async () => {
      await activatedUser('rita.rate@example.com', 'Rita Rate', 'rita-password-1');
      for (let i = 0; i < LOGIN_THROTTLE.accountAtAddressFreeFailures; i += 1)
        expect((await login('rita.rate@example.com', `wrong-${i}`, '10.0.0.1')).statusCode).toBe(401);
      const limited = await login('rita.rate@example.com', 'rita-password-1', '10.0.0.1');
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe(String(LOGIN_THROTTLE.firstDelayMs / 1000));
      // Rita at her own address is not held up by the guesses from 10.0.0.1.
      expect((await login('rita.rate@example.com', 'rita-password-1', '10.0.0.2')).statusCode).toBe(200);
      // Unknown emails are throttled the same way, so the 429 does not reveal accounts either.
      for (let i = 0; i < LOGIN_THROTTLE.accountAtAddressFreeFailures; i += 1) await login('ghost@example.com', `wrong-${i}`, '10.0.0.3');
      expect((await login('ghost@example.com', 'x', '10.0.0.3')).statusCode).toBe(429);

      for (let i = 0; i < LOGIN_THROTTLE.addressFreeFailures; i += 1)
        expect((await login(`spray.${i}@example.com`, 'guess', '10.9.9.9')).statusCode).toBe(401);
      expect((await login('fresh.target@example.com', 'guess', '10.9.9.9')).statusCode).toBe(429);
      expect((await login('fresh.target@example.com', 'guess', '10.9.9.10')).statusCode).toBe(401);
    });

    it("the user list export is CSV of the organization's users, recorded as a security action", async () => {
      const seq = await f.lastSeq(f.orgA.id);
      const res = await f.call('admin', 'GET', `/api/v1/orgs/${f.orgA.id}/users/export`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/csv');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="users-\d{4}-\d{2}-\d{2}\.csv"$/);
      const rows = parse(res.body, { columns: true }) as Record<string, string>[];
      const emails = rows.map((r) => r.email);
      expect(emails).toContain(f.users.owner.email);
      expect(emails).not.toContain(f.users.outsider.email);
      expect(rows.find((r) => r.email === f.users.proxy.email)).toMatchObject({ userType: 'admin', viaProxy: 'true' });
      const events = await f.eventsAfter(f.orgA.id, seq);
      expect(events.map((e) => [e.type, e.securityAction, e.actor.id, e.metadata])).toEqual([
        ['user_list.exported', true, f.users.admin.id, { format: 'csv', rowCount: rows.length }],
      ]);
    });

    it('proxy access: granted with type and expiry, listed, and refused for non-members of other organizations or existing members', async () => {
      const guest = await f.member(f.orgB.id, 'admin');
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const granted = await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/proxy-access`, {
        email: guest.email,
        userType: 'standard',
        expiresAt,
      });
      expect(granted.statusCode).toBe(201);
      expect(granted.json()).toEqual({
        userId: guest.id,
        email: guest.email,
        name: guest.name,
        userType: 'standard',
        proxyFromOrgId: f.orgB.id,
        expiresAt,
      });
      const listed = (await f.call('owner', 'GET', `/api/v1/orgs/${f.orgA.id}/proxy-access`))
        .json<{ data: { userId: string }[] }>()
        .data.map((p) => p.userId);
      expect(listed).toEqual(expect.arrayContaining([guest.id, f.users.proxy.id]));
      expect(
        (await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/proxy-access`, { email: guest.email, userType: 'admin' })).statusCode,
      ).toBe(409);
      expect(
        (await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/proxy-access`, { email: f.users.admin.email, userType: 'admin' }))
          .statusCode,
      ).toBe(400);
      const past = await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/proxy-access`, {
        email: f.users.outsider.email,
        userType: 'admin',
        expiresAt: '2020-01-01T00:00:00.000Z',
      });
      expect(past.json<{ errors: unknown[] }>().errors).toEqual([{ field: 'expiresAt', reason: 'must be in the future' }]);
      // The guest now acts in A as a standard user: no user management there.
      expect(
        (await f.app.inject({ method: 'GET', url: `/api/v1/orgs/${f.orgA.id}/users`, headers: { cookie: guest.cookie } })).statusCode,
      ).toBe(403);
    });
  });
}
