import type { FastifyInstance } from 'fastify';
import { createApiToken, createProducerKey } from '../../src/auth/credentials.js';
import { productAreas } from '../../src/catalog/catalog-registry.js';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/core/clock.js';
import { newId } from '../../src/core/ids.js';
import { buildApp } from '../../src/service/build-app.js';
import type { AppServices } from '../../src/http/app-services.js';
import { servicesForStore } from '../../src/service/create-services.js';
import { bootstrapIfEmpty } from '../../src/service/bootstrap.js';
import { insertOrganization } from '../../src/store/queries/tenancy-queries.js';
import { createTestStore, type StoreKind, type TestStore } from './test-stores.js';

/** The owner the harness bootstraps; tests log in with these. */
export const OWNER = { email: 'owner@example.com', password: 'correct horse battery staple' } as const;

/** A real app over a real store, with an organization, credentials of every kind and row counting. */
export interface IngestHarness {
  app: FastifyInstance;
  services: AppServices;
  testStore: TestStore;
  orgId: string;
  otherOrgId: string;
  /** Producer key scoped to UserManagement only. */
  userManagementKey: string;
  /** Producer key scoped to every product area. */
  allProductsKey: string;
  ownerToken: string;
  sessionCookie: string;
  /** Rows in audit_events (all organizations). */
  countEvents(): Promise<number>;
  dispose(): Promise<void>;
}

/**
 * Builds the Attest app (`app.inject`, no port) over a fresh store of the given kind, with the bootstrap
 * organization and owner, a second organization, two producer keys, an owner API token and a session.
 */
export async function createIngestHarness(kind: StoreKind, clock?: Clock, env: Record<string, string> = {}): Promise<IngestHarness> {
  const testStore = await createTestStore(kind, clock);
  const { store } = testStore;
  const services = servicesForStore(store, loadConfig(env));
  const app = await buildApp(services);
  const bootstrap = await bootstrapIfEmpty(store, { email: OWNER.email, password: OWNER.password, orgName: 'Acme', timeZone: 'UTC' });
  if (!bootstrap) throw new Error('the test store was not empty');
  const otherOrgId = newId();
  await insertOrganization(store.db, { id: otherOrgId, name: 'Globex', timeZone: 'UTC' }, store.clock.now());
  const userManagementKey = (await createProducerKey(store.db, 'um', ['UserManagement'], store.clock.now())).secret;
  const allProducts = productAreas().map((area) => area.product);
  const allProductsKey = (await createProducerKey(store.db, 'all', allProducts, store.clock.now())).secret;
  const owner = await store.db.selectFrom('users').select('id').where('email', '=', OWNER.email).executeTakeFirstOrThrow();
  const ownerToken = (await createApiToken(store.db, owner.id, 'test', store.clock.now())).secret;
  const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: OWNER });
  const cookie = login.cookies.find((c) => c.name === 'attest_session');
  if (login.statusCode !== 200 || !cookie) throw new Error(`login failed: ${login.statusCode} ${login.body}`);
  return {
    app,
    services,
    testStore,
    orgId: bootstrap.organization.id,
    otherOrgId,
    userManagementKey,
    allProductsKey,
    ownerToken,
    sessionCookie: `attest_session=${cookie.value}`,
    async countEvents() {
      const row = await store.db
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async dispose() {
      await app.close();
      await services.committer.close();
      await testStore.dispose();
    },
  };
}

/** A valid event as a producer sends it, with overrides. */
export function incomingEvent(orgId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'user.standard.added',
    orgId,
    actor: { id: 'u-1', name: 'Alice', email: 'Alice@Example.com', type: 'user' },
    entity: { id: 'u-2', name: 'Bob' },
    ...overrides,
  };
}
