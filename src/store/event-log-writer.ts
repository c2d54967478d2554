import type { Transaction } from 'kysely';
import type { Clock } from '../core/clock.js';
import { AttestError, rejectionDetail } from '../core/errors.js';
import { groupBy } from '../core/group-by.js';
import type { AppendedEvent, PreparedEvent } from '../events/audit-event.js';
import type { AttestDatabase, AuditActorsTable, AuditEventCountsTable, AuditEventsTable } from './database-schema.js';
import { hourStart, toEventRow } from './event-rows.js';
import type { StoreDialect } from './store-dialect.js';

const HOUR_MS = 3_600_000;
/** How precisely an actor's `last_seen_at` follows its events. */
const ACTOR_SEEN_RESOLUTION_MS = HOUR_MS;
// Rows per INSERT statement: 16 columns × 500 stays far below SQLite's 32,766 and PostgreSQL's 65,535
// bound parameters.
const INSERT_CHUNK = 500;

/** The transaction type every store write runs in. */
export type StoreTransaction = Transaction<AttestDatabase>;

/** What an append needs of the store's dialect (the SQLite append thread has no more than this). */
export type AppendingDialect = Pick<StoreDialect, 'supportsRowLocks' | 'insertEventRows'>;

/**
 * Appends events inside the caller's transaction: locks each organization's log head, assigns the next gapless
 * `seq` values, computes the leaf hashes and inserts the rows and hourly counts. Events whose idempotency key
 * was already used in their organization are not inserted; the original `logId` and `seq` are returned.
 *
 * The head is locked before idempotency keys are checked, so two writers racing with the same key are
 * serialized and the second sees the first's row. Organizations are locked in sorted order so concurrent
 * writers never deadlock. `recordedAt` is read from `clock` once the heads are locked.
 */
export async function appendEventsInTransaction(
  tx: StoreTransaction,
  dialect: AppendingDialect,
  events: readonly PreparedEvent[],
  clock: Clock,
): Promise<AppendedEvent[]> {
  const orgIds = [...new Set(events.map((e) => e.orgId))].sort();
  const nextSeqByOrg = await lockOrgLogHeads(tx, dialect, orgIds);
  // Read the clock only once the heads are locked: a writer that waited for the lock must not record an
  // earlier time than the writer that held it, or recordedAt would run backwards along the seq order.
  const recordedAtMs = clock.now();
  const earlier = await findIdempotentOriginals(tx, events);

  const results: AppendedEvent[] = [];
  const rows: AuditEventsTable[] = [];
  const seenInBatch = new Map<string, IdempotentOriginal>();
  const actors = new Map<string, AuditActorsTable>();
  for (const [index, event] of events.entries()) {
    const key = event.idempotencyKey === undefined ? undefined : idempotencyMapKey(event.orgId, event.idempotencyKey);
    const original = key === undefined ? undefined : (earlier.get(key) ?? seenInBatch.get(key));
    if (original) {
      assertSameEvent(original, event, index);
      results.push({ logId: original.logId, seq: original.seq, duplicate: true });
      continue;
    }
    const seq = nextSeqByOrg.get(event.orgId) ?? 0;
    nextSeqByOrg.set(event.orgId, seq + 1);
    rows.push(toEventRow(event, seq, recordedAtMs));
    if (event.actor.email) {
      const email = event.actor.email.toLowerCase();
      actors.set(`${event.orgId}\u0000${email}`, {
        org_id: event.orgId,
        actor_email: email,
        actor_name: event.actor.name,
        last_seen_at: recordedAtMs,
      });
    }
    const appended = { logId: event.logId, seq, duplicate: false };
    if (key !== undefined)
      seenInBatch.set(key, { logId: event.logId, seq, fingerprint: event.idempotencyFingerprint ?? null, inThisAppend: true });
    results.push(appended);
  }

  if (dialect.insertEventRows) {
    await dialect.insertEventRows(tx, rows);
  } else {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await tx
        .insertInto('audit_events')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .execute();
    }
  }
  for (const orgId of orgIds) {
    await tx
      .updateTable('org_log_heads')
      .set({ next_seq: nextSeqByOrg.get(orgId) ?? 0 })
      .where('org_id', '=', orgId)
      .execute();
  }
  await addHourlyCounts(tx, rows);
  await rememberActors(tx, [...actors.values()]);
  return results;
}

async function rememberActors(tx: StoreTransaction, values: readonly AuditActorsTable[]): Promise<void> {
  for (let i = 0; i < values.length; i += INSERT_CHUNK) {
    await tx
      .insertInto('audit_actors')
      .values(values.slice(i, i + INSERT_CHUNK))
      .onConflict((oc) =>
        oc
          .columns(['org_id', 'actor_email'])
          .doUpdateSet((eb) => ({
            actor_name: eb.ref('excluded.actor_name'),
            last_seen_at: eb.ref('excluded.last_seen_at'),
          }))
          // A known actor's row is rewritten only for a new name, or once an hour for when it was last seen:
          // rewriting it for every event put one more page into nearly every commit.
          .where((eb) =>
            eb.or([
              eb('audit_actors.actor_name', 'is distinct from', eb.ref('excluded.actor_name')),
              eb('audit_actors.last_seen_at', '<', eb(eb.ref('excluded.last_seen_at'), '-', ACTOR_SEEN_RESOLUTION_MS)),
            ]),
          ),
      )
      .execute();
  }
}

async function lockOrgLogHeads(tx: StoreTransaction, dialect: AppendingDialect, orgIds: string[]): Promise<Map<string, number>> {
  const next = new Map<string, number>();
  if (orgIds.length === 0) return next;
  await tx
    .insertInto('org_log_heads')
    .values(orgIds.map((org_id) => ({ org_id, next_seq: 0 })))
    .onConflict((oc) => oc.column('org_id').doNothing())
    .execute();
  const heads = await tx
    .selectFrom('org_log_heads')
    .select(['org_id', 'next_seq'])
    .where('org_id', 'in', orgIds)
    .orderBy('org_id')
    .$if(dialect.supportsRowLocks, (qb) => qb.forUpdate())
    .execute();
  for (const head of heads) next.set(head.org_id, Number(head.next_seq));
  return next;
}

function idempotencyMapKey(orgId: string, key: string): string {
  return `${orgId}\u0000${key}`;
}

/** The event that first used an idempotency key, and the fingerprint of that event as it was sent. */
interface IdempotentOriginal {
  logId: string;
  seq: number;
  /** Null for events stored before fingerprints were kept (migration 0007): those resends are answered as before. */
  fingerprint: string | null;
  /** True when the original is part of this same append (not yet committed). */
  inThisAppend: boolean;
}

/**
 * A resend must be the event that first used its key: otherwise the producer would be told its new event was
 * recorded when the log holds another one. Refused with the original's Log ID, so the producer can look it up.
 */
function assertSameEvent(original: IdempotentOriginal, event: PreparedEvent, index: number): void {
  if (original.fingerprint === null || event.idempotencyFingerprint === undefined || original.fingerprint === event.idempotencyFingerprint)
    return;
  const field = `events[${index}].idempotencyKey`;
  if (original.inThisAppend) {
    const reason = 'is used twice in this batch for different events';
    throw new AttestError('IDEMPOTENCY_CONFLICT', rejectionDetail([{ index, field, reason }]), [{ index, field, reason }]);
  }
  const reason = `was already used in this organization for a different event, recorded as ${original.logId}`;
  throw new AttestError('IDEMPOTENCY_CONFLICT', rejectionDetail([{ index, field, reason }]), [
    { index, field, reason, logId: original.logId },
  ]);
}

async function findIdempotentOriginals(tx: StoreTransaction, events: readonly PreparedEvent[]): Promise<Map<string, IdempotentOriginal>> {
  const found = new Map<string, IdempotentOriginal>();
  const keyed = events.filter((e) => e.idempotencyKey !== undefined);
  if (keyed.length === 0) return found;
  for (const [orgId, keys] of groupBy(
    keyed,
    (e) => e.orgId,
    (e) => e.idempotencyKey as string,
  )) {
    const rows = await tx
      .selectFrom('audit_events')
      .select(['log_id', 'seq', 'idempotency_key', 'idempotency_fingerprint'])
      .where('org_id', '=', orgId)
      .where('idempotency_key', 'in', keys)
      .execute();
    for (const row of rows) {
      found.set(idempotencyMapKey(orgId, row.idempotency_key as string), {
        logId: row.log_id,
        seq: Number(row.seq),
        fingerprint: row.idempotency_fingerprint,
        inThisAppend: false,
      });
    }
  }
  return found;
}

/** The columns of an event row that place it in an hourly count bucket. */
export type BucketedEventRow = Pick<AuditEventsTable, 'org_id' | 'occurred_at' | 'type' | 'action' | 'product' | 'security'>;

/**
 * How many of `rows` fall in each hourly count bucket, in bucket key order. Appends add these counts and purge
 * subtracts them, both in this order, so the two never lock the same bucket rows in opposite orders (a
 * PostgreSQL deadlock) when a purge and an append meet in the same hour.
 */
export function countByHourlyBucket(rows: readonly BucketedEventRow[]): AuditEventCountsTable[] {
  const counts = new Map<string, AuditEventCountsTable>();
  for (const row of rows) {
    const bucket = {
      org_id: row.org_id,
      hour_start: hourStart(Number(row.occurred_at)),
      type: row.type,
      action: row.action,
      product: row.product,
      security: Number(row.security),
    };
    const key = [bucket.org_id, bucket.hour_start, bucket.type, bucket.action, bucket.product, bucket.security].join('\u0000');
    const counted = counts.get(key);
    if (counted) counted.event_count += 1;
    else counts.set(key, { ...bucket, event_count: 1 });
  }
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, bucket]) => bucket);
}

async function addHourlyCounts(tx: StoreTransaction, rows: readonly AuditEventsTable[]): Promise<void> {
  const values = countByHourlyBucket(rows);
  for (let i = 0; i < values.length; i += INSERT_CHUNK) {
    await tx
      .insertInto('audit_event_counts')
      .values(values.slice(i, i + INSERT_CHUNK))
      .onConflict((oc) =>
        oc.columns(['org_id', 'hour_start', 'type', 'action', 'product', 'security']).doUpdateSet((eb) => ({
          event_count: eb('audit_event_counts.event_count', '+', eb.ref('excluded.event_count')),
        })),
      )
      .execute();
  }
}
