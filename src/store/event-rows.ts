import type { AuditEventRecord, PreparedEvent } from '../events/audit-event.js';
import { canonicalRecordJson, type HashedRecord } from '../events/canonical-record.js';
import { leafHash } from '../events/leaf-hash.js';
import type { AuditEventsTable } from './database-schema.js';

// An event's stored row and back: what the writer inserts and what the reader returns, in a module of their
// own so the reader, the writer and the dialects depend on it and not on each other.

const HOUR_MS = 3_600_000;

/** An event as stored: its record's canonical JSON, its leaf hash, and its place in the newest-first order. */
export type StoredEvent = Pick<AuditEventsTable, 'record' | 'leaf_hash' | 'occurred_at' | 'seq'>;

/** Reads the rows of an organization's events by row id (those that still exist), in no particular order. */
export type RowFetch = (orgId: string, rowIds: readonly number[]) => Promise<StoredEvent[]>;

/** The full record of a prepared event once its commit position is known. */
export function toRecord(event: PreparedEvent, seq: number, recordedAtMs: number): HashedRecord {
  const record: HashedRecord = {
    logId: event.logId,
    orgId: event.orgId,
    seq,
    product: event.product,
    type: event.type,
    action: event.action,
    activity: event.activity,
    description: event.description,
    securityAction: event.securityAction,
    occurredAt: new Date(event.occurredAtMs).toISOString(),
    recordedAt: new Date(recordedAtMs).toISOString(),
    actor: event.actor,
    entity: event.entity,
    traceId: event.traceId,
    expiresAt: new Date(event.expiresAtMs).toISOString(),
  };
  if (event.typeVersion !== undefined) record.typeVersion = event.typeVersion;
  if (event.changes !== undefined) record.changes = event.changes;
  if (event.metadata !== undefined) record.metadata = event.metadata;
  if (event.producer !== undefined) record.producer = { id: event.producer.id, name: event.producer.name };
  return record;
}

/** The stored row of a prepared event at its commit position: its columns, canonical record and leaf hash. */
export function toEventRow(event: PreparedEvent, seq: number, recordedAtMs: number): AuditEventsTable {
  const record = canonicalRecordJson(toRecord(event, seq, recordedAtMs));
  return {
    org_id: event.orgId,
    seq,
    log_id: event.logId,
    occurred_at: event.occurredAtMs,
    recorded_at: recordedAtMs,
    expires_at: event.expiresAtMs,
    type: event.type,
    product: event.product,
    action: event.action,
    security: event.securityAction ? 1 : 0,
    actor_id: event.actor.id,
    actor_email: event.actor.email?.toLowerCase() ?? null,
    trace_id: event.traceId,
    idempotency_key: event.idempotencyKey ?? null,
    idempotency_fingerprint: event.idempotencyKey === undefined ? null : (event.idempotencyFingerprint ?? null),
    leaf_hash: leafHash(record),
    record,
  };
}

/** The hour bucket an instant falls in (UTC hours; every IANA zone offset is whole or edges are counted exactly). */
export function hourStart(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** Parses a stored row back into the API record. */
export function rowToRecord(row: Pick<AuditEventsTable, 'record' | 'leaf_hash'>): AuditEventRecord {
  // Completes the freshly parsed object in place: an export turns millions of rows into records, and a copy
  // per row was a tenth of its CPU.
  const record = JSON.parse(row.record) as HashedRecord & { leafHash?: string };
  record.leafHash = row.leaf_hash;
  return record as AuditEventRecord;
}

/**
 * The API record of a stored row as JSON text, without parsing it: the stored canonical JSON (the bytes the
 * leaf hash commits to) with `leafHash` added as its last member. A page of 50 records costs a string
 * concatenation instead of 50 parses and a serialization.
 */
export function storedRecordJson(row: Pick<AuditEventsTable, 'record' | 'leaf_hash'>): string {
  // The canonical record is a JSON object with members: its closing brace is its last character.
  return `${row.record.slice(0, -1)},"leafHash":${JSON.stringify(row.leaf_hash)}}`;
}
