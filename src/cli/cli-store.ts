import { loadConfig, type AttestConfig } from '../config.js';
import type { AttestStore } from '../store/attest-store.js';
import { openStore } from '../store/open-store.js';
import { CliError } from './cli-error.js';

/** Opens the store `ATTEST_DATABASE_URL` names, runs `work`, and always closes it. */
export async function withCliStore<T>(work: (store: AttestStore, config: AttestConfig) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openStore(config.databaseUrl, undefined, { postgresSchema: config.postgresSchema, postgres: config.postgres });
  try {
    return await work(store, config);
  } finally {
    await store.close();
  }
}

export { CliError };
