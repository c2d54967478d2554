import { prepareIncomingEvents } from '../../catalog/prepare-incoming-events.js';
import type { IncomingEvent } from '../../catalog/incoming-event.js';
import { DAY_MS } from '../../config.js';
import type { EventActor, FieldChange, JsonValue, PreparedEvent } from '../../events/audit-event.js';
import type { StreamKind } from '../../store/database-schema.js';

/** The catalog's stream events (product AuditLogs), all security actions. */
export type StreamEventType =
  | 'audit_log.stream.created'
  | 'audit_log.stream.updated'
  | 'audit_log.stream.paused'
  | 'audit_log.stream.resumed'
  | 'audit_log.stream.secret_rotated'
  | 'audit_log.stream.deleted';

/** Who changed a destination, and when (for the record). */
export interface StreamChangeContext {
  actor: EventActor;
  orgId: string;
  nowMs: number;
  retentionDays: number;
  traceId: string;
}

/** The destination an event is about; its secret or token never enters the record. */
export interface StreamSubject {
  id: string;
  kind: StreamKind;
  url: string;
}

/** Builds one stream event, through the catalog like every other event. */
export function prepareStreamEvent(
  type: StreamEventType,
  subject: StreamSubject,
  ctx: StreamChangeContext,
  extra: { changes?: FieldChange[]; metadata?: Record<string, JsonValue> } = {},
): PreparedEvent {
  const actor: IncomingEvent['actor'] = { id: ctx.actor.id, type: ctx.actor.type };
  if (ctx.actor.name !== null) actor.name = ctx.actor.name;
  if (ctx.actor.email !== null) actor.email = ctx.actor.email;
  const incoming: IncomingEvent = {
    type,
    orgId: ctx.orgId,
    actor,
    entity: { id: subject.id, name: `${subject.kind} ${subject.url}`, type: 'stream' },
    metadata: { kind: subject.kind, url: subject.url, ...extra.metadata },
  };
  if (extra.changes && extra.changes.length > 0) incoming.changes = extra.changes;
  const [event] = prepareIncomingEvents([incoming], {
    allowedProducts: 'all',
    nowMs: ctx.nowMs,
    retentionMs: ctx.retentionDays * DAY_MS,
    traceId: ctx.traceId,
  });
  if (!event) throw new Error(`could not prepare ${type}`);
  // The caller's address and agent belong to the record (PRODUCT.md §4) but are not producer input.
  if (ctx.actor.ip !== undefined) event.actor.ip = ctx.actor.ip;
  if (ctx.actor.userAgent !== undefined) event.actor.userAgent = ctx.actor.userAgent;
  return event;
}
