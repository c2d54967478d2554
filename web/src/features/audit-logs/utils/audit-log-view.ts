import { addDays, daysInclusive, isDay, startOfDayUtc, todayIn } from '../../../lib/time-zone.js';

/**
 * What the Audit Logs page shows, held in the URL so a view can be shared and survives a reload:
 * `?from=2026-11-01&to=2026-11-25&action=Create&product=LoyaltyPlus&type=loyalty.reward.approved&actor=ana@example.com&security=true&routine=show&log=<logId>`.
 * Days are whole days in the organization's time zone; without `from`/`to` the view is the last 30 days.
 */

/**
 * The routine events "Hide sign-ins and views" leaves out: successful sign-ins and `audit_log.viewed`. Failed
 * sign-ins and exports stay: they are security actions, the rows an owner reads the log for.
 */
export const ROUTINE_EVENT_TYPES: readonly string[] = ['session.login.succeeded', 'audit_log.viewed'];

/** The longest range the picker may apply, in whole days (PRODUCT.md §5). */
export const MAX_RANGE_DAYS = 30;

/** Events are kept this many days; a range reaching further back earns a warning. */
export const RETENTION_DAYS = 90;

/** The filters proper of the page (the range is not a filter). */
export interface AuditLogFilters {
  actions: string[];
  /** Product areas (`LoyaltyPlus`, …), as the catalog names them. */
  products: string[];
  /** Event types (`loyalty.reward.approved`, …), picked by their activity under their product. */
  types: string[];
  actor: string | null;
  securityOnly: boolean;
  /** Leave out {@link ROUTINE_EVENT_TYPES}; on by default (see the README). */
  hideRoutine: boolean;
}

/** The whole view: range, filters, and the event whose details are open. */
export interface AuditLogView {
  from: string;
  to: string;
  filters: AuditLogFilters;
  logId: string | null;
}

/**
 * The default view's filters: none chosen, and the routine sign-ins and views hidden. A fresh log is half
 * sign-ins and views after a short session; the changes an owner opens the page for would be lost among them.
 */
export const NO_FILTERS: AuditLogFilters = { actions: [], products: [], types: [], actor: null, securityOnly: false, hideRoutine: true };

/** The default range: today and the 29 days before it, in the organization's zone. */
export function defaultRange(zone: string, nowMs: number = Date.now()): { from: string; to: string } {
  const to = todayIn(zone, nowMs);
  return { from: addDays(to, -(MAX_RANGE_DAYS - 1)), to };
}

/** Reads the view from the URL's query; anything missing or malformed falls back to the default. */
export function parseView(search: URLSearchParams, zone: string, nowMs: number = Date.now()): AuditLogView {
  const fallback = defaultRange(zone, nowMs);
  const from = search.get('from');
  const to = search.get('to');
  const range = isDay(from) && isDay(to) && from <= to ? { from, to } : fallback;
  const listed = (name: string) => [...new Set(search.getAll(name).filter((value) => value.length > 0))];
  const actions = listed('action');
  const actor = search.get('actor')?.trim().toLowerCase() || null;
  return {
    ...range,
    filters: {
      actions,
      products: listed('product'),
      types: listed('type'),
      actor,
      securityOnly: search.get('security') === 'true',
      hideRoutine: search.get('routine') !== 'show',
    },
    logId: search.get('log') || null,
  };
}

/** Writes the view as a query string (the default range is left out, so "last 30 days" stays relative). */
export function viewToSearch(view: AuditLogView, zone: string, nowMs: number = Date.now()): string {
  const search = new URLSearchParams();
  const fallback = defaultRange(zone, nowMs);
  if (view.from !== fallback.from || view.to !== fallback.to) {
    search.set('from', view.from);
    search.set('to', view.to);
  }
  for (const action of view.filters.actions) search.append('action', action);
  for (const product of view.filters.products) search.append('product', product);
  for (const type of view.filters.types) search.append('type', type);
  if (view.filters.actor) search.set('actor', view.filters.actor);
  if (view.filters.securityOnly) search.set('security', 'true');
  if (!view.filters.hideRoutine) search.set('routine', 'show');
  if (view.logId) search.set('log', view.logId);
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The whole default view: the last 30 days, no filters chosen, routine events hidden. */
export function defaultView(zone: string, nowMs: number = Date.now()): AuditLogView {
  return { ...defaultRange(zone, nowMs), filters: NO_FILTERS, logId: null };
}

/** True when at least one filter is chosen (what "Export filtered logs" needs); hiding routine events is not one. */
export function hasFilters(filters: AuditLogFilters): boolean {
  return (
    filters.actions.length > 0 || filters.products.length > 0 || filters.types.length > 0 || filters.actor !== null || filters.securityOnly
  );
}

/** Why a picked range cannot be applied, or null when it can. */
export function rangeProblem(from: string, to: string): string | null {
  if (from > to) return 'The start day must not be after the end day.';
  const days = daysInclusive(from, to);
  if (days > MAX_RANGE_DAYS) return `The range spans ${days} days; choose at most ${MAX_RANGE_DAYS} days.`;
  return null;
}

/** The oldest day that still holds events: 90 days ago, in the organization's zone (its earlier hours expired). */
export function oldestRetainedDay(zone: string, nowMs: number = Date.now()): string {
  return addDays(todayIn(zone, nowMs), -RETENTION_DAYS);
}

/** True when the range starts before the oldest retained day, so part of it has no events any more. */
export function reachesPastRetention(from: string, zone: string, nowMs: number = Date.now()): boolean {
  return from < oldestRetainedDay(zone, nowMs);
}

/** True when every day of the range is older than the oldest retained day: none of its events is kept. */
export function whollyPastRetention(to: string, zone: string, nowMs: number = Date.now()): boolean {
  return to < oldestRetainedDay(zone, nowMs);
}

/** True when the range ends today or later, so new events belong in it (the live feed is on). */
export function includesNow(to: string, zone: string, nowMs: number = Date.now()): boolean {
  return to >= todayIn(zone, nowMs);
}

/** The API parameters of a view: the range as UTC instants (end exclusive) and the filters. */
export function apiParams(
  view: Pick<AuditLogView, 'from' | 'to'>,
  filters: AuditLogFilters,
  zone: string,
): Record<string, string | string[] | boolean | null> {
  const startIso = startOfDayUtc(view.from, zone);
  const toIso = startOfDayUtc(addDays(view.to, 1), zone);
  // A daylight-saving change can make 30 whole days an hour longer than 30 × 24 h, which the API refuses;
  // the range then starts an hour late rather than failing. Never ends early: the newest hour is where today's
  // events arrive, and ending an hour early hid them during the last hour of the day.
  const earliest = new Date(Date.parse(toIso) - MAX_RANGE_DAYS * 86_400_000).toISOString();
  const fromIso = daysInclusive(view.from, view.to) <= MAX_RANGE_DAYS && Date.parse(startIso) < Date.parse(earliest) ? earliest : startIso;
  return {
    from: fromIso,
    to: toIso,
    action: filters.actions,
    product: filters.products,
    type: filters.types,
    actor: filters.actor,
    security: filters.securityOnly,
    excludeType: filters.hideRoutine ? [...ROUTINE_EVENT_TYPES] : [],
  };
}
