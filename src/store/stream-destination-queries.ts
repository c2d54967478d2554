import { hkdfSync, randomBytes } from 'node:crypto';
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { AttestDatabase, AuditEventsTable, StreamDestinationsTable } from './database-schema.js';

// The named queries of streams (PRODUCT.md §9): destinations and their settings, the delivery cursor, state and
// lease, the deployment's credential key, and the events a destination is owed.

type Db = Kysely<AttestDatabase>;
export type StreamDestinationRow = Selectable<StreamDestinationsTable>;
/** What an owner may change of a destination (the delivery columns belong to the delivery loop). */
export type StreamSettingsChange = Pick<
  Updateable<StreamDestinationsTable>,
  'url' | 'filter' | 'enabled' | 'credential' | 'ca_bundle' | 'updated_at'
>;

/** An event as a destination is handed it: enough to filter it without parsing, and its stored record. */
export type StreamedEventRow = Pick<AuditEventsTable, 'seq' | 'type' | 'action' | 'security' | 'occurred_at' | 'record' | 'leaf_hash'>;

/** What an owner decides of a new destination: everything but its delivery state. */
export type NewStreamDestination = Pick<
  StreamDestinationRow,
  'id' | 'org_id' | 'kind' | 'url' | 'filter' | 'enabled' | 'credential' | 'ca_bundle' | 'last_delivered_seq' | 'created_at'
>;

/** A destination that has delivered nothing yet: no failures, no lease, its cursor at `last_delivered_seq`. */
export function newStreamDestinationRow(destination: NewStreamDestination): StreamDestinationRow {
  return {
    ...destination,
    last_delivered_at: null,
    failed_attempts: 0,
    failing_since: null,
    last_error: null,
    next_attempt_at: null,
    lease_owner: null,
    lease_expires_at: null,
    updated_at: destination.created_at,
  };
}

/** Adds a destination (in the transaction that records its creation). */
export async function insertStreamDestination(db: Db, row: StreamDestinationsTable): Promise<void> {
  await db.insertInto('stream_destinations').values(row).execute();
}

/** The destinations of an organization, oldest first. */
export function listStreamDestinations(db: Db, orgId: string): Promise<StreamDestinationRow[]> {
  return db.selectFrom('stream_destinations').selectAll().where('org_id', '=', orgId).orderBy('created_at').orderBy('id').execute();
}

/** One destination, only within its organization. */
export function findStreamDestination(db: Db, orgId: string, id: string): Promise<StreamDestinationRow | undefined> {
  return db.selectFrom('stream_destinations').selectAll().where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
}

/** One destination by id alone (the delivery loop, which serves every organization). */
export function findStreamDestinationById(db: Db, id: string): Promise<StreamDestinationRow | undefined> {
  return db.selectFrom('stream_destinations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every destination's id, for the delivery loop to find those that appeared (in any process) or went away. */
export async function listStreamDestinationIds(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('stream_destinations').select('id').orderBy('id').execute();
  return rows.map((r) => r.id);
}

/** Changes an owner's settings of a destination; a resumed or re-pointed destination is tried at once. */
export async function updateStreamSettings(db: Db, orgId: string, id: string, change: StreamSettingsChange): Promise<void> {
  await db
    .updateTable('stream_destinations')
    .set({ ...change, next_attempt_at: null })
    .where('id', '=', id)
    .where('org_id', '=', orgId)
    .execute();
}

/** Removes a destination. */
export async function deleteStreamDestination(db: Db, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('stream_destinations').where('id', '=', id).where('org_id', '=', orgId).execute();
}

/** The deployment secret stream credential keys derive from. */
const STREAM_SECRET_NAME = 'stream-credentials';

/**
 * The deployment's 256-bit key for stream credentials: HKDF-SHA256 of a deployment secret that the first process
 * to need it makes. Two processes making it at once both insert "if absent" and then read the one row that won,
 * so every process on the store derives the same key.
 */
export async function streamCredentialKey(db: Db, nowMs: number): Promise<Buffer> {
  await db
    .insertInto('deployment_secrets')
    .values({ name: STREAM_SECRET_NAME, secret: randomBytes(32).toString('base64url'), created_at: nowMs })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('deployment_secrets').select('secret').where('name', '=', STREAM_SECRET_NAME).executeTakeFirstOrThrow();
  return Buffer.from(hkdfSync('sha256', Buffer.from(row.secret, 'base64url'), Buffer.alloc(0), 'attest stream credentials v1', 32));
}

/**
 * Takes (or renews) the right to deliver for a destination until `expiresAtMs`: granted when nobody holds it,
 * this process does, or the holder's lease ran out (it died). One conditional UPDATE, so of several processes
 * on one database exactly one gets it.
 */
export async function claimDeliveryLease(db: Db, id: string, owner: string, nowMs: number, expiresAtMs: number): Promise<boolean> {
  const result = await db
    .updateTable('stream_destinations')
    .set({ lease_owner: owner, lease_expires_at: expiresAtMs })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', owner), eb('lease_expires_at', '<', nowMs)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives the lease up (a clean stop), so another process need not wait for it to expire. */
export async function releaseDeliveryLease(db: Db, id: string, owner: string): Promise<void> {
  await db
    .updateTable('stream_destinations')
    .set({ lease_owner: null, lease_expires_at: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .execute();
}

/**
 * Moves the cursor to `lastSeq` after the destination accepted (or the filter skipped) everything up to it, and
 * ends any run of failures. Only the lease holder's write counts: a process that lost its lease meanwhile
 * changes nothing. Returns false then.
 */
export async function advanceStreamCursor(
  db: Db,
  id: string,
  owner: string,
  lastSeq: number,
  deliveredAtMs: number | undefined,
): Promise<boolean> {
  const delivered = deliveredAtMs === undefined ? {} : { last_delivered_at: deliveredAtMs };
  const result = await db
    .updateTable('stream_destinations')
    .set({ last_delivered_seq: lastSeq, ...delivered, failed_attempts: 0, failing_since: null, last_error: null, next_attempt_at: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('last_delivered_seq', '<', lastSeq)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Records a failed attempt: the count, since when the destination fails, why, and when to try again. */
export async function recordStreamFailure(
  db: Db,
  id: string,
  owner: string,
  failure: { error: string; nowMs: number; nextAttemptAtMs: number },
): Promise<void> {
  await db
    .updateTable('stream_destinations')
    .set((eb) => ({
      failed_attempts: eb('failed_attempts', '+', 1),
      failing_since: eb.fn.coalesce('failing_since', eb.val(failure.nowMs)),
      last_error: failure.error,
      next_attempt_at: failure.nextAttemptAtMs,
    }))
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .execute();
}

/** Events of an organization after `afterSeq`, oldest first, at most `limit`. */
export function findStreamedEventsAfter(db: Db, orgId: string, afterSeq: number, limit: number): Promise<StreamedEventRow[]> {
  return db
    .selectFrom('audit_events')
    .select(['seq', 'type', 'action', 'security', 'occurred_at', 'record', 'leaf_hash'])
    .where('org_id', '=', orgId)
    .where('seq', '>', afterSeq)
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute();
}

/** The highest committed seq of an organization (-1 for an empty log), read within `db` (a transaction or not). */
export async function orgLastSeq(db: Db, orgId: string): Promise<number> {
  const row = await db.selectFrom('org_log_heads').select('next_seq').where('org_id', '=', orgId).executeTakeFirst();
  return row ? Number(row.next_seq) - 1 : -1;
}

/**
 * When the oldest event a destination has not accepted yet was committed (its `recorded_at`, stamped in the
 * commit's transaction): the first event after the cursor, by the primary key. Null when there is none.
 */
export async function firstUndeliveredRecordedAt(db: Db, orgId: string, afterSeq: number): Promise<number | null> {
  const row = await db
    .selectFrom('audit_events')
    .select('recorded_at')
    .where('org_id', '=', orgId)
    .where('seq', '>', afterSeq)
    .orderBy('seq', 'asc')
    .limit(1)
    .executeTakeFirst();
  return row ? Number(row.recorded_at) : null;
}

/** A destination's distance behind its organization's log, in events and by the commit time of the first it lacks. */
export interface StreamLag {
  id: string;
  orgId: string;
  lagEvents: number;
  /** `recorded_at` of the first event after the cursor; null when the destination has caught up. */
  oldestUndeliveredAtMs: number | null;
}

/** Every destination's cursor beside its organization's last seq and its first undelivered event, for the lag metrics. */
export async function streamLags(db: Db): Promise<StreamLag[]> {
  const rows = await db
    .selectFrom('stream_destinations as d')
    .leftJoin('org_log_heads as h', 'h.org_id', 'd.org_id')
    .select((eb) => [
      'd.id',
      'd.org_id',
      'd.last_delivered_seq',
      'h.next_seq',
      // One primary-key probe per destination: the first event after its cursor.
      eb
        .selectFrom('audit_events as e')
        .select('e.recorded_at')
        .whereRef('e.org_id', '=', 'd.org_id')
        .whereRef('e.seq', '>', 'd.last_delivered_seq')
        .orderBy('e.seq', 'asc')
        .limit(1)
        .as('oldest_undelivered_at'),
    ])
    .execute();
  return rows.map((r) => ({
    id: r.id,
    orgId: r.org_id,
    lagEvents: Math.max(0, Number(r.next_seq ?? 0) - 1 - Number(r.last_delivered_seq)),
    oldestUndeliveredAtMs:
      r.oldest_undelivered_at === null || r.oldest_undelivered_at === undefined ? null : Number(r.oldest_undelivered_at),
  }));
}
