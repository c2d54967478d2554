import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/core/clock.js';
import type { AppServices } from '../../src/http/app-services.js';
import { buildApp } from '../../src/service/build-app.js';
import { servicesForStore } from '../../src/service/create-services.js';
import { createTestStore, type StoreKind, type TestStore } from './test-stores.js';

/** The app over a fresh store, configured from the given environment variables as the server would be. */
export interface ConfiguredApp {
  app: FastifyInstance;
  services: AppServices;
  testStore: TestStore;
  close(): Promise<void>;
}

/**
 * Builds the Attest app (`app.inject`, no port) over a fresh store of the given kind with the configuration
 * `loadConfig(env)` reads, for tests of what a setting changes; with `clock`, the store runs on it.
 *
 * @example
 * const { app, close } = await createConfiguredApp('sqlite', { ATTEST_METRICS_TOKEN: 'scrape-me' });
 */
export async function createConfiguredApp(kind: StoreKind, env: Record<string, string>, clock?: Clock): Promise<ConfiguredApp> {
  const testStore = await createTestStore(kind, clock);
  const services = servicesForStore(testStore.store, loadConfig(env));
  const app = await buildApp(services);
  return {
    app,
    services,
    testStore,
    async close() {
      await app.close();
      await services.committer.close();
      await testStore.dispose();
    },
  };
}
