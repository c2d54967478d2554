import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { createSession } from '../src/auth/credentials.js';
import { loadConfig } from '../src/config.js';
import { newId } from '../src/core/ids.js';
import type { AuditEventRecord } from '../src/events/audit-event.js';
import type { AppServices } from '../src/http/app-services.js';
import { buildApp } from '../src/service/build-app.js';
import { servicesForStore } from '../src/service/create-services.js';
import type { UserType } from '../src/store/database-schema.js';
import { rowToRecord } from '../src/store/event-rows.js';
import { insertMembership, insertOrganization, insertUser } from '../src/store/queries/tenancy-queries.js';
import { createTestStore, type StoreKind, type TestStore } from './support/test-stores.js';

/** A signed-in test user: who they are and the cookie that carries their session. */
export interface TestUser {
  id: string;
  email: string;
  name: string;
  cookie: string;
}

/** The principals of the authorization matrix, all seen from organization A. */
export type Role = 'owner' | 'admin' | 'standard' | 'proxy' | 'outsider' | 'anonymous';

/**
 * Organization A with an owner, an admin, a standard user and a proxy user (admin of A by proxy, standard in
 * their home organization B), plus `outsider`, the owner of B. Setup rows are written directly (they are the
 * world the test starts from, not actions under test); everything under test goes through the HTTP API.
 */
export interface UserManagementFixture {
  ts: TestStore;
  services: AppServices;
  app: FastifyInstance;
  orgA: { id: string; name: string };
  orgB: { id: string; name: string };
  users: Record<Exclude<Role, 'anonymous'>, TestUser>;
  /** Sends a request as a role (session cookie). */
  call(
    role: Role,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  /** Creates a user and membership directly (setup, not audited). */
  member(orgId: string, userType: UserType, opts?: { proxyFromOrgId?: string; expiresAt?: number; email?: string }): Promise<TestUser>;
  /** Events of an organization committed after `afterSeq`, oldest first. */
  eventsAfter(orgId: string, afterSeq: number): Promise<AuditEventRecord[]>;
  lastSeq(orgId: string): Promise<number>;
  close(): Promise<void>;
}

let counter = 0;

/** Builds the fixture over a fresh store of the given kind. */
export async function createUserManagementFixture(kind: StoreKind): Promise<UserManagementFixture> {
  const ts = await createTestStore(kind);
  const store = ts.store;
  const services = servicesForStore(store, loadConfig({}));
  const app = await buildApp(services);
  const now = store.clock.now();
  const orgA = { id: newId(now), name: 'Acme Foods' };
  const orgB = { id: newId(now), name: 'Beta Retail' };
  await insertOrganization(store.db, { ...orgA, timeZone: 'UTC' }, now);
  await insertOrganization(store.db, { ...orgB, timeZone: 'UTC' }, now);

  async function member(
    orgId: string,
    userType: UserType,
    opts: { proxyFromOrgId?: string; expiresAt?: number; email?: string } = {},
  ): Promise<TestUser> {
    counter += 1;
    const id = newId(store.clock.now());
    const email = opts.email ?? `${userType}.${counter}@example.com`;
    const name = `${userType[0]?.toUpperCase()}${userType.slice(1)} Person ${counter}`;
    await insertUser(store.db, { id, email, name, password_hash: null, created_at: now });
    await insertMembership(store.db, {
      org_id: orgId,
      user_id: id,
      user_type: userType,
      proxy_from_org_id: opts.proxyFromOrgId ?? null,
      expires_at: opts.expiresAt ?? null,
      created_at: now,
    });
    const secret = await createSession(store.db, id, store.clock.now());
    return { id, email, name, cookie: `attest_session=${secret}` };
  }

  const owner = await member(orgA.id, 'owner');
  const admin = await member(orgA.id, 'admin');
  const standard = await member(orgA.id, 'standard');
  const outsider = await member(orgB.id, 'owner');
  const proxy = await member(orgB.id, 'standard');
  await insertMembership(store.db, {
    org_id: orgA.id,
    user_id: proxy.id,
    user_type: 'admin',
    proxy_from_org_id: orgB.id,
    expires_at: null,
    created_at: now,
  });
  const users = { owner, admin, standard, proxy, outsider };

  return {
    ts,
    services,
    app,
    orgA,
    orgB,
    users,
    member,
    call(role, method, url, body, headers = {}) {
      const cookie = role === 'anonymous' ? {} : { cookie: users[role].cookie };
      const payload = typeof body === 'string' ? { payload: body } : body === undefined ? {} : { payload: body as Record<string, unknown> };
      return app.inject({ method, url, headers: { ...cookie, ...headers }, ...payload });
    },
    async eventsAfter(orgId, afterSeq) {
      const rows = await store.db
        .selectFrom('audit_events')
        .select(['record', 'leaf_hash'])
        .where('org_id', '=', orgId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .execute();
      return rows.map(rowToRecord);
    },
    async lastSeq(orgId) {
      const row = await store.db.selectFrom('org_log_heads').select('next_seq').where('org_id', '=', orgId).executeTakeFirst();
      return row ? Number(row.next_seq) - 1 : -1;
    },
    async close() {
      await app.close();
      await services.committer.close();
      await ts.dispose();
    },
  };
}

/**
 * Makes every insert into the audit log fail inside the database (a trigger), so a test can show that the
 * domain change of the same transaction is rolled back. Returns the function that removes the trigger.
 */
export async function injectAuditWriteFailure(ts: TestStore): Promise<() => Promise<void>> {
  const db = ts.store.db;
  if (ts.kind === 'sqlite') {
    await sql`create trigger fail_audit_insert before insert on audit_events begin select raise(abort, 'injected audit write failure'); end`.execute(
      db,
    );
    return async () => void (await sql`drop trigger fail_audit_insert`.execute(db));
  }
  await sql`create or replace function fail_audit_insert() returns trigger as $$ begin raise exception 'injected audit write failure'; end $$ language plpgsql`.execute(
    db,
  );
  await sql`create trigger fail_audit_insert before insert on audit_events for each row execute function fail_audit_insert()`.execute(db);
  return async () => {
    await sql`drop trigger fail_audit_insert on audit_events`.execute(db);
    await sql`drop function fail_audit_insert()`.execute(db);
  };
}
