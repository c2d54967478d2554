import Database from 'better-sqlite3';
import { Kysely, SqliteAdapter, SqliteDialect } from 'kysely';
import type { AsyncLock } from '../../core/async-lock.js';
import type { AttestDatabase } from '../database-schema.js';
import { SqliteImmediateDriver } from './sqlite-immediate-driver.js';

/**
 * How long a writer waits for another process (the CLI beside the server) to release the write lock. Within a
 * server, the writers take turns through an async lock instead (`SqliteImmediateDriver`).
 */
const BUSY_TIMEOUT_MS = 10_000;

/** Opens a connection to a store file with the settings of its role. */
export function openSqliteFile(path: string, role: 'writer' | 'reader'): Database.Database {
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
  // 32 MiB of page cache per connection: the hot index pages of a large log fit. A server has three (its
  // writer, the reader, the append thread's writer), and an export reads through the reader alone.
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
 * Kysely over a writer connection: transactions take the write lock up front (`BEGIN IMMEDIATE`). They, and
 * single write statements, wait for `transactionLock` first, which the store's append thread holds while it
 * commits (so this thread waits without blocking, instead of in SQLite's busy handler). `afterCommit` runs
 * after each commit.
 */
export function sqliteWriterKysely(
  writer: Database.Database,
  options: { afterCommit?: () => void; transactionLock?: AsyncLock } = {},
): Kysely<AttestDatabase> {
  return new Kysely<AttestDatabase>({
    dialect: new (class extends SqliteDialect {
      override createDriver() {
        return new SqliteImmediateDriver(writer, options);
      }
      override createAdapter() {
        return new SqliteTransactionalDdlAdapter();
      }
    })({ database: writer }),
  });
}
