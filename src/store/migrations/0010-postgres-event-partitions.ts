import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';
import { DEFAULT_PARTITION, isPartitioned, WEEK_MS, weekPartitionName, weeksWithRows } from '../postgres/postgres-event-partitions.js';

/** The audit log's indexes, as migrations 0001 and 0003 left them, now on the partitioned table. */
const EVENT_INDEXES: ReadonlyArray<{ name: string; columns: readonly string[]; unique?: boolean; where?: string }> = [
  { name: 'audit_events_log_id', columns: ['log_id', 'occurred_at'], unique: true },
  { name: 'audit_events_idempotency', columns: ['org_id', 'idempotency_key'], where: 'idempotency_key is not null' },
  { name: 'audit_events_by_time', columns: ['org_id', 'occurred_at', 'seq', 'type'] },
  { name: 'audit_events_by_type', columns: ['org_id', 'type', 'occurred_at', 'seq'] },
  { name: 'audit_events_by_actor_email', columns: ['org_id', 'actor_email', 'occurred_at', 'seq', 'type'] },
  { name: 'audit_events_by_expiry', columns: ['expires_at'] },
];

/**
 * PostgreSQL: `audit_events` becomes a table range-partitioned by `occurred_at` into UTC weeks, with a DEFAULT
 * partition for rows of a week that has none yet (`postgres/postgres-event-partitions.ts`). An existing log
 * is copied over into a partition per week it covers, in the migration's transaction. SQLite keeps one table.
 *
 * A unique index of a partitioned table must contain the partition key, so three constraints change:
 * - The primary key becomes (org_id, seq, occurred_at). Unique per organization and seq is still guaranteed,
 *   by the one way a row is written: `appendEventsInTransaction` hands out seq only while it holds the
 *   organization's `org_log_heads` row (`FOR UPDATE`) and moves `next_seq` past it in the same transaction, so
 *   no two transactions can hand out the same seq. The Merkle tree's level 0 (`merkle_nodes`, primary key
 *   (org_id, level, idx)) would refuse a second leaf at a seq, so the checkpointer would stop at a duplicate.
 *   Nothing references `audit_events` by a foreign key (the Merkle tables and checkpoints key on (org_id, seq)
 *   and tree sizes by value), so no foreign key needs the old unique index.
 * - `audit_events_log_id` becomes unique on (log_id, occurred_at), which is as good as unique on the Log ID:
 *   Attest makes every Log ID a UUIDv7 of the event's own `occurredAt` (`catalogued-event.ts`), so two events
 *   with one Log ID carry the same `occurred_at` as well.
 * - `audit_events_idempotency` is a plain index: a key is looked up under the same head lock before it is
 *   used, so a reused key finds its original (a resend may carry another time, so no key with the partition
 *   key in it could enforce it).
 */
export const postgresEventPartitions: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
    if (await isPartitioned(db)) return;
    await sql`alter table audit_events rename to audit_events_unpartitioned`.execute(db);
    // Index names are unique per schema: the old table's go first, so the partitioned table can take them.
    await sql`alter table audit_events_unpartitioned drop constraint audit_events_pk`.execute(db);
    for (const { name } of EVENT_INDEXES) await sql`drop index if exists ${sql.id(name)}`.execute(db);
    await sql`create table audit_events (like audit_events_unpartitioned including defaults) partition by range (occurred_at)`.execute(db);
    await sql`create table ${sql.table(DEFAULT_PARTITION)} partition of audit_events default`.execute(db);
    for (const fromMs of await weeksWithRows(db, 'audit_events_unpartitioned')) {
      await sql`create table ${sql.table(weekPartitionName(fromMs))} partition of audit_events
                for values from (${sql.lit(fromMs)}) to (${sql.lit(fromMs + WEEK_MS)})`.execute(db);
    }
    // Rows first, indexes after: building an index over the copied rows is cheaper than growing it row by row.
    await sql`insert into audit_events select * from audit_events_unpartitioned`.execute(db);
    await sql`drop table audit_events_unpartitioned`.execute(db);
    await sql`alter table audit_events add constraint audit_events_pk primary key (org_id, seq, occurred_at)`.execute(db);
    for (const { name, columns, unique, where } of EVENT_INDEXES) {
      const list = sql.join(columns.map((column) => sql.id(column)));
      await sql`create ${sql.raw(unique ? 'unique index' : 'index')} ${sql.id(name)} on audit_events (${list}) ${where ? sql.raw(`where ${where}`) : sql``}`.execute(
        db,
      );
    }
  },
};
