import type { FastifyInstance } from 'fastify';
import { createApiToken, createProducerKey, createSession } from '../../src/auth/credentials.js';
import { allEventTypes } from '../../src/catalog/catalog-registry.js';
import { cataloguedEvent } from '../../src/catalog/catalogued-event.js';
import { loadConfig, DAY_MS, type AttestConfig } from '../../src/config.js';
import { newId } from '../../src/core/ids.js';
import { newTraceId } from '../../src/core/trace-context.js';
import type { PreparedEvent } from '../../src/events/audit-event.js';
import type { AppServices } from '../../src/http/app-services.js';
import { buildApp } from '../../src/service/build-app.js';
import { SESSION_COOKIE } from '../../src/http/plugins/authentication.js';
import { servicesForStore } from '../../src/service/create-services.js';
import type { AttestStore } from '../../src/store/attest-store.js';
import type { UserType } from '../../src/store/database-schema.js';
import { insertMembership, insertOrganization, insertUser, type Organization } from '../../src/store/queries/tenancy-queries.js';
import { seededRandom } from './seeded-random.js';

/** A user with ready-made credentials: `cookie` for a session, `bearer` for an owner-style API token. */
export interface TestUser {
  id: string;
  email: string;
  name: string;
  /** `Cookie` header value. */
  cookie: string;
  /** `Authorization` header value with an API token. */
  bearer: string;
}

/** An organization with one member of each type, an owner of another organization, and a producer key. */
export interface TestTenancy {
  org: Organization;
  otherOrg: Organization;
  owner: TestUser;
  admin: TestUser;
  standard: TestUser;
  otherOwner: TestUser;
  /** `Authorization` header value with a producer key for every product area. */
  producerBearer: string;
}

let userCounter = 0;

async function addUser(store: AttestStore, orgId: string, userType: UserType, label: string): Promise<TestUser> {
  userCounter += 1;
  const now = store.clock.now();
  const id = newId();
  const email = `${label}-${userCounter}-${id.slice(-6)}@example.com`;
  const name = `${label[0]?.toUpperCase() ?? ''}${label.slice(1)} ${userCounter}`;
  await insertUser(store.db, { id, email, name, password_hash: null, created_at: now });
  await insertMembership(store.db, {
    org_id: orgId,
    user_id: id,
    user_type: userType,
    proxy_from_org_id: null,
    expires_at: null,
    created_at: now,
  });
  const session = await createSession(store.db, id, now);
  const token = await createApiToken(store.db, id, 'test', now);
  return { id, email, name, cookie: `${SESSION_COOKIE}=${session}`, bearer: `Bearer ${token.secret}` };
}

/** Creates an organization (in `timeZone`) with an owner, an admin, a standard user, plus a second organization. */
export async function createTenancy(store: AttestStore, timeZone = 'UTC'): Promise<TestTenancy> {
  const now = store.clock.now();
  const org: Organization = { id: newId(), name: 'Acme Corp', timeZone };
  const otherOrg: Organization = { id: newId(), name: 'Other Inc', timeZone: 'UTC' };
  await insertOrganization(store.db, org, now);
  await insertOrganization(store.db, otherOrg, now);
  const key = await createProducerKey(store.db, 'test producer', ['UserManagement', 'AuditLogs'], now);
  return {
    org,
    otherOrg,
    owner: await addUser(store, org.id, 'owner', 'owner'),
    admin: await addUser(store, org.id, 'admin', 'admin'),
    standard: await addUser(store, org.id, 'standard', 'standard'),
    otherOwner: await addUser(store, otherOrg.id, 'owner', 'other'),
    producerBearer: `Bearer ${key.secret}`,
  };
}

/** The app over a test store, with the configuration the tests choose (defaults: 90-day retention). */
export async function buildTestApp(
  store: AttestStore,
  env: Record<string, string> = {},
): Promise<{ app: FastifyInstance; services: AppServices; config: AttestConfig }> {
  const config = loadConfig({ ATTEST_DATABASE_URL: 'sqlite::memory:', ...env });
  const services = servicesForStore(store, config);
  const app = await buildApp(services);
  return { app, services, config };
}

const EVENT_TYPES = allEventTypes().filter((d) => d.product === 'UserManagement');
const ACTORS = [
  { id: 'u-ann', name: 'Ann Admin', email: 'ann@example.com' },
  { id: 'u-bob', name: 'Bob Builder', email: 'Bob@Example.com' },
  { id: 'u-cyd', name: '=HYPERLINK("http://evil")', email: 'cyd@example.com' },
  { id: 'svc-sync', name: null, email: null },
] as const;

/** One catalogued event ready to append, built straight from the catalog (no HTTP), at `occurredAtMs`. */
export function variedEvent(
  orgId: string,
  occurredAtMs: number,
  index: number,
  random: () => number = Math.random,
  retentionDays = 90,
): PreparedEvent {
  const def = EVENT_TYPES[Math.floor(random() * EVENT_TYPES.length)] ?? EVENT_TYPES[0];
  if (!def) throw new Error('empty catalog');
  const actor = ACTORS[Math.floor(random() * ACTORS.length)] ?? ACTORS[0];
  const description = index % 17 === 0 ? `-2+3 formula-looking description ${index}` : `Did ${def.type} #${index}`;
  return cataloguedEvent(def, {
    orgId,
    occurredAtMs,
    retentionMs: retentionDays * DAY_MS,
    traceId: newTraceId(),
    actor: { id: actor.id, name: actor.name, email: actor.email?.toLowerCase() ?? null, type: actor.email ? 'user' : 'service' },
    entity: { id: `entity-${index % 50}`, name: index % 11 === 0 ? '@entity, "quoted"\nline' : `Entity ${index % 50}` },
    description,
  });
}

/**
 * Appends `count` varied events spread over the `days` before `nowMs`, a fifth of them on exact hour edges
 * (and a millisecond either side), so hourly-rollup counting is exercised at its boundaries.
 */
export async function seedVariedEvents(
  store: AttestStore,
  orgId: string,
  count: number,
  nowMs: number,
  options: { days?: number; seed?: number } = {},
): Promise<void> {
  const random = seededRandom(options.seed ?? 42).next;
  const spanMs = (options.days ?? 40) * DAY_MS;
  const events: PreparedEvent[] = [];
  for (let i = 0; i < count; i += 1) {
    let at = nowMs - Math.floor(random() * spanMs);
    if (i % 5 === 0) at = Math.floor(at / 3_600_000) * 3_600_000 + ((i % 3) - 1);
    events.push(variedEvent(orgId, at, i, random));
  }
  for (let i = 0; i < events.length; i += 5000) await store.appendEvents(events.slice(i, i + 5000));
}

/** The request headers of a caller, for `app.inject`. */
export function authHeaders(caller: TestUser | string | undefined, via: 'cookie' | 'bearer' = 'cookie'): Record<string, string> {
  if (caller === undefined) return {};
  if (typeof caller === 'string') return { authorization: caller };
  return via === 'cookie' ? { cookie: caller.cookie } : { authorization: caller.bearer };
}
