import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createOperatorToken, createProducerKey } from '../src/auth/credentials.js';
import { FixedClock } from '../src/core/clock.js';
import { activateAccount } from '../src/features/user-management/account-activation-commands.js';
import { storeMatrix } from './support/store-matrix.js';
import { createUserManagementFixture, type UserManagementFixture } from './user-management-fixture.js';

/**
 * Account pre-hijacking across organizations: the owner of organization X (the attacker) creates an account for
 * an email of organization Y's CFO and gets a password onto it; when Y later adds that email as an owner, the
 * attacker's password must not open Y's audit log. Organization B of the fixture plays X, A plays Y.
 */

interface WelcomeLinkView {
  id: string;
  token: string;
  url: string;
  expiresAt: string;
}
interface AddedView {
  id: string;
  email: string;
  name: string;
  userType: string;
  status: 'active' | 'pending';
  welcomeLink: WelcomeLinkView;
}

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`account pre-hijacking (${kind})`, () => {
    let f: UserManagementFixture;
    beforeAll(async () => {
      f = await createUserManagementFixture(kind);
    });
    afterAll(async () => f?.close());

    const login = (email: string, password: string) =>
      f.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password }, remoteAddress: '198.51.100.7' });
    const cookieOf = (res: { headers: Record<string, unknown> }) => String(res.headers['set-cookie']).split(';')[0] as string;
    const activate = (token: string, password: string) =>
      f.app.inject({ method: 'POST', url: '/api/v1/activation', payload: { token, password } });

    it("nobody sets another person's password: adding a user with a password is refused", async () => {
      const res = await f.call('outsider', 'POST', `/api/v1/orgs/${f.orgB.id}/users`, {
        email: 'someone@victim.test',
        name: 'Some One',
        userType: 'standard',
        password: 'chosen-by-the-adder',
      });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(
        await f.ts.store.db.selectFrom('users').select('id').where('email', '=', 'someone@victim.test').executeTakeFirst(),
      ).toBeUndefined();
    });

    it("the attacker's password on a pre-created account gives no access to the organization that adds the email later", async () => {
      // X's owner creates the CFO's account and, holding the welcome link, sets a password on it.
      const created = await f.call('outsider', 'POST', `/api/v1/orgs/${f.orgB.id}/users`, {
        email: 'cfo@victim.test',
        name: 'Attacker-chosen Name',
        userType: 'standard',
      });
      expect(created.statusCode).toBe(201);
      const fromX = created.json<AddedView>();
      expect(fromX.status).toBe('active');
      expect((await activate(fromX.welcomeLink.token, 'attacker-password')).statusCode).toBe(200);

      // Y's owner adds the same email as an owner: a pending membership, described with Y's own words only.
      const seqY = await f.lastSeq(f.orgA.id);
      const addedByY = await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/users`, {
        email: 'CFO@victim.test',
        name: 'Carla Finance',
        userType: 'owner',
      });
      expect(addedByY.statusCode).toBe(201);
      const fromY = addedByY.json<AddedView>();
      expect(fromY).toMatchObject({ email: 'cfo@victim.test', name: 'Carla Finance', userType: 'owner', status: 'pending' });
      expect(addedByY.body).not.toContain('Attacker-chosen');
      // The same shape as the answer for an email without an account.
      const fresh = (
        await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/users`, {
          email: 'new.person@victim.test',
          name: 'New Person',
          userType: 'standard',
        })
      ).json<AddedView>();
      expect(Object.keys(fromY).sort()).toEqual(Object.keys(fresh).sort());
      expect(Object.keys(fromY.welcomeLink).sort()).toEqual(Object.keys(fresh.welcomeLink).sort());

      // The attacker signs in with their password: Y's audit log and Y's users stay closed.
      const session = await login('cfo@victim.test', 'attacker-password');
      expect(session.statusCode).toBe(200);
      const cookie = cookieOf(session);
      const as = (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
        f.app.inject({ method, url, headers: { cookie }, ...(payload ? { payload } : {}) });
      for (const path of ['audit-logs', 'audit-logs/export?scope=all', 'users', 'invite-link']) {
        const res = await as('GET', `/api/v1/orgs/${f.orgA.id}/${path}`);
        expect({ path, status: res.statusCode }).toEqual({ path, status: 404 });
      }
      const me = (await as('GET', '/api/v1/me')).json<{
        organizations: { orgId: string }[];
        invitations: { orgId: string; userType: string }[];
      }>();
      expect(me.organizations.map((o) => o.orgId)).toEqual([f.orgB.id]);
      expect(me.invitations).toEqual([expect.objectContaining({ orgId: f.orgA.id, userType: 'owner' })]);

      // Accepting needs the invitation link Y handed out; the attacker's own link, a guess or nothing do not do.
      for (const token of [fromX.welcomeLink.token, 'ata_guessed-token-value', fresh.welcomeLink.token]) {
        const refused = await as('POST', '/api/v1/me/invitations/accept', { token });
        expect(refused.statusCode).toBe(404);
        expect(refused.headers['content-type']).toContain('application/problem+json');
      }
      expect((await as('GET', `/api/v1/orgs/${f.orgA.id}/audit-logs`)).statusCode).toBe(404);

      // Nothing of that account was recorded in Y besides Y's own addition: no login, no failed login.
      expect((await login('cfo@victim.test', 'wrong-password')).statusCode).toBe(401);
      const events = await f.eventsAfter(f.orgA.id, seqY);
      expect(events.map((e) => [e.type, e.actor.id])).toEqual([
        ['user.privileged.added', f.users.owner.id],
        ['user.standard.added', f.users.owner.id],
      ]);
      expect(events[0]?.metadata).toEqual({
        membership: 'pending',
        welcomeLinkId: fromY.welcomeLink.id,
        welcomeLinkExpiresAt: fromY.welcomeLink.expiresAt,
      });
      expect(JSON.stringify(events)).not.toContain(fromY.welcomeLink.token);
      expect(JSON.stringify(events)).not.toContain(fresh.welcomeLink.token);
    });

    it("the account holder accepts with the organization's link; from then on the membership counts and logins are recorded there", async () => {
      const holder = await f.call('outsider', 'POST', `/api/v1/orgs/${f.orgB.id}/users`, {
        email: 'holder@partner.test',
        name: 'Hol Der',
        userType: 'standard',
      });
      expect((await activate(holder.json<AddedView>().welcomeLink.token, 'holder-password')).statusCode).toBe(200);
      const invited = (
        await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/users`, {
          email: 'holder@partner.test',
          name: 'Holder',
          userType: 'admin',
        })
      ).json<AddedView>();
      const listed = (await f.call('admin', 'GET', `/api/v1/orgs/${f.orgA.id}/invitations`)).json<{
        data: { email: string; name: string; userType: string }[];
      }>().data;
      expect(listed).toContainEqual(
        expect.objectContaining({ email: 'holder@partner.test', name: 'Holder', userType: 'admin', invitedVia: 'user' }),
      );
      const users = (await f.call('owner', 'GET', `/api/v1/orgs/${f.orgA.id}/users?q=holder`)).json<{ data: unknown[] }>().data;
      expect(users).toEqual([]);

      const seq = await f.lastSeq(f.orgA.id);
      const signIn = await login('holder@partner.test', 'holder-password');
      expect((await f.eventsAfter(f.orgA.id, seq)).map((e) => e.type)).toEqual([]);
      const cookie = cookieOf(signIn);
      const accepted = await f.app.inject({
        method: 'POST',
        url: '/api/v1/me/invitations/accept',
        headers: { cookie },
        payload: { token: invited.welcomeLink.token },
      });
      expect(accepted.statusCode).toBe(200);
      expect(accepted.json()).toEqual({ orgId: f.orgA.id, orgName: f.orgA.name, userType: 'admin' });
      expect(
        (
          await f.app.inject({
            method: 'POST',
            url: '/api/v1/me/invitations/accept',
            headers: { cookie },
            payload: { token: invited.welcomeLink.token },
          })
        ).statusCode,
      ).toBe(404);
      expect((await f.app.inject({ method: 'GET', url: `/api/v1/orgs/${f.orgA.id}/users`, headers: { cookie } })).statusCode).toBe(200);
      await login('holder@partner.test', 'holder-password');
      const events = await f.eventsAfter(f.orgA.id, seq);
      expect(events.map((e) => [e.type, e.actor.email, e.securityAction])).toEqual([
        ['user.invitation.accepted', 'holder@partner.test', true],
        ['session.login.succeeded', 'holder@partner.test', false],
      ]);
      expect(events[0]?.changes).toEqual([{ field: 'userType', from: null, to: 'admin' }]);
    });

    it('a declined invitation disappears, gives nothing and records nothing; API tokens and strangers cannot answer invitations', async () => {
      const invited = await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/users`, {
        email: f.users.outsider.email,
        name: 'Out Sider',
        userType: 'standard',
      });
      expect(invited.json<AddedView>().status).toBe('pending');
      const seq = await f.lastSeq(f.orgA.id);
      expect((await f.app.inject({ method: 'POST', url: `/api/v1/me/invitations/${f.orgA.id}/decline` })).statusCode).toBe(401);
      expect((await f.call('standard', 'POST', `/api/v1/me/invitations/${f.orgA.id}/decline`)).statusCode).toBe(404);
      expect((await f.call('outsider', 'POST', `/api/v1/me/invitations/${f.orgA.id}/decline`)).statusCode).toBe(204);
      expect((await f.call('outsider', 'GET', '/api/v1/me')).json<{ invitations: unknown[] }>().invitations).toEqual([]);
      expect(
        (await f.call('outsider', 'POST', '/api/v1/me/invitations/accept', { token: invited.json<AddedView>().welcomeLink.token }))
          .statusCode,
      ).toBe(404);
      expect(await f.lastSeq(f.orgA.id)).toBe(seq);
    });

    it('accepting and declining are for the signed-in account holder: anonymous 401; owner API token, producer key and operator token 403', async () => {
      const now = Date.now();
      const bearers = {
        'owner API token': (await createApiToken(f.ts.store.db, f.users.owner.id, 'test', now)).secret,
        'producer key': (await createProducerKey(f.ts.store.db, 'test', ['UserManagement'], now)).secret,
        'operator token': (await createOperatorToken(f.ts.store.db, 'test', now)).secret,
      };
      for (const [url, payload] of [
        ['/api/v1/me/invitations/accept', { token: 'ata_anything-at-all-here' }],
        [`/api/v1/me/invitations/${f.orgA.id}/decline`, undefined],
      ] as const) {
        expect((await f.app.inject({ method: 'POST', url, ...(payload ? { payload } : {}) })).statusCode).toBe(401);
        for (const [who, secret] of Object.entries(bearers)) {
          const res = await f.app.inject({
            method: 'POST',
            url,
            headers: { authorization: `Bearer ${secret}` },
            ...(payload ? { payload } : {}),
          });
          expect({ who, url, status: res.statusCode }).toEqual({ who, url, status: 403 });
        }
      }
    });

    it('an invitation whose link expired cannot be accepted, is listed nowhere, and the email can be added again', async () => {
      const elsewhere = await f.member(f.orgB.id, 'standard');
      const first = (
        await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/users`, {
          email: elsewhere.email,
          name: 'Late Taker',
          userType: 'standard',
        })
      ).json<AddedView>();
      // Seven days pass (the link's expiry moved into the past).
      await f.ts.store.db
        .updateTable('membership_invitations')
        .set({ expires_at: Date.now() - 1 })
        .where('org_id', '=', f.orgA.id)
        .where('user_id', '=', elsewhere.id)
        .execute();
      const me = await f.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: elsewhere.cookie } });
      expect(me.json<{ invitations: unknown[] }>().invitations).toEqual([]);
      expect(
        (await f.call('owner', 'GET', `/api/v1/orgs/${f.orgA.id}/invitations`))
          .json<{ data: { email: string }[] }>()
          .data.map((i) => i.email),
      ).not.toContain(elsewhere.email);
      const late = await f.app.inject({
        method: 'POST',
        url: '/api/v1/me/invitations/accept',
        headers: { cookie: elsewhere.cookie },
        payload: { token: first.welcomeLink.token },
      });
      expect(late.statusCode).toBe(404);
      const again = await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/users`, {
        email: elsewhere.email,
        name: 'Late Taker',
        userType: 'standard',
      });
      expect(again.statusCode).toBe(201);
      const accepted = await f.app.inject({
        method: 'POST',
        url: '/api/v1/me/invitations/accept',
        headers: { cookie: elsewhere.cookie },
        payload: { token: again.json<AddedView>().welcomeLink.token },
      });
      expect(accepted.statusCode).toBe(200);
    });

    it('an activation link works once, within 7 days, and only for an account without a password', async () => {
      const added = (
        await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/users`, { email: 'once@example.com', name: 'Once', userType: 'standard' })
      ).json<AddedView>();
      const late = activateAccount(
        { store: f.ts.store, clock: new FixedClock(Date.parse(added.welcomeLink.expiresAt) + 1) },
        { token: added.welcomeLink.token, password: 'too-late-password' },
      );
      await expect(late).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const again = (
        await f.call('owner', 'POST', `/api/v1/orgs/${f.orgA.id}/users`, {
          email: 'twice@example.com',
          name: 'Twice',
          userType: 'standard',
        })
      ).json<AddedView>();
      const first = await activate(again.welcomeLink.token, 'first-password');
      expect(first.statusCode).toBe(200);
      expect(String(first.headers['set-cookie'])).toContain('attest_session=');
      const second = await activate(again.welcomeLink.token, 'second-password');
      expect(second.statusCode).toBe(404);
      expect(second.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('token');
      expect((await login('twice@example.com', 'first-password')).statusCode).toBe(200);
      expect((await login('twice@example.com', 'second-password')).statusCode).toBe(401);
      const stored = await f.ts.store.db.selectFrom('account_activations').selectAll().execute();
      expect(JSON.stringify(stored)).not.toContain(added.welcomeLink.token);
    });
  });
}
