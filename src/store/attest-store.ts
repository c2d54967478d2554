import { Migrator, sql, type Kysely } from 'kysely';
import type { AppendedEvent, PreparedEvent } from '../events/audit-event.js';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { AttestDatabase } from './database-schema.js';
import { EventLogReader } from './event-log-reader.js';
import { EventNotifier } from './event-notifier.js';
import { MerkleTreeStore } from './merkle-tree-store.js';
import { appendEventsInTransaction, type StoreTransaction } from './event-log-writer.js';
import { purgeExpiredBatch } from './event-retention.js';
import { loadDeploymentSecret } from './deployment-secrets.js';
import { migrationProvider } from './migrations/migration-list.js';
import type { StoreDialect } from './store-dialect.js';

/**
 * The Attest store: one implementation over Kysely for every database, with what truly differs kept in the
 * {@link StoreDialect}. The code above the store runs the named queries of `queries/` on `db`, `dialect.readDb` or
 * a {@link AttestStore.transaction}; the event log is only ever appended through {@link AttestStore.appendEvents}
 * or {@link AttestStore.appendEventsIn}.
 *
 * @example
 * const store = await AttestStore.open(openSqliteStoreDialect('./data/attest.db'));
 * await store.transaction(async (tx) => { ...change...; await store.appendEventsIn(tx, [event]); });
 */
export class AttestStore {
  readonly events: EventLogReader;
  /** The organizations' Merkle trees, signed checkpoints and log keys (PRODUCT.md §8). */
  readonly merkleTrees: MerkleTreeStore;
  /** Announces, after each commit, how far each organization's log now reaches (wakes live feeds). */
  readonly notifier = new EventNotifier();
  /** Per open transaction: the highest seq it appended in each organization, announced once it commits. */
  private readonly appendedHeads = new WeakMap<StoreTransaction, Map<string, number>>();
  private closing: Promise<void> | undefined;
  private stopFollowing: (() => Promise<void>) | undefined;

  private constructor(
    readonly dialect: StoreDialect,
    readonly clock: Clock,
    /** The key that authenticates query cursors (HMAC-SHA256), shared by every process on this store. */
    readonly cursorKey: Buffer,
  ) {
    this.events = new EventLogReader(dialect.readDb, dialect.startReadAhead?.bind(dialect), dialect.hasRowIds, dialect.fetchRowsByRowId, {
      rowValueKeyset: dialect.name === 'postgres',
      headWithPage: dialect.name === 'postgres',
      lateralTypeWalks: dialect.name === 'postgres',
    });
    this.merkleTrees = new MerkleTreeStore(dialect.db, dialect.readDb, dialect.supportsRowLocks);
  }

  /** Opens the store and brings its schema up to date (migrations run on every start). */
  static async open(dialect: StoreDialect, clock: Clock = systemClock): Promise<AttestStore> {
    let cursorKey: Buffer;
    try {
      await dialect.prepare?.();
      const migration = dialect.openMigrationDb?.() ?? { db: dialect.db, close: () => Promise.resolve() };
      try {
        const migrator = new Migrator({
          db: migration.db,
          provider: migrationProvider,
          migrationTableSchema: dialect.migrationTableSchema,
        });
        const { error } = await migrator.migrateToLatest();
        if (error) throw error instanceof Error ? error : new Error(String(error));
      } finally {
        await migration.close();
      }
      // The weeks ahead, so the first appends find their partition. Should it fail (a lock held too long by
      // another process's maintenance), appends still land in the default partition and the purge job, which
      // runs at the service's start and logs its failures, makes the weeks then.
      await dialect.maintainEventPartitions?.(clock.now()).catch(() => undefined);
      await dialect.refreshPlannerStatistics();
      cursorKey = await loadDeploymentSecret(dialect.db, 'cursor-mac', clock.now());
    } catch (error) {
      await dialect.close();
      throw error;
    }
    return new AttestStore(dialect, clock, cursorKey);
  }

  /** The write connection, for named queries (`queries/`) outside a transaction. */
  get db(): Kysely<AttestDatabase> {
    return this.dialect.db;
  }

  /**
   * Runs `work` in one transaction: everything it writes commits together or not at all. Events it appended
   * are announced on {@link AttestStore.notifier} only after the commit, never for a rolled-back transaction.
   */
  async transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    const heads = new Map<string, number>();
    const result = await this.dialect.db.transaction().execute((tx) => {
      this.appendedHeads.set(tx, heads);
      return work(tx);
    });
    this.announce(heads);
    return result;
  }

  /**
   * Appends events in a transaction of their own: through the dialect's own way when it has one (SQLite's
   * append thread), which reads the wall clock itself; a store opened with another clock appends here.
   */
  async appendEvents(events: readonly PreparedEvent[]): Promise<AppendedEvent[]> {
    if (!this.dialect.appendEvents || this.clock !== systemClock) return this.transaction((tx) => this.appendEventsIn(tx, events));
    const appended = await this.dialect.appendEvents(events);
    this.announce(recordLastSeqs(new Map(), events, appended));
    return appended;
  }

  /**
   * Appends events within the caller's transaction (one from {@link AttestStore.transaction}), so a domain
   * change and its audit events commit together.
   */
  async appendEventsIn(tx: StoreTransaction, events: readonly PreparedEvent[]): Promise<AppendedEvent[]> {
    const heads = this.appendedHeads.get(tx);
    if (!heads) throw new Error('appendEventsIn needs a transaction opened by store.transaction()');
    const appended = await appendEventsInTransaction(tx, this.dialect, events, this.clock);
    recordLastSeqs(heads, events, appended);
    return appended;
  }

  /**
   * Starts announcing other processes' commits on {@link AttestStore.notifier} too, where the database can tell
   * (PostgreSQL: LISTEN on a connection of its own, which reconnects by itself); on SQLite nothing changes and
   * subscribers keep polling. The server calls it once; the store stops it on close.
   */
  async followOtherProcesses(log?: StoreLog): Promise<void> {
    if (!this.dialect.followCommits || this.stopFollowing || this.closing) return;
    this.stopFollowing = await this.dialect.followCommits({
      onCommit: (orgId, lastSeq) => this.notifier.notify(orgId, lastSeq),
      onConnectedChange: (connected, error) => {
        this.notifier.coversOtherProcesses = connected;
        if (connected) log?.info('following other processes’ commits (LISTEN)');
        else log?.warn({ err: error }, 'lost the connection that follows other processes’ commits; reconnecting, polling meanwhile');
      },
    });
  }

  /** Deletes one small batch of expired events; returns how many. */
  purgeExpiredBatch(batchSize: number): Promise<number> {
    return purgeExpiredBatch(this.dialect.db, this.clock.now(), batchSize);
  }

  /** Refreshes the query planner's statistics (run on open and then periodically, see `main.ts`). */
  refreshPlannerStatistics(): Promise<void> {
    return this.dialect.refreshPlannerStatistics();
  }

  /** Refreshes them where a table has grown by a fraction since the last refresh; true when it did. */
  refreshGrownPlannerStatistics(): Promise<boolean> {
    return this.dialect.refreshGrownPlannerStatistics();
  }

  /**
   * Creates the event log's partitions for the retention window (`retentionDays` back, when given) and the
   * weeks ahead, and for weeks that received events without one (PostgreSQL; nothing to do where the log is
   * one table). Run on open (the weeks ahead), when the service starts and before every purge.
   */
  async maintainEventPartitions(retentionDays?: number): Promise<void> {
    await this.dialect.maintainEventPartitions?.(this.clock.now(), this.retentionWindowStart(retentionDays));
  }

  /**
   * Drops whole partitions of the event log whose every event has expired, and empty ones older than the
   * retention window when `retentionDays` is given; returns how many events they held.
   */
  async dropExpiredEventPartitions(retentionDays?: number): Promise<number> {
    return (await this.dialect.dropExpiredEventPartitions?.(this.clock.now(), this.retentionWindowStart(retentionDays))) ?? 0;
  }

  private retentionWindowStart(retentionDays: number | undefined): number | undefined {
    return retentionDays === undefined ? undefined : this.clock.now() - retentionDays * 86_400_000;
  }

  /** Throws when the database cannot answer. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.dialect.readDb);
  }

  /** Closes the connections; later calls return the first call's promise (shutdown paths may overlap). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.stopFollowing?.();
      this.notifier.coversOtherProcesses = false;
      await this.dialect.close();
    })();
    return this.closing;
  }

  /** Tells this process's subscribers, then the other processes, how far each organization's log now reaches. */
  private announce(heads: ReadonlyMap<string, number>): void {
    if (heads.size === 0) return;
    for (const [orgId, lastSeq] of heads) this.notifier.notify(orgId, lastSeq);
    this.dialect.announceCommits?.(heads);
  }
}

/** Where the store reports the state of following other processes (the server's logger). */
export interface StoreLog {
  info(message: string): void;
  warn(details: { err: unknown }, message: string): void;
}

/** Raises each organization's highest appended seq in `heads` to what `appended` reached; returns `heads`. */
function recordLastSeqs(
  heads: Map<string, number>,
  events: readonly PreparedEvent[],
  appended: readonly AppendedEvent[],
): Map<string, number> {
  events.forEach((event, i) => heads.set(event.orgId, Math.max(heads.get(event.orgId) ?? -1, appended[i]?.seq ?? -1)));
  return heads;
}
