import { afterEach, describe, expect, it } from 'vitest';
import { LOGIN_THROTTLE } from '../src/auth/login-throttle.js';
import { hashPassword } from '../src/auth/passwords.js';
import { FixedClock } from '../src/core/clock.js';
import { newId } from '../src/core/ids.js';
import { insertMembership, insertOrganization, insertUser } from '../src/store/queries/tenancy-queries.js';
import { createConfiguredApp, type ConfiguredApp } from './support/configured-app.js';
import { storeMatrix } from './support/store-matrix.js';

const OWNER = { email: 'olga.owner@example.com', password: 'the-owners-own-password' };

/** An organization whose owner has a password, over the app; returns the organization id. */
async function withOwner(a: ConfiguredApp): Promise<string> {
  const { store } = a.testStore;
  const now = store.clock.now();
  const orgId = newId(now);
  const userId = newId(now);
  await insertOrganization(store.db, { id: orgId, name: 'Throttled Inc', timeZone: 'UTC' }, now);
  await insertUser(store.db, {
    id: userId,
    email: OWNER.email,
    name: 'Olga Owner',
    password_hash: await hashPassword(OWNER.password),
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
  return orgId;
}

const login = (a: ConfiguredApp, password: string, remoteAddress: string, email = OWNER.email) =>
  a.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password }, remoteAddress });

async function failedLoginsRecorded(a: ConfiguredApp, orgId: string): Promise<number> {
  const rows = await a.testStore.store.db.selectFrom('audit_events').select('type').where('org_id', '=', orgId).execute();
  return rows.filter((r) => r.type === 'session.login.failed').length;
}

// The store runs on a fixed clock, so no wait runs out while a test is slow: what is held stays held.
for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`login throttle (${kind})`, () => {
    let a: ConfiguredApp | undefined;
    afterEach(async () => {
      await a?.close();
      a = undefined;
    });

    it('20 wrong guesses sent at once: only the free ones have their password checked, the rest get 429 unchecked', async () => {
      a = await createConfiguredApp(kind, {}, new FixedClock(Date.parse('2026-11-02T09:00:00.000Z')));
      const orgId = await withOwner(a);
      const app = a;
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => login(app, `parallel-guess-${i}`, '203.0.113.7')));
      const statuses = answers.map((r) => r.statusCode).sort();
      const free = LOGIN_THROTTLE.accountAtAddressFreeFailures;
      expect(statuses).toEqual([...Array.from({ length: free }, () => 401), ...Array.from({ length: 20 - free }, () => 429)]);
      // Every checked wrong password is recorded: as many as were let through, no more.
      expect(await failedLoginsRecorded(app, orgId)).toBe(free);
      for (const limited of answers.filter((r) => r.statusCode === 429)) {
        expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(limited.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
        expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
    });

    it('a flood of wrong passwords from one address slows that address, while the owner signs in from theirs at once', async () => {
      a = await createConfiguredApp(kind, {}, new FixedClock(Date.parse('2026-11-02T09:00:00.000Z')));
      await withOwner(a);
      const app = a;
      const flood = await Promise.all(Array.from({ length: 40 }, (_, i) => login(app, `flood-${i}`, '198.51.100.66')));
      expect(flood.filter((r) => r.statusCode === 429).length).toBeGreaterThanOrEqual(40 - LOGIN_THROTTLE.accountAtAddressFreeFailures);
      // The attacker's address waits even with the right password …
      expect((await login(app, OWNER.password, '198.51.100.66')).statusCode).toBe(429);
      // … and the owner, from the address they use, is let in at once.
      const owner = await login(app, OWNER.password, '192.0.2.10');
      expect(owner.statusCode).toBe(200);
      expect(owner.headers['set-cookie']).toContain('attest_session=');
    });

    it('the wait doubles with each further failure up to its ceiling; a right password starts the account at that address over; a quiet hour forgets', async () => {
      const clock = new FixedClock(Date.parse('2026-11-02T09:00:00.000Z'));
      a = await createConfiguredApp(kind, {}, clock);
      await withOwner(a);
      const address = '203.0.113.99';
      for (let i = 0; i < LOGIN_THROTTLE.accountAtAddressFreeFailures; i += 1)
        expect((await login(a, `wrong-${i}`, address)).statusCode).toBe(401);
      const waits: number[] = [];
      for (let i = 0; i < 12; i += 1) {
        const held = await login(a, 'wrong-again', address);
        expect(held.statusCode).toBe(429);
        const wait = Number(held.headers['retry-after']);
        waits.push(wait);
        clock.set(clock.now() + wait * 1000);
        expect((await login(a, `wrong-after-wait-${i}`, address)).statusCode).toBe(401);
      }
      expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);

      // From another address: a right password starts the account over there, so five typos later are free again.
      const home = '192.0.2.44';
      for (let i = 0; i < LOGIN_THROTTLE.accountAtAddressFreeFailures - 1; i += 1)
        expect((await login(a, `typo-${i}`, home)).statusCode).toBe(401);
      expect((await login(a, OWNER.password, home)).statusCode).toBe(200);
      for (let i = 0; i < LOGIN_THROTTLE.accountAtAddressFreeFailures; i += 1)
        expect((await login(a, `later-typo-${i}`, home)).statusCode).toBe(401);
      expect((await login(a, 'one-typo-too-many', home)).statusCode).toBe(429);

      // An hour without failures, and the flooded address starts over too.
      clock.set(clock.now() + LOGIN_THROTTLE.forgetAfterMs);
      expect((await login(a, 'after-an-hour', address)).statusCode).toBe(401);
      expect((await login(a, OWNER.password, address)).statusCode).toBe(200);
    });

    it('spraying one password over many accounts from one address is slowed per address, other addresses are not', async () => {
      a = await createConfiguredApp(kind, {}, new FixedClock(Date.parse('2026-11-02T09:00:00.000Z')));
      await withOwner(a);
      const app = a;
      const sprayed = await Promise.all(
        Array.from({ length: 30 }, (_, i) => login(app, 'Summer2026!', '198.51.100.5', `sprayed.${i}@example.com`)),
      );
      expect(sprayed.filter((r) => r.statusCode === 401).length).toBe(LOGIN_THROTTLE.addressFreeFailures);
      expect(sprayed.filter((r) => r.statusCode === 429).length).toBe(30 - LOGIN_THROTTLE.addressFreeFailures);
      expect((await login(app, OWNER.password, '198.51.100.5')).statusCode).toBe(429);
      expect((await login(app, OWNER.password, '198.51.100.6')).statusCode).toBe(200);
    });
    it('behind one proxy (ATTEST_TRUST_PROXY=1) the throttle counts the address the proxy saw; entries the client adds to X-Forwarded-For do not escape it', async () => {
      a = await createConfiguredApp(kind, { ATTEST_TRUST_PROXY: '1' }, new FixedClock(Date.parse('2026-11-02T09:00:00.000Z')));
      await withOwner(a);
      const viaProxy = (password: string, forwardedFor: string) =>
        a!.app.inject({
          method: 'POST',
          url: '/api/v1/session',
          payload: { email: OWNER.email, password },
          remoteAddress: '10.0.0.2',
          headers: { 'x-forwarded-for': forwardedFor },
        });
      const statuses: number[] = [];
      for (let i = 0; i < 10; i += 1) statuses.push((await viaProxy(`guess-${i}`, `198.51.100.${i}, 203.0.113.50`)).statusCode);
      const free = LOGIN_THROTTLE.accountAtAddressFreeFailures;
      expect(statuses).toEqual([...Array.from({ length: free }, () => 401), ...Array.from({ length: 10 - free }, () => 429)]);
      // Everyone comes through the same proxy, yet the owner's own address is counted apart.
      expect((await viaProxy(OWNER.password, '192.0.2.1')).statusCode).toBe(200);
    });
  });
}
