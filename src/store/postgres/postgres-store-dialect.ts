import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { AttestDatabase } from '../database-schema.js';
import type { StoreDialect } from '../store-dialect.js';

// int8 (bigint) columns hold millisecond times and seq numbers, all far below 2^53: parse them as numbers
// so rows look the same as SQLite's.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

const UNIQUE_VIOLATION = '23505';

/** Options for a PostgreSQL store: the connection string and, for tests, a schema to work in. */
export interface PostgresStoreOptions {
  connectionString: string;
  /** Schema used as search_path; created when missing. Lets test files share one database. */
  schema?: string;
  maxConnections?: number;
}

/** Opens a pooled PostgreSQL store; row locks serialize commits per organization across servers. */
export function openPostgresStoreDialect(options: PostgresStoreOptions): StoreDialect {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10 });
  if (options.schema) {
    const schema = options.schema;
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
    pool.on('connect', (client) => {
      void client.query(`create schema if not exists ${schema}; set search_path to ${schema}`);
    });
  }
  const db = new Kysely<AttestDatabase>({ dialect: new PostgresDialect({ pool }) });
  return {
    name: 'postgres',
    db,
    readDb: db,
    supportsRowLocks: true,
    isUniqueViolation: (error) =>
      typeof error === 'object' && error !== null && 'code' in error && error.code === UNIQUE_VIOLATION,
    close: () => db.destroy(),
  };
}
