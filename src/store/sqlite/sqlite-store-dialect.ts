import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteAdapter, SqliteDialect, type DatabaseConnection } from 'kysely';
import type { AttestDatabase } from '../database-schema.js';
import type { StoreDialect } from '../store-dialect.js';
import { sqliteEventRowInserter } from './sqlite-event-row-inserter.js';
import { SqliteImmediateDriver } from './sqlite-immediate-driver.js';
import { SqliteReadAhead } from './sqlite-read-ahead.js';
import { withStatementCache } from './sqlite-statement-cache.js';
import { SqliteWalCheckpointer } from './sqlite-wal-checkpointer.js';
import { writeAuditEventStatistics } from './sqlite-planner-statistics.js';

/** How long a writer waits for another process (the CLI beside the server) to release the write lock. */
const BUSY_TIMEOUT_MS = 10_000;

function openSqliteFile(path: string, role: 'writer' | 'reader'): Database.Database {
  // The reader is opened read-write only so that it may reload planner statistics (`ANALYZE sqlite_schema`
  // is refused on a read-only connection); nothing else ever writes through it.
  const database = new Database(path, { fileMustExist: role === 'reader' });
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (role === 'writer') {
    database.pragma('journal_mode = WAL');
    // FULL: a commit is fsynced to the WAL before it is acknowledged, so an acknowledged event survives a
    // crash of the process and of the machine. Group commit amortizes the fsync over many requests.
    database.pragma('synchronous = FULL');
    // The WAL is copied back into the file by a worker thread after commits (sqlite-wal-checkpointer.ts). The
    // writer checkpoints by itself only past 64 MiB of WAL instead of SQLite's 4 MiB: a backstop, and the
    // bound on the WAL should the worker fall behind. Measured with `npm run bench -- --only ingest` before the
    // worker existed, 1000 → 16384 pages alone took HTTP ingest from 12,800 to about 16,000 events/s.
    database.pragma('wal_autocheckpoint = 16384');
    database.pragma('foreign_keys = ON');
  }
  // 32 MiB of page cache per connection: the hot index pages of a large log fit, and the two connections
  // together stay well inside the memory budget of an export.
  database.pragma('cache_size = -32768');
  return database;
}

/**
 * Kysely's SQLite adapter assumes one process owns the file, so it runs migrations outside a transaction with
 * no lock, and two processes opening a new file at once (the server and the CLI) both create the tables. SQLite
 * does support transactional DDL: declaring it makes the Migrator read its state and migrate inside one
 * `BEGIN IMMEDIATE` transaction, which holds the database write lock across processes.
 */
class SqliteTransactionalDdlAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * Opens (creating if needed) a SQLite store file with WAL. Two connections: the writer, whose transactions
 * take the write lock up front, and a reader that sees the last committed snapshot.
 */
export function openSqliteStoreDialect(path: string): StoreDialect {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const writer = openSqliteFile(path, 'writer');
  const checkpointer = path === ':memory:' ? undefined : SqliteWalCheckpointer.start(path);
  const db = new Kysely<AttestDatabase>({
    dialect: new (class extends SqliteDialect {
      override createDriver() {
        return new SqliteImmediateDriver(writer, () => checkpointer?.committed());
      }
      override createAdapter() {
        return new SqliteTransactionalDdlAdapter();
      }
    })({ database: writer }),
  });
  // A reader on the same file lets queries run while a commit is awaiting; ':memory:' has no second view.
  const reader = path === ':memory:' ? undefined : openSqliteFile(path, 'reader');
  const readDb = reader ? new Kysely<AttestDatabase>({ dialect: new SqliteDialect({ database: withStatementCache(reader) }) }) : db;
  const insertRows = sqliteEventRowInserter(writer);
  return {
    name: 'sqlite',
    db,
    readDb,
    supportsRowLocks: false,
    isUniqueViolation: (error) =>
      error instanceof Database.SqliteError &&
      (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'),
    // `tx` holds the writer, the only connection that writes: the rows join its transaction.
    insertEventRows: (_tx, rows) => Promise.resolve(insertRows(rows)),
    ...(path === ':memory:' ? {} : { startReadAhead: (orgId: string, fromSeq: number) => SqliteReadAhead.start(path, orgId, fromSeq) }),
    async refreshPlannerStatistics() {
      // SQLite keeps no statistics by itself; without them it guesses, and can walk the whole time index for
      // an actor filter. `optimize` with 0x10000 re-analyzes every table whose size changed a lot since the
      // last analysis, analysis_limit bounding the work to a sample of each index (milliseconds, not a scan);
      // that serves the small tables. The audit log's own statistics are then written from what Attest knows.
      writer.pragma('analysis_limit = 1000');
      writer.pragma('optimize = 0x10002');
      const hasStatTable = writer.prepare("select 1 from sqlite_schema where name = 'sqlite_stat1'").get() !== undefined;
      if (!hasStatTable) writer.exec('analyze');
      writeAuditEventStatistics(writer);
      // Every connection keeps the statistics it loaded with the schema until told to reload them.
      writer.exec('analyze sqlite_schema');
      reader?.exec('analyze sqlite_schema');
    },
    async close() {
      await checkpointer?.stop();
      if (readDb !== db) await readDb.destroy();
      await db.destroy();
      // Kysely closes a database only if it was ever used through it: a reader that answered no query (the CLI
      // never reads through it) would stay open and could be used again after close.
      for (const database of [reader, writer]) if (database?.open) database.close();
    },
  };
}

export type { DatabaseConnection };
