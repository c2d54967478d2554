import { DAY_MS } from '../../../config.js';
import type { EventActor, JsonValue, PreparedEvent } from '../../../events/audit-event.js';
import type { IncomingEvent } from '../../../catalog/incoming-event.js';
import { prepareIncomingEvents } from '../../../catalog/prepare-incoming-events.js';
import type { AttestStore } from '../../../store/attest-store.js';
import { claimViewMark, lastViewMarkedAt } from '../../../store/queries/audit-view-mark-queries.js';

/**
 * Attest's own events about reading the log (PRODUCT.md §3): `audit_log.viewed` and `audit_log.exported`.
 * They go through the same catalog validation as every ingested event, so product, action, activity and the
 * security flag come from the catalog here too.
 */

/** Who read the log: the owner user, or the CLI (`{ type: 'system', id: 'cli' }`); the event's actor. */
export type LogReader = EventActor;

/** The organization whose log was read; the event's entity is that organization's audit log. */
export interface ReadLog {
  orgId: string;
  orgName: string;
}

/** At most one `audit_log.viewed` per reader (a user) and organization in this window (PRODUCT.md §3). */
export const VIEW_MARK_WINDOW_MS = 30 * 60_000;

/** Builds an `audit_log.viewed` or `audit_log.exported` event, ready to commit. */
export function prepareLogAccessEvent(
  type: 'audit_log.viewed' | 'audit_log.exported',
  reader: LogReader,
  log: ReadLog,
  metadata: Record<string, JsonValue>,
  reading: { nowMs: number; retentionDays: number; traceId: string },
): PreparedEvent {
  const actor: IncomingEvent['actor'] = { id: reader.id, type: reader.type };
  if (reader.name !== null) actor.name = reader.name;
  if (reader.email !== null) actor.email = reader.email;
  const [event] = prepareIncomingEvents(
    [{ type, orgId: log.orgId, actor, entity: { id: log.orgId, name: `${log.orgName} audit logs`, type: 'audit_log' }, metadata }],
    { allowedProducts: 'all', nowMs: reading.nowMs, retentionMs: reading.retentionDays * DAY_MS, traceId: reading.traceId },
  );
  if (!event) throw new Error(`could not prepare ${type}`);
  // The HTTP caller's address and agent belong to the record (PRODUCT.md §4) but are not producer input.
  if (reader.ip !== undefined) event.actor.ip = reader.ip;
  if (reader.userAgent !== undefined) event.actor.userAgent = reader.userAgent;
  return event;
}

/**
 * Records `audit_log.viewed` (made by `prepareEvent`, for organization `orgId`) unless this principal already
 * has one for this organization in the last 30 minutes. The mark and the event commit in one transaction, and
 * the mark is claimed with a conditional upsert, so two concurrent first reads record one event between them.
 *
 * @returns the seq of the recorded event, or undefined when the window was still open.
 */
export async function recordViewOnce(
  store: AttestStore,
  principal: string,
  orgId: string,
  prepareEvent: () => PreparedEvent,
  nowMs: number,
): Promise<number | undefined> {
  // Nearly every read falls inside an open window: a plain read of the mark answers those without taking the
  // write lock (and on SQLite without queueing behind ingest's commits). Only a missing or old mark goes on to
  // the transaction, which decides atomically; a stale read here only means one more transaction.
  const markedAt = await lastViewMarkedAt(store.dialect.readDb, principal, orgId);
  if (markedAt !== undefined && markedAt > nowMs - VIEW_MARK_WINDOW_MS) return undefined;
  return store.transaction(async (tx) => {
    if (!(await claimViewMark(tx, principal, orgId, nowMs, VIEW_MARK_WINDOW_MS))) return undefined;
    const [appended] = await store.appendEventsIn(tx, [prepareEvent()]);
    return appended?.seq;
  });
}
