import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/service/build-app.js';
import { servicesForStore } from '../src/service/create-services.js';
import { rowToRecord } from '../src/store/event-rows.js';
import { productAreaNamed } from '../src/catalog/catalog-registry.js';
import { listProducerKeys } from '../src/store/queries/credential-queries.js';
import { runCli, type ChildResult } from './support/child-processes.js';
import { storeMatrix } from './support/store-matrix.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

const DAY_MS = 86_400_000;

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`attest demo (${kind}, real child process)`, () => {
    let ts: TestStore;
    let run: ChildResult;
    let env: Record<string, string>;
    beforeAll(async () => {
      ts = await createTestStore(kind);
      env = {
        ATTEST_DATABASE_URL: ts.databaseUrl,
        ATTEST_BOOTSTRAP_EMAIL: 'demo.owner@example.com',
        ATTEST_BOOTSTRAP_PASSWORD: 'demo-owner-password',
        ...ts.env,
      };
      run = await runCli(['demo'], env);
    });
    afterAll(async () => ts.dispose());

    it('fills the bootstrap organization and prints the demo logins', () => {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Filled Example Organization \([0-9a-f-]{36}\): \d+ audit events, \d+ members\./);
      expect(run.stdout).toMatch(/admin\s+ava\.admin@demo\.attest\.dev\s+demo-admin-ava/);
      expect(run.stdout).toMatch(/standard\s+sofia\.standard@demo\.attest\.dev\s+demo-standard-sofia/);
    });

    it('records every User Management event type, by several actors, spread over the last weeks, with gapless seqs', async () => {
      const org = await ts.store.db
        .selectFrom('organizations')
        .select(['id'])
        .where('name', '=', 'Example Organization')
        .executeTakeFirstOrThrow();
      const rows = await ts.store.db
        .selectFrom('audit_events')
        .select(['record', 'leaf_hash'])
        .where('org_id', '=', org.id)
        .orderBy('seq')
        .execute();
      const events = rows.map(rowToRecord);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
      // The franchise it creates the way a platform creates a tenant holds the organization's creation and the
      // owner's accepted invitation; every other type is in the filled organization itself.
      const everywhere = (await ts.store.db.selectFrom('audit_events').select(['record', 'leaf_hash']).execute()).map(rowToRecord);
      const types = new Set(everywhere.map((e) => e.type));
      for (const def of productAreaNamed('UserManagement').eventTypes) expect(types, def.type).toContain(def.type);
      const inOrg = new Set(events.map((e) => e.type));
      for (const def of productAreaNamed('UserManagement').eventTypes.filter(
        (d) => d.type !== 'org.created' && d.type !== 'user.invitation.accepted',
      ))
        expect(inOrg, def.type).toContain(def.type);
      expect(new Set(events.map((e) => e.actor.id)).size).toBeGreaterThanOrEqual(3);
      const members = await ts.store.db
        .selectFrom('memberships')
        .where('org_id', '=', org.id)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(members.n)).toBeGreaterThanOrEqual(30);
      // What Attest's own operations recorded (no producer key): each action was dated by the clock it ran
      // with, so that part of the log reads forward in time.
      const times = events.filter((e) => e.producer === undefined).map((e) => Date.parse(e.occurredAt));
      const now = Date.now();
      expect(Math.max(...times)).toBeLessThan(now);
      expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(14 * DAY_MS);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    });

    it('sends Loyalty+, Engage+ and Insights+ activity through the ingest API, each with a key scoped to its product and bound to the organization', async () => {
      expect(run.stdout).toMatch(/Ingested 120 events of Engage\+, Insights\+, Loyalty\+ through the ingest API/);
      const org = await ts.store.db
        .selectFrom('organizations')
        .select(['id'])
        .where('name', '=', 'Example Organization')
        .executeTakeFirstOrThrow();
      const rows = await ts.store.db.selectFrom('audit_events').select(['record', 'leaf_hash']).where('org_id', '=', org.id).execute();
      const ingested = rows.map(rowToRecord).filter((e) => e.producer !== undefined);
      const members = new Set(
        (
          await ts.store.db
            .selectFrom('memberships')
            .innerJoin('users', 'users.id', 'memberships.user_id')
            .select('users.email')
            .where('memberships.org_id', '=', org.id)
            .execute()
        ).map((m) => m.email),
      );
      const keys = await listProducerKeys(ts.store.db);
      for (const product of ['LoyaltyPlus', 'EngagePlus', 'InsightsPlus']) {
        const mine = ingested.filter((e) => e.product === product);
        expect(mine.length, product).toBe(40);
        expect(new Set(mine.map((e) => e.type)).size, product).toBeGreaterThanOrEqual(4);
        expect(new Set(mine.map((e) => e.producer?.name))).toEqual(new Set([`demo-${product}`]));
        for (const e of mine) {
          expect(members, e.actor.email ?? '').toContain(e.actor.email);
          expect(Date.parse(e.occurredAt)).toBeLessThan(Date.now());
          expect(Date.now() - Date.parse(e.occurredAt)).toBeLessThan(22 * DAY_MS);
        }
        const key = keys.find((k) => k.name === `demo-${product}`);
        expect(key).toMatchObject({ products: [product], orgIds: [org.id] });
      }
      // A versioned type is sent in its newest shape.
      const adjusted = ingested.find((e) => e.type === 'loyalty.points.adjusted');
      if (adjusted) expect(adjusted).toMatchObject({ typeVersion: 2, metadata: { ledgerEntryId: expect.any(String) } });
    });

    it('the demo people set their passwords through their activation links, which are spent', async () => {
      const demoUsers = await ts.store.db
        .selectFrom('users')
        .select(['id', 'password_hash'])
        .where('email', 'like', '%.%@demo.attest.dev')
        .execute();
      expect(demoUsers.length).toBe(4);
      for (const user of demoUsers) expect(user.password_hash).toMatch(/^\$argon2id\$/);
      const unspent = await ts.store.db
        .selectFrom('account_activations')
        .select('id')
        .where(
          'user_id',
          'in',
          demoUsers.map((u) => u.id),
        )
        .execute();
      expect(unspent).toEqual([]);
    });

    it('the printed demo passwords log in with their roles; a second run refuses to fill the same organization again', async () => {
      const services = servicesForStore(ts.store, loadConfig({}));
      const app = await buildApp(services);
      try {
        const admin = await app.inject({
          method: 'POST',
          url: '/api/v1/session',
          payload: { email: 'ava.admin@demo.attest.dev', password: 'demo-admin-ava' },
        });
        expect(admin.statusCode).toBe(200);
        expect(admin.json<{ organizations: { orgName: string; userType: string }[] }>().organizations).toContainEqual(
          expect.objectContaining({ orgName: 'Example Organization', userType: 'admin' }),
        );
        const standard = await app.inject({
          method: 'POST',
          url: '/api/v1/session',
          payload: { email: 'liam.standard@demo.attest.dev', password: 'demo-standard-liam' },
        });
        expect(standard.json<{ organizations: { userType: string }[] }>().organizations[0]?.userType).toBe('standard');
      } finally {
        await app.close();
        await services.committer.close();
      }
      const again = await runCli(['demo'], env);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/the demo has already filled Example Organization/);
    });
  });
}
