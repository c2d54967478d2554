/**
 * The audit event record of PRODUCT.md §4: what the API returns, what the CSV export flattens and what the
 * leaf hash commits to.
 */

export type ActorType = 'user' | 'service' | 'system';

/** Who performed the action. */
export interface EventActor {
  id: string;
  name: string | null;
  email: string | null;
  type: ActorType;
  ip?: string;
  userAgent?: string;
}

/** What the action was performed on. */
export interface EventEntity {
  id: string;
  name: string | null;
  type: string;
  product: string;
}

/** The producer key that sent an ingested event, so a forged event is attributable (PRODUCT.md §2). */
export interface EventProducer {
  id: string;
  name: string;
}

/** One before/after pair of an update. */
export interface FieldChange {
  field: string;
  from: JsonValue;
  to: JsonValue;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A committed audit event. */
export interface AuditEventRecord {
  logId: string;
  orgId: string;
  seq: number;
  product: string;
  type: string;
  /** The version of the type's shape the event was written with, when it is not the first. */
  typeVersion?: number;
  action: string;
  activity: string;
  description: string;
  securityAction: boolean;
  /** ISO-8601 UTC with milliseconds. */
  occurredAt: string;
  recordedAt: string;
  actor: EventActor;
  entity: EventEntity;
  changes?: FieldChange[];
  metadata?: Record<string, JsonValue>;
  /** The producer key that sent the event; absent for the events Attest records itself. */
  producer?: EventProducer;
  /** W3C trace id, 32 lowercase hex digits. */
  traceId: string;
  expiresAt: string;
  /** Hex SHA-256 leaf hash, see `leaf-hash.ts`. */
  leafHash: string;
}

/**
 * An event validated against the catalog and ready to commit: everything but the fields assigned at commit
 * (`seq`, `recordedAt`, `leafHash`).
 */
export interface PreparedEvent {
  logId: string;
  orgId: string;
  product: string;
  type: string;
  /** Set only for a version after the first, so version-1 records keep their shape. */
  typeVersion?: number;
  action: string;
  activity: string;
  description: string;
  securityAction: boolean;
  occurredAtMs: number;
  expiresAtMs: number;
  actor: EventActor;
  entity: EventEntity;
  changes?: FieldChange[];
  metadata?: Record<string, JsonValue>;
  /** The producer key that sent the event (ingest only). */
  producer?: EventProducer;
  traceId: string;
  /** Producer-chosen key; a resend with the same key in the same organization returns the original event. */
  idempotencyKey?: string;
  /**
   * A digest of the event as its producer sent it, kept with an idempotency key: a resend with the same key
   * must be the same event, or it is refused (409) rather than answered with the original.
   */
  idempotencyFingerprint?: string;
}

/** What a commit answers for each prepared event, in order. */
export interface AppendedEvent {
  logId: string;
  seq: number;
  /** True when an earlier event with the same idempotency key was returned instead of a new one. */
  duplicate: boolean;
}
