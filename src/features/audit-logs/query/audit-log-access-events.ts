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

/** Open windows a process remembers per store at most; beyond, the closed ones are forgotten (then all). */
const MAX_REMEMBERED_WINDOWS = 10_000;

/**
 * Per store, when each (reader, organization) window this process saw open closes. A mark only ever moves
 * forward (it is claimed anew only once its window has closed), so a window seen open stays open until then
 * whatever other processes do, and the reads inside it need not ask the database again.
 */
const openWindows = new WeakMap<AttestStore, Map<string, number>>();

function windowsOf(store: AttestStore): Map<string, number> {
  let windows = openWindows.get(store);
  if (!windows) {
    windows = new Map();
    openWindows.set(store, windows);
  }
  return windows;
}

function rememberWindow(windows: Map<string, number>, key: string, closesAt: number, nowMs: number): void {
  if (windows.size >= MAX_REMEMBERED_WINDOWS) {
    for (const [k, at] of windows) if (at <= nowMs) windows.delete(k);
    if (windows.size >= MAX_REMEMBERED_WINDOWS) windows.clear();
  }
  windows.set(key, closesAt);
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
  // A window this process already saw open needs no query at all: every page after the first of a visit.
  const windows = windowsOf(store);
  const key = `${principal}\n${orgId}`;
  const closesAt = windows.get(key);
  if (closesAt !== undefined && nowMs < closesAt) return undefined;
  // Nearly every read falls inside an open window: a plain read of the mark answers those without taking the
  // write lock (and on SQLite without queueing behind ingest's commits). Only a missing or old mark goes on to
  // the transaction, which decides atomically; a stale read here only means one more transaction.
  const markedAt = await lastViewMarkedAt(store.dialect.readDb, principal, orgId);
  if (markedAt !== undefined && markedAt > nowMs - VIEW_MARK_WINDOW_MS) {
    rememberWindow(windows, key, markedAt + VIEW_MARK_WINDOW_MS, nowMs);
    return undefined;
  }
  const seq = await store.transaction(async (tx) => {
    if (!(await claimViewMark(tx, principal, orgId, nowMs, VIEW_MARK_WINDOW_MS))) return undefined;
    const [appended] = await store.appendEventsIn(tx, [prepareEvent()]);
    return appended?.seq;
  });
  if (seq !== undefined) rememberWindow(windows, key, nowMs + VIEW_MARK_WINDOW_MS, nowMs);
  return seq;
}
