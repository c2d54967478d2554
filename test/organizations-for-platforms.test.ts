import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createOperatorToken } from '../src/auth/credentials.js';
import type { AuditEventRecord } from '../src/events/audit-event.js';
import type { AppServices } from '../src/http/app-services.js';
import { rowToRecord } from '../src/store/event-rows.js';
import { authHeaders, buildTestApp, createTenancy, type TestTenancy } from './support/audit-fixtures.js';
import { runCli } from './support/child-processes.js';
import { storeMatrix } from './support/store-matrix.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

/**
 * Organizations for platforms: `POST /api/v1/orgs` with an operator token and `attest org create`, each recorded in
 * the new organization's log. Operator tokens create organizations and nothing else.
 */

interface Created {
  id: string;
  name: string;
  timeZone: string;
  owner: { email: string; status: 'active' | 'pending'; welcomeLink: { id: string; token: string; url: string; expiresAt: string } };
}

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`organizations for platforms (${kind})`, () => {
    let ts: TestStore;
    let app: FastifyInstance;
    let services: AppServices;
    let tenancy: TestTenancy;
    let operator: string;
    let operatorId: string;

    beforeAll(async () => {
      ts = await createTestStore(kind);
      tenancy = await createTenancy(ts.store);
      ({ app, services } = await buildTestApp(ts.store));
      const token = await createOperatorToken(ts.store.db, 'Platform provisioning', Date.now());
      operator = `Bearer ${token.secret}`;
      operatorId = token.id;
    });
    afterAll(async () => {
      await app?.close();
      await services?.committer.close();
      await ts?.dispose();
    });

    const create = (body: Record<string, unknown>, authorization: string | undefined = operator) =>
      app.inject({ method: 'POST', url: '/api/v1/orgs', payload: body, headers: authorization ? { authorization } : {} });
    const eventsOf = async (orgId: string): Promise<AuditEventRecord[]> =>
      (
        await ts.store.db.selectFrom('audit_events').select(['record', 'leaf_hash']).where('org_id', '=', orgId).orderBy('seq').execute()
      ).map(rowToRecord);
    const orgCount = async () =>
      Number(
        (
          await ts.store.db
            .selectFrom('organizations')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('an operator creates an organization whose new owner activates their account through the link and reads its log', async () => {
      const id = '0190f0f0-0000-7000-8000-00000000c0de';
      const res = await create({ name: 'Tenant One', ownerEmail: 'Owner@Tenant-One.example', timeZone: 'Europe/Berlin', id });
      expect(res.statusCode).toBe(201);
      const created = res.json<Created>();
      expect(created).toMatchObject({
        id,
        name: 'Tenant One',
        timeZone: 'Europe/Berlin',
        owner: { email: 'owner@tenant-one.example', status: 'active' },
      });
      const events = await eventsOf(id);
      expect(events.map((e) => [e.seq, e.type, e.securityAction])).toEqual([
        [0, 'org.created', true],
        [1, 'user.privileged.added', true],
      ]);
      for (const e of events)
        expect(e.actor).toMatchObject({ id: operatorId, name: 'Platform provisioning', email: null, type: 'service' });
      expect(events[0]?.entity).toMatchObject({ id, name: 'Tenant One', type: 'organization' });
      expect(events[1]?.metadata).toEqual({
        membership: 'active',
        welcomeLinkId: created.owner.welcomeLink.id,
        welcomeLinkExpiresAt: created.owner.welcomeLink.expiresAt,
      });
      expect(JSON.stringify(events)).not.toContain(created.owner.welcomeLink.token);

      const activated = await app.inject({
        method: 'POST',
        url: '/api/v1/activation',
        payload: { token: created.owner.welcomeLink.token, password: 'tenant-owner-password' },
      });
      expect(activated.statusCode).toBe(200);
      const cookie = String(activated.headers['set-cookie']).split(';')[0] as string;
      expect((await app.inject({ url: `/api/v1/orgs/${id}/audit-logs`, headers: { cookie } })).statusCode).toBe(200);
    });

    it('an existing account becomes a pending owner, who accepts through the link after signing in', async () => {
      const res = await create({ name: 'Tenant Two', ownerEmail: tenancy.otherOwner.email });
      expect(res.statusCode).toBe(201);
      const created = res.json<Created>();
      expect(created.owner.status).toBe('pending');
      expect(
        (await app.inject({ url: `/api/v1/orgs/${created.id}/audit-logs`, headers: { cookie: tenancy.otherOwner.cookie } })).statusCode,
      ).toBe(404);
      const accepted = await app.inject({
        method: 'POST',
        url: '/api/v1/me/invitations/accept',
        headers: { cookie: tenancy.otherOwner.cookie },
        payload: { token: created.owner.welcomeLink.token },
      });
      expect(accepted.json()).toEqual({ orgId: created.id, orgName: 'Tenant Two', userType: 'owner' });
      expect(
        (await app.inject({ url: `/api/v1/orgs/${created.id}/audit-logs`, headers: { cookie: tenancy.otherOwner.cookie } })).statusCode,
      ).toBe(200);
      expect((await eventsOf(created.id)).map((e) => e.type)).toEqual([
        'org.created',
        'user.privileged.added',
        'user.invitation.accepted',
        'audit_log.viewed',
      ]);
    });

    it('bad input is problem+json naming the field, and writes nothing', async () => {
      const before = await orgCount();
      const badZone = await create({ name: 'Bad Zone', ownerEmail: 'zone@example.com', timeZone: 'Mars/Olympus' });
      expect(badZone.statusCode).toBe(400);
      expect(badZone.headers['content-type']).toContain('application/problem+json');
      expect(badZone.json<{ errors: { field: string }[] }>().errors).toEqual([
        { field: 'timeZone', reason: '"Mars/Olympus" is not an IANA time zone' },
      ]);
      expect(
        (await create({ name: 'Bad Id', ownerEmail: 'id@example.com', id: 'not-a-uuid' }))
          .json<{ errors: { field: string }[] }>()
          .errors.map((e) => e.field),
      ).toEqual(['id']);
      expect((await create({ name: 'No Owner' })).statusCode).toBe(400);
      const taken = await create({ name: 'Again', ownerEmail: 'again@example.com', id: tenancy.org.id });
      expect(taken.statusCode).toBe(409);
      expect(taken.json<{ errors: { field: string }[] }>().errors).toEqual([{ field: 'id', reason: 'is taken' }]);
      expect(await orgCount()).toBe(before);
      expect(
        await ts.store.db
          .selectFrom('users')
          .select('id')
          .where('email', 'in', ['zone@example.com', 'id@example.com', 'again@example.com'])
          .execute(),
      ).toEqual([]);
    });

    it('only operator tokens create organizations: owner (cookie and API token), admin, standard, other organization, producer key 403; anonymous 401', async () => {
      const before = await orgCount();
      const callers: [string, Record<string, string>, number][] = [
        ['owner cookie', authHeaders(tenancy.owner, 'cookie'), 403],
        ['owner API token', authHeaders(tenancy.owner, 'bearer'), 403],
        ['admin', authHeaders(tenancy.admin, 'cookie'), 403],
        ['standard', authHeaders(tenancy.standard, 'cookie'), 403],
        ['other organization', authHeaders(tenancy.otherOwner, 'cookie'), 403],
        ['producer key', authHeaders(tenancy.producerBearer), 403],
        ['anonymous', {}, 401],
        ['revoked or made-up operator token', { authorization: 'Bearer ato_made-up-token-value-1234567890' }, 401],
      ];
      for (const [who, headers, status] of callers) {
        const res = await app.inject({
          method: 'POST',
          url: '/api/v1/orgs',
          payload: { name: `By ${who}`, ownerEmail: 'x@example.com' },
          headers,
        });
        expect({ who, status: res.statusCode }).toEqual({ who, status });
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
      expect(await orgCount()).toBe(before);
    });

    it('an operator token reads nothing: no audit log, no users, no me, no catalog, no ingest', async () => {
      for (const url of [
        `/api/v1/orgs/${tenancy.org.id}/audit-logs`,
        `/api/v1/orgs/${tenancy.org.id}/audit-logs/export?scope=all`,
        `/api/v1/orgs/${tenancy.org.id}/users`,
        '/api/v1/me',
        '/api/v1/catalog',
      ]) {
        const res = await app.inject({ url, headers: { authorization: operator } });
        expect({ url, status: res.statusCode }).toEqual({ url, status: 403 });
      }
      const ingest = await app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { authorization: operator },
        payload: { events: [] },
      });
      expect([400, 403]).toContain(ingest.statusCode);
    });

    it("attest operator-token create prints one secret; attest org create prints the id first, then the owner's link", async () => {
      const env = { ATTEST_DATABASE_URL: ts.databaseUrl, ...ts.env };
      const token = await runCli(['operator-token', 'create', '--name', 'cli-made'], env);
      expect(token.code).toBe(0);
      expect(token.stdout).toMatch(/^ato_[\w-]{43}\n$/);
      const viaCli = await app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: { authorization: `Bearer ${token.stdout.trim()}` },
        payload: { name: 'Via CLI token', ownerEmail: 'cli.token@example.com' },
      });
      expect(viaCli.statusCode).toBe(201);

      const made = await runCli(
        ['org', 'create', '--name', 'Tenant Three', '--owner-email', 'three@example.com', '--time-zone', 'Asia/Tokyo'],
        env,
      );
      expect(made.stderr).toBe('');
      expect(made.code).toBe(0);
      const [id, ownerLine] = made.stdout.trim().split('\n');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(ownerLine).toMatch(
        /^owner three@example\.com: new account; activation link \(shown once, valid until .+\): \/welcome\/ata_[\w-]{43}$/,
      );
      const events = await eventsOf(id as string);
      expect(events.map((e) => [e.type, e.actor.type, e.actor.id])).toEqual([
        ['org.created', 'system', 'attest-cli'],
        ['user.privileged.added', 'system', 'attest-cli'],
      ]);
      expect(
        (
          await ts.store.db
            .selectFrom('organizations')
            .select('time_zone')
            .where('id', '=', id as string)
            .executeTakeFirstOrThrow()
        ).time_zone,
      ).toBe('Asia/Tokyo');

      const existing = await runCli(['org', 'create', '--name', 'Tenant Four', '--owner-email', 'three@example.com'], env);
      expect(existing.stdout.split('\n')[1]).toMatch(
        /^owner three@example\.com: existing account, pending owner membership; invitation link/,
      );
      const badZone = await runCli(
        ['org', 'create', '--name', 'Bad', '--owner-email', 'bad@example.com', '--time-zone', 'Nowhere/Land'],
        env,
      );
      expect(badZone.code).toBe(1);
      expect(badZone.stdout).toBe('');
      expect(badZone.stderr).toContain('--time-zone "Nowhere/Land" is not an IANA time zone');
      const duplicate = await runCli(['org', 'create', '--name', 'Dup', '--owner-email', 'dup@example.com', '--id', id as string], env);
      expect(duplicate.code).toBe(1);
      expect(duplicate.stderr).toContain('--id is taken');
    });
  });
}
