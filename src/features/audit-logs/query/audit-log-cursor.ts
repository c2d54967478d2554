import { createHash } from 'node:crypto';
import { AttestError } from '../../../core/errors.js';
import { DAY_MS } from '../../../config.js';
import type { EventPosition } from '../../../store/event-log-reader.js';
import { MAX_RANGE_DAYS, type AuditLogFilters, type AuditLogQueryParams } from './audit-log-query.js';

/**
 * The opaque `cursor` of the owner list: base64url JSON holding the last row's position (occurredAt, seq),
 * the effective range of the first page, the `total` counted with the first page, and a fingerprint of the
 * organization, the requested range and the filters. Reusing the first page's range keeps a default "last 30
 * days" query stable while time passes; carrying the total makes a next page cost one index range scan instead
 * of a recount; the fingerprint turns a cursor from another query into a 400 instead of a silently wrong page.
 *
 * @example
 * const cursor = encodeCursor({ occurredAtMs, seq }, { fromMs, toMs }, total, fingerprint);
 * const { position, range, total } = decodeCursor(cursor, fingerprint);
 */

/** The range a cursor's pages keep using. */
export interface CursorRange {
  fromMs: number;
  toMs: number;
}

interface CursorBody {
  v: 1;
  o: number;
  s: number;
  f: number;
  t: number;
  n: number;
  h: string;
}

/** A short digest of what a query asks for: the organization, the requested range and the normalized filters. */
export function queryFingerprint(orgId: string, params: Pick<AuditLogQueryParams, 'from' | 'to'>, filters: AuditLogFilters): string {
  const material = JSON.stringify([orgId, params.from ?? null, params.to ?? null, filters.actions, filters.actorEmail ?? null, filters.securityOnly, filters.types, filters.products, filters.excludedTypes]);
  return createHash('sha256').update(material).digest('base64url').slice(0, 16);
}

/** The cursor for the page after `position`. */
export function encodeCursor(position: EventPosition, range: CursorRange, total: number, fingerprint: string): string {
  const body: CursorBody = { v: 1, o: position.occurredAtMs, s: position.seq, f: range.fromMs, t: range.toMs, n: total, h: fingerprint };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

function invalidCursor(reason: string): AttestError {
  return new AttestError('INVALID_CURSOR', `The cursor is not valid for this query: ${reason}. Start again from the first page.`, [{ field: 'cursor', reason }]);
}

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** Reads a cursor back; 400 INVALID_CURSOR when it is malformed or was made for another query. */
export function decodeCursor(cursor: string, fingerprint: string): { position: EventPosition; range: CursorRange; total: number } {
  let body: Partial<CursorBody>;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorBody>;
  } catch {
    throw invalidCursor('is not a cursor this API issued');
  }
  if (typeof body !== 'object' || body === null || body.v !== 1 || !isInteger(body.o) || !isInteger(body.s) || !isInteger(body.f) || !isInteger(body.t) || !isInteger(body.n) || body.n < 0 || typeof body.h !== 'string') {
    throw invalidCursor('is not a cursor this API issued');
  }
  if (body.h !== fingerprint) throw invalidCursor('was issued for a different organization, range or filter');
  if (body.f >= body.t || body.t - body.f > MAX_RANGE_DAYS * DAY_MS) throw invalidCursor('carries a range this API does not issue');
  return { position: { occurredAtMs: body.o, seq: body.s }, range: { fromMs: body.f, toMs: body.t }, total: body.n };
}
