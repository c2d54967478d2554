import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { AttestDatabase } from '../database-schema.js';
import type { StoreDialect } from '../store-dialect.js';
import { PostgresCommitAnnouncer } from './postgres-commit-announcer.js';
import { commitChannel } from './postgres-commit-channel.js';
import { PostgresCommitListener } from './postgres-commit-listener.js';
import { DEFAULT_POSTGRES_CONNECTION_SETTINGS, type PostgresConnectionSettings } from './postgres-connection-settings.js';
import { dropExpiredEventPartitions, ensureEventPartitions } from './postgres-event-partitions.js';
import { analyzeGrownTables } from './postgres-planner-statistics.js';
import { PostgresSchemaIntrospector } from './postgres-schema-introspector.js';

// int8 (bigint) columns hold millisecond times and seq numbers, all far below 2^53: parse them as numbers
// so rows look the same as SQLite's.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

const UNIQUE_VIOLATION = '23505';

/** Options for a PostgreSQL store: the connection string, the schema to work in and the connection limits. */
export interface PostgresStoreOptions extends Partial<PostgresConnectionSettings> {
  connectionString: string;
  /** Schema used as search_path; created when missing. Lets test files share one database. */
  schema?: string;
  /** The pool's size; the same as `poolSize` (tests name it so). */
  maxConnections?: number;
}

/** PostgreSQL's codes for "that schema already exists", raised when two processes create it at once. */
const ALREADY_EXISTS = new Set([UNIQUE_VIOLATION, '42P06']);

/** Opens a pooled PostgreSQL store; row locks serialize commits per organization across servers. */
export function openPostgresStoreDialect(options: PostgresStoreOptions): StoreDialect {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const defaults = DEFAULT_POSTGRES_CONNECTION_SETTINGS;
  const settings: PostgresConnectionSettings = {
    poolSize: options.maxConnections ?? options.poolSize ?? defaults.poolSize,
    statementTimeoutMs: options.statementTimeoutMs ?? defaults.statementTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs ?? defaults.connectTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? defaults.idleTimeoutMs,
  };
  // The search_path (and the statement timeout) are startup parameters of every connection, so no query can
  // ever run before they are set (a query issued from the pool's 'connect' event is not awaited and can lose
  // that race or fail unseen).
  // A transaction left idle (its code awaiting something else between statements) holds its connection as
  // surely as a slow statement; the server ends it after the same time.
  const connection = (statementTimeoutMs: number): pg.ClientConfig => ({
    connectionString: options.connectionString,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    options: [
      ...(schema === undefined ? [] : [`-c search_path=${schema}`]),
      `-c statement_timeout=${statementTimeoutMs}`,
      `-c idle_in_transaction_session_timeout=${statementTimeoutMs}`,
    ].join(' '),
  });
  const pool = new pg.Pool({
    ...connection(settings.statementTimeoutMs),
    max: settings.poolSize,
    idleTimeoutMillis: settings.idleTimeoutMs,
  });
  // An idle connection that the server drops (restart, idle timeout) is discarded by the pool; without a
  // listener the 'error' event would crash the process.
  pool.on('error', () => undefined);
  // So is one in use: the pool listens for errors only on idle connections, and a server stopping while a
  // transaction waits between two statements would raise 'error' on the connection with nobody listening,
  // ending the process. The transaction's next statement fails instead (503), and the pool discards it.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const migrationTableSchema = schema ?? 'public';
  const kyselyOn = (kyselyPool: pg.Pool) =>
    new Kysely<AttestDatabase>({
      dialect: new (class extends PostgresDialect {
        override createIntrospector(kysely: Kysely<unknown>) {
          return new PostgresSchemaIntrospector(kysely, migrationTableSchema);
        }
      })({ pool: kyselyPool }),
    });
  const db = kyselyOn(pool);
  const channel = commitChannel(schema);
  // Names this process in its announcements, so its own listener skips them.
  const origin = randomUUID();
  const announcer = new PostgresCommitAnnouncer(pool, channel, origin);
  const listeners = new Set<PostgresCommitListener>();
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
    announceCommits: (heads) => announcer.announce(heads),
    async followCommits(handlers) {
      const listener = new PostgresCommitListener(connection(0), channel, origin, handlers);
      listeners.add(listener);
      await listener.start();
      return async () => {
        listeners.delete(listener);
        await listener.close();
      };
    },
    openMigrationDb() {
      const migrationPool = new pg.Pool({ ...connection(0), max: 1 });
      migrationPool.on('error', () => undefined);
      migrationPool.on('connect', (client) => client.on('error', () => undefined));
      const migrationDb = kyselyOn(migrationPool);
      return { db: migrationDb, close: () => migrationDb.destroy() };
    },
    async close() {
      await Promise.all([...listeners].map((listener) => listener.close()));
      await announcer.close();
      await db.destroy();
    },
  };
}
