import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type DatabaseConnection } from 'kysely';
import type { AttestDatabase } from '../database-schema.js';
import type { StoreDialect } from '../store-dialect.js';
import { SqliteImmediateDriver } from './sqlite-immediate-driver.js';

/** How long a writer waits for another process (the CLI beside the server) to release the write lock. */
const BUSY_TIMEOUT_MS = 10_000;

function openSqliteFile(path: string, readonly: boolean): Database.Database {
  const database = new Database(path, { readonly, fileMustExist: readonly });
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!readonly) {
    database.pragma('journal_mode = WAL');
    // FULL: a commit is fsynced to the WAL before it is acknowledged, so an acknowledged event survives a
    // crash of the process and of the machine. Group commit amortizes the fsync over many requests.
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
  }
  database.pragma('cache_size = -65536');
  return database;
}

/**
 * Opens (creating if needed) a SQLite store file with WAL. Two connections: the writer, whose transactions
 * take the write lock up front, and a reader that sees the last committed snapshot.
 */
export function openSqliteStoreDialect(path: string): StoreDialect {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const writer = openSqliteFile(path, false);
  const db = new Kysely<AttestDatabase>({
    dialect: new (class extends SqliteDialect {
      override createDriver() {
        return new SqliteImmediateDriver(writer);
      }
    })({ database: writer }),
  });
  // A reader on the same file lets queries run while a commit is awaiting; ':memory:' has no second view.
  const reader = path === ':memory:' ? undefined : openSqliteFile(path, true);
  const readDb = reader ? new Kysely<AttestDatabase>({ dialect: new SqliteDialect({ database: reader }) }) : db;
  return {
    name: 'sqlite',
    db,
    readDb,
    supportsRowLocks: false,
    isUniqueViolation: (error) =>
      error instanceof Database.SqliteError &&
      (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'),
    async close() {
      if (readDb !== db) await readDb.destroy();
      await db.destroy();
    },
  };
}

export type { DatabaseConnection };
