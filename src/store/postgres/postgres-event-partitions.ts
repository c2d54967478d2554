import { sql, type Kysely, type Transaction } from 'kysely';
import type { AttestDatabase } from '../database-schema.js';
import { recordPrunedRun } from '../event-retention.js';

/**
 * `audit_events` on PostgreSQL is range-partitioned by `occurred_at` into UTC weeks (migration 0010), so that
 * retention drops a whole expired week at once instead of deleting it row by row, and a query of a range
 * reads only the weeks it covers. SQLite keeps one table.
 *
 * A DEFAULT partition (`audit_events_default`) takes any row whose week has no partition yet, so an insert
 * never fails for want of one and the append path never runs DDL. {@link ensureEventPartitions} creates the
 * weeks ahead and gives a week that received rows in the default a partition of its own, moving them there.
 */

const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;
/** 1970-01-05, the first Monday after the epoch (a Thursday): weeks run Monday 00:00 UTC to the next Monday. */
const FIRST_MONDAY_MS = 4 * DAY_MS;
/** How many weeks after the current one have a partition ready before any event arrives for them. */
export const PARTITION_WEEKS_AHEAD = 4;
export const DEFAULT_PARTITION = 'audit_events_default';
/** How long partition maintenance waits for its lock before giving up until the next run. */
const LOCK_TIMEOUT = '2s';

/** The start (Monday 00:00 UTC, ms) of the week holding `ms`. */
export function weekStart(ms: number): number {
  return Math.floor((ms - FIRST_MONDAY_MS) / WEEK_MS) * WEEK_MS + FIRST_MONDAY_MS;
}

/** The partition of the week starting at `startMs`: `audit_events_w20261207`. */
export function weekPartitionName(startMs: number): string {
  return `audit_events_w${new Date(startMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** A partition of `audit_events` and its range [fromMs, toMs); undefined bounds for the default. */
export interface EventPartition {
  name: string;
  fromMs?: number;
  toMs?: number;
}

/** The partitions of `audit_events` in the current schema, weeks in time order, the default last. */
export async function listEventPartitions<DB>(db: Kysely<DB>): Promise<EventPartition[]> {
  const { rows } = await sql<{ name: string; bound: string }>`
    select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
      from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = to_regclass('audit_events')`.execute(db);
  const partitions = rows.map(({ name, bound }): EventPartition => {
    const match = /FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)/.exec(bound);
    return match ? { name, fromMs: Number(match[1]), toMs: Number(match[2]) } : { name };
  });
  return partitions.sort((a, b) => (a.fromMs ?? Number.POSITIVE_INFINITY) - (b.fromMs ?? Number.POSITIVE_INFINITY));
}

/** True when `audit_events` is a partitioned table here (PostgreSQL after migration 0010). */
export async function isPartitioned<DB>(db: Kysely<DB>): Promise<boolean> {
  const { rows } = await sql<{ kind: string }>`select relkind as kind from pg_class where oid = to_regclass('audit_events')`.execute(db);
  return rows[0]?.kind === 'p';
}

/**
 * Creates the partitions of the weeks from `keepFromMs` (the start of the retention window: events may still
 * arrive for any time after it) to the {@link PARTITION_WEEKS_AHEAD} weeks after the current one, and one for
 * every week that has rows waiting in the default partition (an event that arrived for a week without one),
 * moving those rows into it. Safe from several processes at once: each week is created under an advisory lock.
 *
 * @returns the names of the partitions created.
 */
export async function ensureEventPartitions<DB>(db: Kysely<DB>, nowMs: number, keepFromMs = nowMs): Promise<string[]> {
  const existing = new Set((await listEventPartitions(db)).map((p) => p.fromMs));
  const wanted = new Set<number>();
  const last = weekStart(nowMs) + PARTITION_WEEKS_AHEAD * WEEK_MS;
  for (let week = weekStart(Math.min(keepFromMs, nowMs)); week <= last; week += WEEK_MS) wanted.add(week);
  for (const fromMs of await weeksWithRows(db, DEFAULT_PARTITION)) wanted.add(fromMs);
  const created: string[] = [];
  for (const fromMs of [...wanted].sort((a, b) => a - b)) {
    if (existing.has(fromMs)) continue;
    if (await skipOnLockTimeout(() => createWeekPartition(db, fromMs), false)) created.push(weekPartitionName(fromMs));
  }
  return created;
}

/** The starts of the weeks that `table`'s rows fall in. */
export async function weeksWithRows<DB>(db: Kysely<DB>, table: string): Promise<number[]> {
  const { rows } = await sql<{ week: number }>`
    select distinct (floor((occurred_at - ${sql.lit(FIRST_MONDAY_MS)}) / ${sql.lit(WEEK_MS)}::numeric) * ${sql.lit(WEEK_MS)}
                     + ${sql.lit(FIRST_MONDAY_MS)})::bigint as week
      from ${sql.table(table)}`.execute(db);
  return rows.map((row) => Number(row.week));
}

/**
 * Creates one week's partition, moving its rows out of the default partition, in one transaction. It is built
 * as a plain table and then attached, which takes a SHARE UPDATE EXCLUSIVE lock on `audit_events` (reads and
 * appends go on) where `CREATE TABLE … PARTITION OF` would take an ACCESS EXCLUSIVE one; the CHECK constraint
 * lets the attach skip scanning the new table. The default partition is locked against inserts meanwhile, or
 * a row arriving for the week between the move and the attach would make the attach fail.
 *
 * @returns false when another process created it first.
 */
async function createWeekPartition<DB>(db: Kysely<DB>, fromMs: number): Promise<boolean> {
  const name = weekPartitionName(fromMs);
  const toMs = fromMs + WEEK_MS;
  return db.transaction().execute(async (tx) => {
    await sql`set local lock_timeout = ${sql.lit(LOCK_TIMEOUT)}`.execute(tx);
    await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.audit_events partitions'))`.execute(tx);
    const { rows } = await sql<{ found: string | null }>`select to_regclass(${name})::text as found`.execute(tx);
    if (rows[0]?.found) return false;
    // audit_events first, then its default partition: the order an insert locks them in, so no deadlock.
    await sql`lock table audit_events in share update exclusive mode`.execute(tx);
    await sql`lock table ${sql.table(DEFAULT_PARTITION)} in share row exclusive mode`.execute(tx);
    await sql`create table ${sql.table(name)} (like audit_events including defaults)`.execute(tx);
    await sql`alter table ${sql.table(name)} add constraint ${sql.id(`${name}_week`)}
              check (occurred_at >= ${sql.lit(fromMs)} and occurred_at < ${sql.lit(toMs)})`.execute(tx);
    await sql`with moved as (
                delete from ${sql.table(DEFAULT_PARTITION)} where occurred_at >= ${fromMs} and occurred_at < ${toMs} returning *
              ) insert into ${sql.table(name)} select * from moved`.execute(tx);
    await sql`alter table audit_events attach partition ${sql.table(name)}
              for values from (${sql.lit(fromMs)}) to (${sql.lit(toMs)})`.execute(tx);
    return true;
  });
}

/**
 * Drops every week that has ended and holds events none of which is still within its retention: purging a week of a large
 * log is then one catalog change instead of millions of DELETEs. Retention is decided per event
 * (`expires_at`, set when it was appended from the retention of its time), so a week goes only when its
 * latest `expires_at` has passed, whichever organization each event belongs to; a week with one event kept
 * longer stays, and the row-by-row purge trims it around that event. The week's hourly counts go with it in
 * the same transaction: every count of an hour inside the week counts only the week's events.
 *
 * An empty week is dropped only once it ended before `keepFromMs` (the retention window's start; never when
 * unknown): inside the window, {@link ensureEventPartitions} would only make it again.
 *
 * Dropping a partition takes an ACCESS EXCLUSIVE lock on `audit_events` for a moment (PostgreSQL requires it),
 * taken first so no append can slip an event into the week between the check and the drop; a lock wait past
 * {@link LOCK_TIMEOUT} gives up until the next purge rather than queue every query behind it.
 *
 * @returns how many events the dropped weeks held.
 */
export async function dropExpiredEventPartitions<DB>(db: Kysely<DB>, nowMs: number, keepFromMs?: number): Promise<number> {
  let dropped = 0;
  for (const partition of await listEventPartitions(db)) {
    const { name, fromMs, toMs } = partition;
    if (fromMs === undefined || toMs === undefined || toMs > nowMs) continue;
    const droppable = async (query: Kysely<DB>): Promise<boolean> => {
      const { rows } = await sql<{ latest: number | null }>`select max(expires_at) as latest from ${sql.table(name)}`.execute(query);
      const latest = rows[0]?.latest;
      if (latest === null || latest === undefined) return keepFromMs !== undefined && toMs <= keepFromMs;
      return Number(latest) <= nowMs;
    };
    // Asked first without a lock, so a week that stays costs no lock of the table at all.
    if (!(await droppable(db))) continue;
    dropped += await skipOnLockTimeout(
      () =>
        db.transaction().execute(async (tx) => {
          await sql`set local lock_timeout = ${sql.lit(LOCK_TIMEOUT)}`.execute(tx);
          await sql`lock table audit_events in access exclusive mode`.execute(tx);
          // Again under the lock: an event may have arrived for the week in between.
          if (!(await droppable(tx))) return 0;
          // The organizations' Merkle trees keep the leaf hashes of purged events, so later proofs hold: a week
          // goes whole only when every tree already holds its events' leaves (else the row purge, which waits
          // for them, trims it later), and its runs of seq are recorded as pruned, as the row purge records its.
          const { rows: untreed } = await sql<{ found: number }>`
            select 1 as found from ${sql.table(name)} e
              join merkle_tree_heads t on t.org_id = e.org_id
             where e.seq >= t.tree_size limit 1`.execute(tx);
          if (untreed.length > 0) return 0;
          const { rows: runs } = await sql<{ org_id: string; first_seq: number | string; last_seq: number | string }>`
            select org_id, min(seq) as first_seq, max(seq) as last_seq
              from (select org_id, seq, seq - row_number() over (partition by org_id order by seq) as run
                      from ${sql.table(name)}) numbered
             group by org_id, run
             order by org_id, first_seq`.execute(tx);
          for (const run of runs) {
            await recordPrunedRun(
              tx as unknown as Transaction<AttestDatabase>,
              run.org_id,
              Number(run.first_seq),
              Number(run.last_seq),
              nowMs,
            );
          }
          // By organization, so each delete is a range of the counts' primary key (org_id, hour_start, …).
          const { rows } = await sql<{ events: number | null }>`
            with gone as (
              delete from audit_event_counts
               where org_id in (select org_id from org_log_heads) and hour_start >= ${fromMs} and hour_start < ${toMs}
              returning event_count
            ) select sum(event_count)::bigint as events from gone`.execute(tx);
          await sql`drop table ${sql.table(name)}`.execute(tx);
          return Number(rows[0]?.events ?? 0);
        }),
      0,
    );
  }
  return dropped;
}

/** PostgreSQL's lock_not_available, raised when `lock_timeout` runs out. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Runs one partition's change; if it could not get its lock within {@link LOCK_TIMEOUT}, answers `skipped`
 * and leaves that partition for the next run instead of failing the others (and the purge after them).
 */
async function skipOnLockTimeout<T>(change: () => Promise<T>, skipped: T): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === LOCK_NOT_AVAILABLE) return skipped;
    throw error;
  }
}
