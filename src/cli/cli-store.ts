import { loadConfig, type AttestConfig } from '../config.js';
import type { AttestStore } from '../store/attest-store.js';
import { openStore } from '../store/open-store.js';

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

/** An error meant for the person at the terminal: printed without a stack, exit code 1. */
export class CliError extends Error {}
