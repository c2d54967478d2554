import { loadCatalogFolder } from '../catalog/catalog-registry.js';
import { DAY_MS, type AttestConfig } from '../config.js';
import type { Clock } from '../core/clock.js';
import { createMetricsRegistry } from '../http/http-metrics.js';
import type { AppServices } from '../http/app-services.js';
import { GroupCommitter } from '../features/ingest/group-committer.js';
import { openStore } from '../store/open-store.js';
import { createLoginAttemptRecorder } from '../features/user-management/login-attempt-recorder.js';

/** Opens the store named by the configuration and wires the services the HTTP app runs on. */
export async function createServices(config: AttestConfig, clock?: Clock): Promise<AppServices> {
  // Before the store opens: a bad product-area file stops the start with its name and line, and nothing runs
  // with a catalog that lacks an area whose events are already in the log.
  if (config.catalogDir !== undefined) loadCatalogFolder(config.catalogDir);
  const store = await openStore(config.databaseUrl, clock, { postgresSchema: config.postgresSchema, postgres: config.postgres });
  return servicesForStore(store, config);
}

/** The services over an already open store (tests open their own). */
export function servicesForStore(store: AppServices['store'], config: AttestConfig): AppServices {
  if (config.catalogDir !== undefined) loadCatalogFolder(config.catalogDir);
  return {
    store,
    config,
    committer: new GroupCommitter(store),
    metrics: createMetricsRegistry(),
    loginAttempts: createLoginAttemptRecorder({ store, clock: store.clock, retentionMs: config.retentionDays * DAY_MS }),
  };
}
