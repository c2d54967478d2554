import type Database from 'better-sqlite3';
import { CompiledQuery, SqliteDriver, type DatabaseConnection } from 'kysely';
import type { AsyncLock } from '../../core/async-lock.js';
import { withStatementCache } from './sqlite-statement-cache.js';

/**
 * Kysely's SQLite driver, except that transactions start with `BEGIN IMMEDIATE`. A deferred transaction that
 * reads first and writes later fails with SQLITE_BUSY when another process committed in between (the CLI
 * beside the server); taking the write lock up front makes it wait for the busy timeout instead, and makes
 * "read the next seq, then insert" one atomic step across processes.
 *
 * With a `transactionLock`, a transaction holds it from before `BEGIN` until after its end: the store's append
 * thread takes the same lock for its commits, so a transaction here waits for one of those on the event loop
 * rather than sleeping in SQLite's busy handler, which would block the thread. `afterCommit` runs once a
 * transaction has committed (it wakes the WAL checkpointer).
 */
export class SqliteImmediateDriver extends SqliteDriver {
  private holdsLock = false;

  constructor(
    database: Database.Database,
    private readonly options: { afterCommit?: () => void; transactionLock?: AsyncLock } = {},
  ) {
    super({ database: withStatementCache(database) });
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const lock = this.options.transactionLock;
    if (lock) {
      await lock.acquire();
      this.holdsLock = true;
    }
    try {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    } catch (error) {
      this.releaseLock();
      throw error;
    }
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    // A failed commit is followed by Kysely's rollback, which releases the lock.
    await super.commitTransaction(connection);
    this.releaseLock();
    this.options.afterCommit?.();
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } finally {
      this.releaseLock();
    }
  }

  private releaseLock(): void {
    // One writer connection, whose transactions Kysely runs one at a time: one flag is enough.
    if (!this.holdsLock) return;
    this.holdsLock = false;
    this.options.transactionLock?.release();
  }
}
