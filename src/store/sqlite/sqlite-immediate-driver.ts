import type Database from 'better-sqlite3';
import { CompiledQuery, SqliteDriver, type DatabaseConnection } from 'kysely';
import { withStatementCache } from './sqlite-statement-cache.js';

/**
 * Kysely's SQLite driver, except that transactions start with `BEGIN IMMEDIATE`. A deferred transaction that
 * reads first and writes later fails with SQLITE_BUSY when another process committed in between (the CLI
 * beside the server); taking the write lock up front makes it wait for the busy timeout instead, and makes
 * "read the next seq, then insert" one atomic step across processes. `afterCommit` runs once a transaction
 * has committed (it wakes the WAL checkpointer).
 */
export class SqliteImmediateDriver extends SqliteDriver {
  constructor(
    database: Database.Database,
    private readonly afterCommit: () => void = () => undefined,
  ) {
    super({ database: withStatementCache(database) });
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await super.commitTransaction(connection);
    this.afterCommit();
  }
}
