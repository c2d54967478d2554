import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type DatabaseConnection } from 'kysely';
import { AsyncLock } from '../../core/async-lock.js';
import type { PreparedEvent } from '../../events/audit-event.js';
import type { AttestDatabase } from '../database-schema.js';
import type { StoreDialect } from '../store-dialect.js';
import { SqliteAppendThread } from './sqlite-append-thread.js';
import { openSqliteFile, sqliteWriterKysely } from './sqlite-connections.js';
import { sqliteEventRowInserter } from './sqlite-event-row-inserter.js';
import { SqliteReadAhead } from './sqlite-read-ahead.js';
import { SqliteRowFetchers } from './sqlite-row-fetchers.js';
import { withStatementCache } from './sqlite-statement-cache.js';
import { SqliteWalCheckpointer } from './sqlite-wal-checkpointer.js';
import { writeAuditEventStatistics } from './sqlite-planner-statistics.js';
import { statisticsDue } from '../planner-statistics-growth.js';

/**
 * Opens (creating if needed) a SQLite store file with WAL. Two connections: the writer, whose transactions
 * take the write lock up front, and a reader that sees the last committed snapshot; and, from the first
 * append on, a third in the append thread (`sqlite-append-thread.ts`).
 */
export function openSqliteStoreDialect(path: string): StoreDialect {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const writer = openSqliteFile(path, 'writer');
  const checkpointer = path === ':memory:' ? undefined : SqliteWalCheckpointer.start(path);
  const transactionLock = new AsyncLock();
  const db = sqliteWriterKysely(writer, { afterCommit: () => checkpointer?.committed(), transactionLock });
  // ':memory:' is one connection's own database: another thread could not see it.
  const appendThread = path === ':memory:' ? undefined : new SqliteAppendThread(path, transactionLock, () => checkpointer?.committed());
  // A reader on the same file lets queries run while a commit is awaiting; ':memory:' has no second view.
  const reader = path === ':memory:' ? undefined : openSqliteFile(path, 'reader');
  const readDb = reader ? new Kysely<AttestDatabase>({ dialect: new SqliteDialect({ database: withStatementCache(reader) }) }) : db;
  const insertRows = sqliteEventRowInserter(writer);
  const rowFetchers = path === ':memory:' ? undefined : new SqliteRowFetchers(path);
  // Read-aheads still under way, so that closing the store ends them: each holds a connection to the file.
  const readAheads = new Set<SqliteReadAhead>();
  const startReadAhead = (orgId: string, fromSeq: number): SqliteReadAhead => {
    const readAhead = SqliteReadAhead.start(path, orgId, fromSeq);
    readAheads.add(readAhead);
    void readAhead.exited.then(() => readAheads.delete(readAhead));
    return readAhead;
  };
  // Events ever appended (the log heads' next seqs), when the statistics were last written: how far the log has
  // grown since, appends of other processes included.
  let eventsAtLastRefresh = 0;
  const appendedEvents = async () => {
    const row = await readDb
      .selectFrom('org_log_heads')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('next_seq'), eb.lit(0)).as('events'))
      .executeTakeFirst();
    return Number(row?.events ?? 0);
  };
  return {
    name: 'sqlite',
    db,
    readDb,
    supportsRowLocks: false,
    hasRowIds: true,
    isUniqueViolation: (error) =>
      error instanceof Database.SqliteError && (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'),
    // `tx` holds this thread's writer connection: the rows join its transaction.
    insertEventRows: (_tx, rows) => Promise.resolve(insertRows(rows)),
    ...(appendThread ? { appendEvents: (events: readonly PreparedEvent[]) => appendThread.append(events) } : {}),
    ...(path === ':memory:' ? {} : { startReadAhead }),
    ...(rowFetchers ? { fetchRowsByRowId: (orgId: string, rowIds: readonly number[]) => rowFetchers.fetch(orgId, rowIds) } : {}),
    async refreshGrownPlannerStatistics() {
      const events = await appendedEvents();
      if (!statisticsDue(eventsAtLastRefresh, events - eventsAtLastRefresh)) return false;
      await this.refreshPlannerStatistics();
      return true;
    },
    async refreshPlannerStatistics() {
      const events = await appendedEvents();
      // Straight on the writer connection, so first hold it as Kysely does: never in the middle of a
      // transaction of this thread (the writes would join it, and vanish with its rollback). Then wait for the
      // append thread's commit on the event loop, as every write here does, not in SQLite's busy handler.
      await db.connection().execute(async () => {
        await transactionLock.acquire();
        try {
          // SQLite keeps no statistics by itself; without them it guesses, and can walk the whole time index for
          // an actor filter. `optimize` with 0x10000 re-analyzes every table whose size changed a lot since the
          // last analysis, analysis_limit bounding the work to a sample of each index (milliseconds, not a scan);
          // that serves the small tables. The audit log's own statistics are then written from what Attest knows.
          writer.pragma('analysis_limit = 1000');
          writer.pragma('optimize = 0x10002');
          const hasStatTable = writer.prepare("select 1 from sqlite_schema where name = 'sqlite_stat1'").get() !== undefined;
          if (!hasStatTable) writer.exec('analyze');
          writeAuditEventStatistics(writer);
          eventsAtLastRefresh = events;
          // Every connection keeps the statistics it loaded with the schema until told to reload them.
          writer.exec('analyze sqlite_schema');
          reader?.exec('analyze sqlite_schema');
        } finally {
          transactionLock.release();
        }
      });
    },
    async close() {
      await Promise.all([...readAheads].map((readAhead) => readAhead.stopAndWait()));
      await rowFetchers?.stop();
      await appendThread?.stop();
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
