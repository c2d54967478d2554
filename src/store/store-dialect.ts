import type { Kysely, Transaction } from 'kysely';
import type { AppendedEvent, PreparedEvent } from '../events/audit-event.js';
import type { AttestDatabase, AuditEventsTable } from './database-schema.js';
import type { RowFetch } from './event-rows.js';

/**
 * What differs between the databases Attest runs on, and nothing else. Everything outside `src/store/sqlite`
 * and `src/store/postgres` is written once against Kysely and this interface.
 */
export interface StoreDialect {
  readonly name: 'sqlite' | 'postgres';
  /** Connection for transactions and writes. */
  readonly db: Kysely<AttestDatabase>;
  /**
   * Connection for reads that must not wait behind a commit. On SQLite a second connection reading the WAL
   * snapshot; on PostgreSQL the same pool.
   */
  readonly readDb: Kysely<AttestDatabase>;
  /**
   * True when the database locks single rows (`SELECT … FOR UPDATE`). SQLite locks the whole database for
   * every write transaction instead (`BEGIN IMMEDIATE`), which serializes commits across processes too.
   */
  readonly supportsRowLocks: boolean;
  /**
   * True when each row has an integer `rowid` that an index entry carries (SQLite), so a row found in an index
   * walk can be read without a second index lookup.
   */
  readonly hasRowIds: boolean;
  /** True when the error is a violation of a unique index or primary key. */
  isUniqueViolation(error: unknown): boolean;
  /**
   * The schema holding Kysely's migration tables, when the database has schemas. Kysely looks for its tables in
   * every schema unless told which, so a second Attest schema in the same database would find the first's
   * tables and skip creating its own.
   */
  readonly migrationTableSchema?: string;
  /** Makes the database ready for migrations (e.g. creates the PostgreSQL schema); run once per open. */
  prepare?(): Promise<void>;
  /**
   * Brings the query planner's table statistics up to date where the database does not do it by itself, so it
   * picks the index that fits each filter (e.g. the actor index for an actor filter, not the time index).
   */
  refreshPlannerStatistics(): Promise<void>;
  /**
   * Refreshes them only where a table has changed by a fraction of its rows since the last refresh
   * (`planner-statistics-growth.ts`), cheap enough to check every few seconds; returns true when it did.
   */
  refreshGrownPlannerStatistics(): Promise<boolean>;
  /**
   * Creates the audit log's partitions from `keepFromMs` (the retention window's start) to some weeks ahead,
   * and gives rows that arrived for a week without one a partition of their own (PostgreSQL,
   * `postgres/postgres-event-partitions.ts`); absent where the log is one table.
   */
  maintainEventPartitions?(nowMs: number, keepFromMs?: number): Promise<void>;
  /**
   * Drops the partitions whose every event has expired, and empty ones that ended before `keepFromMs`; returns
   * how many events they held.
   */
  dropExpiredEventPartitions?(nowMs: number, keepFromMs?: number): Promise<number>;
  /**
   * Inserts audit event rows within `tx`, when the database has a faster way than the portable multi-row
   * insert the store uses otherwise (SQLite: one prepared statement run per row).
   */
  insertEventRows?(tx: Transaction<AttestDatabase>, rows: readonly AuditEventsTable[]): Promise<void>;
  /**
   * Appends events in a transaction of their own, as `appendEventsInTransaction` does with the wall clock, where
   * the database has a better place to do it than the caller's thread (SQLite: a worker thread, see
   * `sqlite/sqlite-append-thread.ts`). Resolves once the transaction has committed.
   */
  appendEvents?(events: readonly PreparedEvent[]): Promise<AppendedEvent[]>;
  /**
   * Starts reading ahead of a long newest-first read of an organization's events (an export) that has reached
   * `fromSeq`, where the
   * database would otherwise fetch each page from disk only when it is reached (SQLite:
   * `sqlite/sqlite-read-ahead.ts`). PostgreSQL has none: its tables are not laid out by organization, so
   * there is no range of the file to read ahead.
   */
  startReadAhead?(orgId: string, fromSeq: number): EventReadAhead;
  /**
   * Reads an organization's rows by row id several at a time, where the database has row ids and reading them
   * one after another would wait for the disk once per row (SQLite: `sqlite/sqlite-row-fetchers.ts`).
   */
  fetchRowsByRowId?: RowFetch;
  /**
   * Tells the other processes on this database, after a commit, how far each organization's log now reaches
   * (organization → last seq), without waiting for them (PostgreSQL: NOTIFY). SQLite has no way to tell:
   * other processes find its commits by polling.
   */
  announceCommits?(heads: ReadonlyMap<string, number>): void;
  /**
   * Starts following the other processes' announcements (PostgreSQL: LISTEN on a connection of its own, which
   * reconnects by itself); resolves once it listens (or its first attempt failed), with the function that stops it.
   */
  followCommits?(handlers: CommitFollowerHandlers): Promise<() => Promise<void>>;
  /**
   * A connection for migrations where the usual ones limit how long a statement may run (PostgreSQL's
   * statement timeout): building an index over a large table may take longer. Closed after migrating.
   */
  openMigrationDb?(): { db: Kysely<AttestDatabase>; close(): Promise<void> };
  /** Releases connections and files. */
  close(): Promise<void>;
}

/** What follows other processes' commits reports to. */
export interface CommitFollowerHandlers {
  /** Another process committed events of `orgId` up to `lastSeq`. */
  onCommit(orgId: string, lastSeq: number): void;
  /**
   * Following came up (true) or was lost (false, with the reason); while it is lost, announcements are missed.
   * Called on each change only, not on every failed attempt to reconnect.
   */
  onConnectedChange(connected: boolean, error?: unknown): void;
}

/** Read-ahead for one long newest-first read of an organization's events. */
export interface EventReadAhead {
  /** The read has handed out every event down to this seq, and goes on to older ones. */
  reached(seq: number): void;
  /** Ends the read-ahead; the read is over. */
  stop(): void;
}
