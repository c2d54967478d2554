import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { AttestDatabase } from '../database-schema.js';
import type { StoreDialect } from '../store-dialect.js';
import { dropExpiredEventPartitions, ensureEventPartitions } from './postgres-event-partitions.js';
import { analyzeGrownTables } from './postgres-planner-statistics.js';
import { PostgresSchemaIntrospector } from './postgres-schema-introspector.js';

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

/** PostgreSQL's codes for "that schema already exists", raised when two processes create it at once. */
const ALREADY_EXISTS = new Set([UNIQUE_VIOLATION, '42P06']);

/** Opens a pooled PostgreSQL store; row locks serialize commits per organization across servers. */
export function openPostgresStoreDialect(options: PostgresStoreOptions): StoreDialect {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    // The search_path is a startup parameter of every connection, so no query can ever run before it is set
    // (a query issued from the pool's 'connect' event is not awaited and can lose that race or fail unseen).
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle connection that the server drops (restart, idle timeout) is discarded by the pool; without a
  // listener the 'error' event would crash the process.
  pool.on('error', () => undefined);
  const migrationTableSchema = schema ?? 'public';
  const db = new Kysely<AttestDatabase>({
    dialect: new (class extends PostgresDialect {
      override createIntrospector(kysely: Kysely<unknown>) {
        return new PostgresSchemaIntrospector(kysely, migrationTableSchema);
      }
    })({ pool }),
  });
  return {
    name: 'postgres',
    db,
    readDb: db,
    supportsRowLocks: true,
    hasRowIds: false,
    migrationTableSchema,
    isUniqueViolation: (error) => typeof error === 'object' && error !== null && 'code' in error && error.code === UNIQUE_VIOLATION,
    // Autovacuum may be off, or minutes behind a bulk load: the tables that grew are analyzed here as well.
    refreshPlannerStatistics: async () => {
      await analyzeGrownTables(db);
    },
    refreshGrownPlannerStatistics: async () => (await analyzeGrownTables(db)).length > 0,
    maintainEventPartitions: async (nowMs, keepFromMs) => {
      await ensureEventPartitions(db, nowMs, keepFromMs);
    },
    dropExpiredEventPartitions: (nowMs, keepFromMs) => dropExpiredEventPartitions(db, nowMs, keepFromMs),
    async prepare() {
      if (schema === undefined) return;
      try {
        await pool.query(`create schema if not exists ${schema}`);
      } catch (error) {
        // Another process starting at the same moment created it first: that is what we wanted.
        if (!(typeof error === 'object' && error !== null && 'code' in error && ALREADY_EXISTS.has(String(error.code)))) throw error;
      }
    },
    close: () => db.destroy(),
  };
}
