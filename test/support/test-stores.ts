import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Clock } from '../../src/core/clock.js';
import { AttestStore } from '../../src/store/attest-store.js';
import { openPostgresStoreDialect } from '../../src/store/postgres/postgres-store-dialect.js';
import { openSqliteStoreDialect } from '../../src/store/sqlite/sqlite-store-dialect.js';

/** The PostgreSQL server tests use; every project machine runs one (trust auth, database `test`). */
export const TEST_POSTGRES_URL = process.env.ATTEST_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type StoreKind = 'sqlite' | 'postgres';

/** A store made for one test, and how to throw it away. */
export interface TestStore {
  kind: StoreKind;
  store: AttestStore;
  /** ATTEST_DATABASE_URL that reaches the same data (for child processes); for PostgreSQL with `?schema`. */
  databaseUrl: string;
  /** Extra environment a child process needs to see the same data. */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

/**
 * The stores the contract tests run against: `STORES=sqlite,postgres` (the default is both). Outside CI a
 * missing PostgreSQL skips its cases with a loud message; with CI=true it fails.
 */
export function storeKinds(): StoreKind[] {
  const wanted = (process.env.STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as StoreKind[];
  return wanted.filter((kind) => kind === 'sqlite' || kind === 'postgres');
}

let postgresReachable: boolean | undefined;

/** True when the test PostgreSQL answers; with CI=true an unreachable one is an error, not a skip. */
export async function postgresAvailable(): Promise<boolean> {
  if (postgresReachable === undefined) {
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      postgresReachable = true;
    } catch (error) {
      if (process.env.CI === 'true')
        throw new Error(`PostgreSQL is required in CI but not reachable at ${TEST_POSTGRES_URL}: ${String(error)}`, { cause: error });
      console.warn(`\n!!! SKIPPING PostgreSQL cases: no server at ${TEST_POSTGRES_URL} (${String(error)}) !!!\n`);
      postgresReachable = false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return postgresReachable;
}

let schemaCounter = 0;

/** Creates a fresh, migrated store of the given kind. */
export async function createTestStore(kind: StoreKind, clock?: Clock): Promise<TestStore> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'attest-test-'));
    const file = join(dir, 'attest.db');
    const store = await AttestStore.open(openSqliteStoreDialect(file), clock);
    return {
      kind,
      store,
      databaseUrl: `sqlite:${file}`,
      env: {},
      async dispose() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  schemaCounter += 1;
  const schema = `attest_test_${process.pid}_${schemaCounter}_${Date.now() % 100000}`;
  const store = await AttestStore.open(openPostgresStoreDialect({ connectionString: TEST_POSTGRES_URL, schema, maxConnections: 5 }), clock);
  return {
    kind,
    store,
    databaseUrl: TEST_POSTGRES_URL,
    env: { ATTEST_POSTGRES_SCHEMA: schema },
    async dispose() {
      await store.close();
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

/** Where a store that does not exist yet would live: a new SQLite file or a new PostgreSQL schema. */
export interface FreshStoreLocation {
  databaseUrl: string;
  /** The PostgreSQL schema (ATTEST_POSTGRES_SCHEMA); undefined for SQLite. */
  schema: string | undefined;
  /** ATTEST_DATABASE_URL and ATTEST_POSTGRES_SCHEMA for a child process. */
  env: Record<string, string>;
  remove(): Promise<void>;
}

/** A location for a store that nothing has created yet, for tests of first starts and concurrent opens. */
export function freshStoreLocation(kind: StoreKind): FreshStoreLocation {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'attest-test-'));
    const databaseUrl = `sqlite:${join(dir, 'attest.db')}`;
    return {
      databaseUrl,
      schema: undefined,
      env: { ATTEST_DATABASE_URL: databaseUrl },
      remove: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  schemaCounter += 1;
  const schema = `attest_test_${process.pid}_${schemaCounter}_${Date.now() % 100000}`;
  return {
    databaseUrl: TEST_POSTGRES_URL,
    schema,
    env: { ATTEST_DATABASE_URL: TEST_POSTGRES_URL, ATTEST_POSTGRES_SCHEMA: schema },
    async remove() {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}
