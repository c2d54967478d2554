import type { Clock } from '../core/clock.js';
import { AttestStore } from './attest-store.js';
import type { PostgresConnectionSettings } from './postgres/postgres-connection-settings.js';
import { openPostgresStoreDialect } from './postgres/postgres-store-dialect.js';
import { openSqliteStoreDialect } from './sqlite/sqlite-store-dialect.js';

/** The default store: the embedded SQLite file under `./data/`. */
export const DEFAULT_DATABASE_URL = 'sqlite:./data/attest.db';

/**
 * Opens the store an `ATTEST_DATABASE_URL` names: `sqlite:PATH` or `postgres://…` (also `postgresql://…`).
 *
 * @example
 * const store = await openStore(process.env.ATTEST_DATABASE_URL ?? DEFAULT_DATABASE_URL);
 */
export function openStore(
  databaseUrl: string,
  clock?: Clock,
  options: { postgresSchema?: string | undefined; postgres?: PostgresConnectionSettings | undefined } = {},
): Promise<AttestStore> {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    if (!path) throw new Error('ATTEST_DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/attest.db');
    return AttestStore.open(openSqliteStoreDialect(path), clock);
  }
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    return AttestStore.open(
      openPostgresStoreDialect({ ...options.postgres, connectionString: databaseUrl, schema: options.postgresSchema }),
      clock,
    );
  }
  throw new Error(`ATTEST_DATABASE_URL must start with sqlite: or postgres:// (got ${databaseUrl})`);
}
