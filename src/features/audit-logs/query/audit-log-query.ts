import { DateTime } from 'luxon';
import { allEventTypes, productAreas } from '../../../catalog/catalog-registry.js';
import { ACTION_TYPES } from '../../../catalog/event-catalog.js';
import { AttestError } from '../../../core/errors.js';
import { DAY_MS } from '../../../config.js';
import type { AuditEventRecord } from '../../../events/audit-event.js';
import { INGEST_LIMITS } from '../../../catalog/incoming-event.js';
import type { EventFilter } from '../../../store/event-log-reader.js';

/**
 * How the owner API, the CSV export and `attest export` read their filters: one pure module, so all three
 * interpret `from`, `to`, `action`, `actor`, `security`, `type` and `product` identically (PRODUCT.md §5, §7).
 *
 * @example
 * const query = resolveAuditLogQuery({ action: ['Create'], security: 'true' }, { orgId, nowMs: Date.now(), retentionDays: 90, timeZone: 'UTC' });
 * await store.events.findPage(query.filter, 50);
 */

/** The longest range one query may span (PRODUCT.md §5). */
export const MAX_RANGE_DAYS = 30;

/** Filter parameters as they arrive from a query string or the command line (strings, or arrays when repeated). */
export interface AuditLogQueryParams {
  from?: string | undefined;
  to?: string | undefined;
  action?: string | readonly string[] | undefined;
  actor?: string | undefined;
  security?: boolean | string | undefined;
  type?: string | readonly string[] | undefined;
  product?: string | readonly string[] | undefined;
  excludeType?: string | readonly string[] | undefined;
}

/** What a query needs to know besides its parameters. */
export interface AuditLogQueryContext {
  orgId: string;
  nowMs: number;
  retentionDays: number;
  /** IANA zone of the organization: a `from`/`to` without an offset is read as wall time there. */
  timeZone: string;
}

/** Something the caller should be told although the query succeeded (shown by the page). */
export interface QueryWarning {
  code: string;
  message: string;
}

/** The filters proper (not the range): what `scope=filtered` requires at least one of. */
export interface AuditLogFilters {
  actions: string[];
  /** Lowercased. */
  actorEmail?: string;
  securityOnly: boolean;
  types: string[];
  products: string[];
  /** Event types left out, e.g. the page's "Hide sign-ins and views". */
  excludedTypes: string[];
}

/** A query ready for the store: the effective range after defaults and clamping, and what was clamped. */
export interface ResolvedAuditLogQuery {
  filter: EventFilter;
  filters: AuditLogFilters;
  warnings: QueryWarning[];
}

/** How an export chooses its rows: everything retained, or the filters and range of the page. */
export type ExportScope = 'all' | 'filtered';

const ACTION_SET = new Set<string>(ACTION_TYPES);

function asList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? [value] : [...value];
  return [...new Set(list.map((v) => v.trim()).filter((v) => v.length > 0))].sort();
}

function parseInstant(field: 'from' | 'to', value: string, timeZone: string): number {
  const parsed = DateTime.fromISO(value.trim(), { zone: timeZone });
  if (!parsed.isValid) {
    throw new AttestError('VALIDATION_FAILED', `${field}: must be an ISO-8601 date or date-time, e.g. 2026-01-31T12:00:00Z`, [
      { field, reason: 'must be an ISO-8601 date or date-time, e.g. 2026-01-31T12:00:00Z' },
    ]);
  }
  return parsed.toMillis();
}

function parseSecurity(value: boolean | string | undefined): boolean {
  if (value === undefined || value === false || value === '' || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new AttestError('VALIDATION_FAILED', 'security: must be true or false', [{ field: 'security', reason: 'must be true or false' }]);
}

function rejectUnknown(field: string, values: readonly string[], known: ReadonlySet<string>, what: string): void {
  const unknown = values.filter((v) => !known.has(v));
  if (unknown.length === 0) return;
  const reason = `unknown ${what} ${unknown.map((u) => `"${u}"`).join(', ')}; known: ${[...known].join(', ')}`;
  throw new AttestError('VALIDATION_FAILED', `${field}: ${reason}`, [{ field, reason }]);
}

/** Parses and checks the filters proper against the catalog; unknown actions, types or products are a 400. */
export function parseAuditLogFilters(params: AuditLogQueryParams): AuditLogFilters {
  const actions = asList(params.action);
  rejectUnknown('action', actions, ACTION_SET, 'action type');
  const types = asList(params.type);
  rejectUnknown('type', types, new Set(allEventTypes().map((d) => d.type)), 'event type');
  const products = asList(params.product);
  rejectUnknown('product', products, new Set(productAreas().map((a) => a.product)), 'product area');
  const excludedTypes = asList(params.excludeType);
  rejectUnknown('excludeType', excludedTypes, new Set(allEventTypes().map((d) => d.type)), 'event type');
  const filters: AuditLogFilters = { actions, securityOnly: parseSecurity(params.security), types, products, excludedTypes };
  const actor = params.actor?.trim().toLowerCase();
  if (actor) filters.actorEmail = actor;
  return filters;
}

/** True when at least one filter proper is set (a range alone is not a filter). */
export function hasAnyFilter(filters: AuditLogFilters): boolean {
  return (
    filters.actions.length > 0 ||
    filters.actorEmail !== undefined ||
    filters.securityOnly ||
    filters.types.length > 0 ||
    filters.products.length > 0 ||
    filters.excludedTypes.length > 0
  );
}

/** The start of what is retained: events older than this have expired (or are about to). */
export function retentionHorizon(reading: Pick<AuditLogQueryContext, 'nowMs' | 'retentionDays'>): number {
  return reading.nowMs - reading.retentionDays * DAY_MS;
}

function toEventFilter(orgId: string, fromMs: number, toMs: number, filters: AuditLogFilters): EventFilter {
  const filter: EventFilter = { orgId, fromMs, toMs, securityOnly: filters.securityOnly };
  if (filters.actions.length) filter.actions = filters.actions;
  if (filters.actorEmail !== undefined) filter.actorEmail = filters.actorEmail;
  if (filters.types.length) filter.types = filters.types;
  if (filters.products.length) filter.products = filters.products;
  if (filters.excludedTypes.length) filter.excludedTypes = filters.excludedTypes;
  return filter;
}

/** `Sep 7, 2026 at 14:03 (Europe/Paris)`: a moment as the organization's people read it, never raw ISO. */
function momentInWords(ms: number, timeZone: string): string {
  return `${DateTime.fromMillis(ms, { zone: timeZone }).toFormat("LLL d, yyyy 'at' HH:mm")} (${timeZone})`;
}

/**
 * What a range reaching past the retention horizon is told: RANGE_CLAMPED when part of it is still retained
 * (it now starts at the horizon), RANGE_EXPIRED when all of it is older (it holds nothing any more). One
 * message each, so a range wholly in the past is not told that it "now starts" after it ends.
 */
function retentionWarning(toMs: number, horizon: number, reading: AuditLogQueryContext): QueryWarning {
  const oldest = momentInWords(horizon, reading.timeZone);
  if (toMs <= horizon) {
    return {
      code: 'RANGE_EXPIRED',
      message: `Events are kept ${reading.retentionDays} days and the whole range is older than that: its events have expired. The oldest event still kept is from ${oldest} or later.`,
    };
  }
  return {
    code: 'RANGE_CLAMPED',
    message: `Events are kept ${reading.retentionDays} days: this range starts at ${oldest}, the oldest moment still kept; the days before it have no events any more.`,
  };
}

/**
 * The query a request asks for. Range rules (PRODUCT.md §5): without `to` it ends now, without `from` it
 * starts 30 days before `to`; `from` must precede `to` and the range may span at most 30 days (400); a
 * `from` before the retention horizon is moved up to it and a warning says so.
 */
export function resolveAuditLogQuery(params: AuditLogQueryParams, reading: AuditLogQueryContext): ResolvedAuditLogQuery {
  const filters = parseAuditLogFilters(params);
  const toMs = params.to ? parseInstant('to', params.to, reading.timeZone) : reading.nowMs;
  const fromMs = params.from ? parseInstant('from', params.from, reading.timeZone) : toMs - MAX_RANGE_DAYS * DAY_MS;
  if (fromMs >= toMs) {
    throw new AttestError('INVALID_RANGE', 'The range is empty: from must be before to.', [{ field: 'from', reason: 'must be before to' }]);
  }
  if (toMs - fromMs > MAX_RANGE_DAYS * DAY_MS) {
    throw new AttestError(
      'RANGE_TOO_LONG',
      `A query range may span at most ${MAX_RANGE_DAYS} days; narrow from/to or export all logs instead.`,
      [
        {
          field: params.from ? 'from' : 'to',
          reason: `the range from ${new Date(fromMs).toISOString()} to ${new Date(toMs).toISOString()} spans more than ${MAX_RANGE_DAYS} days`,
        },
      ],
    );
  }
  const warnings: QueryWarning[] = [];
  const horizon = retentionHorizon(reading);
  let effectiveFrom = fromMs;
  // Only an explicit `from` earns a warning: the default range is not the caller's choice.
  if (fromMs < horizon) {
    effectiveFrom = horizon;
    if (params.from) warnings.push(retentionWarning(toMs, horizon, reading));
  }
  const effectiveTo = Math.max(toMs, effectiveFrom);
  return { filter: toEventFilter(reading.orgId, effectiveFrom, effectiveTo, filters), filters, warnings };
}

/**
 * The query of an export. `all`: everything retained, whatever the filters say. `filtered`: exactly what the
 * list shows for the same parameters, and at least one filter proper is required (a range alone is not one).
 */
export function resolveExportQuery(scope: ExportScope, params: AuditLogQueryParams, reading: AuditLogQueryContext): ResolvedAuditLogQuery {
  if (scope === 'all') {
    const filters: AuditLogFilters = { actions: [], securityOnly: false, types: [], products: [], excludedTypes: [] };
    // Ingest accepts clocks up to 5 minutes ahead, so "everything retained" reaches that far past now.
    const toMs = reading.nowMs + INGEST_LIMITS.maxFutureSkewMs + 1;
    return { filter: toEventFilter(reading.orgId, retentionHorizon(reading), toMs, filters), filters, warnings: [] };
  }
  const query = resolveAuditLogQuery(params, reading);
  if (!hasAnyFilter(query.filters)) {
    throw new AttestError(
      'FILTER_REQUIRED',
      'A filtered export needs at least one filter (action, actor, security, type, product or excludeType); use scope=all to export everything.',
      [{ field: 'scope', reason: 'filtered needs at least one of action, actor, security, type, product, excludeType' }],
    );
  }
  return query;
}

/** True when a committed event passes the filters proper (the live stream filters in memory). */
export function matchesFilters(record: AuditEventRecord, filters: AuditLogFilters): boolean {
  if (filters.actions.length > 0 && !filters.actions.includes(record.action)) return false;
  if (filters.actorEmail !== undefined && record.actor.email?.toLowerCase() !== filters.actorEmail) return false;
  if (filters.securityOnly && !record.securityAction) return false;
  if (filters.types.length > 0 && !filters.types.includes(record.type)) return false;
  if (filters.products.length > 0 && !filters.products.includes(record.product)) return false;
  if (filters.excludedTypes.includes(record.type)) return false;
  return true;
}

/** The filters proper as recorded in `audit_log.viewed` / `audit_log.exported` metadata. */
export function describeFilters(filters: AuditLogFilters): {
  action: string[];
  actor: string | null;
  security: boolean;
  type: string[];
  product: string[];
  excludeType: string[];
} {
  return {
    action: filters.actions,
    actor: filters.actorEmail ?? null,
    security: filters.securityOnly,
    type: filters.types,
    product: filters.products,
    excludeType: filters.excludedTypes,
  };
}

/** The effective range and filters as recorded in `audit_log.viewed` / `audit_log.exported` metadata. */
export function describeQuery(query: ResolvedAuditLogQuery): { from: string; to: string; filters: ReturnType<typeof describeFilters> } {
  return {
    from: new Date(query.filter.fromMs).toISOString(),
    to: new Date(query.filter.toMs).toISOString(),
    filters: describeFilters(query.filters),
  };
}
