import { DateTime } from 'luxon';
import { findEventType } from './catalog-registry.js';
import { eventShapeErrors, typeVersionOf } from './type-versions.js';
import { cataloguedEvent } from './catalogued-event.js';
import { AttestError, rejectionDetail, type FieldError } from '../core/errors.js';
import { isUuid } from '../core/ids.js';
import type { EventActor, EventProducer, PreparedEvent } from '../events/audit-event.js';
import { INGEST_LIMITS, type IncomingEvent } from './incoming-event.js';
import { incomingEventFingerprint } from './incoming-event-fingerprint.js';

/** What the ingest request knows beyond the events themselves. */
export interface IngestContext {
  /** Product areas the producer key may write; `'all'` for Attest's own modules. */
  allowedProducts: readonly string[] | 'all';
  nowMs: number;
  retentionMs: number;
  /** Trace id of the request (`traceparent`, else generated). */
  traceId: string;
  /** The producer key sending the events, recorded in each of them; absent for Attest's own modules. */
  producer?: EventProducer;
}

// RFC 3339 §5.6 date-time with the hours 00–23 (ISO 8601's 24:00 is not in it) and a time zone; a leap
// second (:60) passes the pattern and is refused by the calendar check below.
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * An RFC 3339 timestamp (section 5.6, with a time zone) in milliseconds, or NaN. The shape is checked by the
 * pattern and the calendar by luxon: `Date.parse` rolls an impossible date such as 2026-11-31 over to
 * December 1st, which would record a time the producer never sent.
 */
function parseTimestamp(text: string): number {
  if (!RFC_3339.test(text)) return Number.NaN;
  const parsed = DateTime.fromISO(text, { setZone: true });
  return parsed.isValid ? parsed.toMillis() : Number.NaN;
}

/**
 * The free-text fields of an event. PostgreSQL text cannot hold U+0000 and SQLite can, so these are checked
 * for it: the same event must get the same answer on every store, and a clear 400 rather than a failed commit.
 */
function textFields(event: IncomingEvent): Array<[string, string | undefined]> {
  return [
    ['actor.id', event.actor.id],
    ['actor.name', event.actor.name],
    ['actor.email', event.actor.email],
    ['entity.id', event.entity.id],
    ['entity.name', event.entity.name],
    ['entity.type', event.entity.type],
    ['description', event.description],
    ['idempotencyKey', event.idempotencyKey],
  ];
}

/**
 * Validates a batch against the catalog and the limits and turns it into events ready to commit. The batch is
 * all-or-nothing: every problem of every event is collected, and any problem rejects the whole batch, each
 * naming the event index, the field and the reason.
 */
export function prepareIncomingEvents(events: readonly IncomingEvent[], ingest: IngestContext): PreparedEvent[] {
  const errors: FieldError[] = [];
  const prepared: PreparedEvent[] = [];
  events.forEach((event, index) => {
    const eventErrors: FieldError[] = [];
    const fail = (field: string, reason: string) => eventErrors.push({ index, field: `events[${index}].${field}`, reason });
    const def = findEventType(event.type);
    if (!def) fail('type', `unknown event type "${event.type}"`);
    else if (ingest.allowedProducts !== 'all' && !ingest.allowedProducts.includes(def.product)) {
      fail('type', `event type "${event.type}" belongs to product ${def.product}, which this producer key may not write`);
    }
    const version = def ? typeVersionOf(def, event.version) : undefined;
    if (def && !version) {
      const known = def.versions.map((v) => v.version).join(', ');
      fail('version', `"${def.type}" has no version ${event.version ?? ''}; its versions are ${known}`);
    }
    if (!isUuid(event.orgId)) fail('orgId', 'must be a lowercase UUID');

    let occurredAtMs = ingest.nowMs;
    if (event.occurredAt !== undefined) {
      const parsed = parseTimestamp(event.occurredAt);
      if (Number.isNaN(parsed))
        fail(
          'occurredAt',
          'must be an RFC 3339 (ISO-8601) timestamp with a time zone, on a day that exists, e.g. 2026-01-31T12:00:00.000Z',
        );
      else if (parsed > ingest.nowMs + INGEST_LIMITS.maxFutureSkewMs) fail('occurredAt', 'is more than 5 minutes in the future');
      else if (parsed <= ingest.nowMs - ingest.retentionMs)
        fail('occurredAt', 'is older than the retention period, so it would already be expired');
      else occurredAtMs = parsed;
    }
    for (const [field, value] of textFields(event)) {
      if (value?.includes('\u0000')) fail(field, 'must not contain the NUL character (U+0000)');
    }
    if (!event.actor.id.trim()) fail('actor.id', 'must not be empty');
    if (!event.entity.id.trim()) fail('entity.id', 'must not be empty');
    if (event.metadata !== undefined) {
      if (Object.keys(event.metadata).length > INGEST_LIMITS.maxMetadataKeys)
        fail('metadata', `has more than ${INGEST_LIMITS.maxMetadataKeys} keys`);
      else if (Buffer.byteLength(JSON.stringify(event.metadata)) > INGEST_LIMITS.maxMetadataBytes)
        fail('metadata', 'is larger than 8 KiB serialized');
    }
    if (def && version) for (const [field, reason] of eventShapeErrors(def, version, event)) fail(field, reason);
    errors.push(...eventErrors);
    if (eventErrors.length > 0 || !def || !version) return;

    const actor: EventActor = {
      id: event.actor.id,
      name: event.actor.name ?? null,
      email: event.actor.email?.toLowerCase() ?? null,
      type: event.actor.type ?? 'user',
    };
    const item = cataloguedEvent(def, {
      orgId: event.orgId,
      occurredAtMs,
      retentionMs: ingest.retentionMs,
      traceId: ingest.traceId,
      actor,
      entity: {
        id: event.entity.id,
        name: event.entity.name ?? null,
        ...(event.entity.type !== undefined ? { type: event.entity.type } : {}),
      },
      ...(event.description !== undefined ? { description: event.description } : {}),
      ...(event.changes !== undefined ? { changes: event.changes } : {}),
      ...(event.metadata !== undefined ? { metadata: event.metadata } : {}),
    });
    if (version.version > 1) item.typeVersion = version.version;
    if (ingest.producer !== undefined) item.producer = ingest.producer;
    if (event.idempotencyKey !== undefined) {
      item.idempotencyKey = event.idempotencyKey;
      item.idempotencyFingerprint = incomingEventFingerprint(event);
    }
    prepared.push(item);
  });
  if (errors.length > 0) throw new AttestError('VALIDATION_FAILED', rejectionDetail(errors), errors);
  return prepared;
}
