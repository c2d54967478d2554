import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AttestError } from '../../../core/errors.js';
import { DAY_MS } from '../../../config.js';
import type { EventPosition } from '../../../store/event-log-reader.js';
import { MAX_RANGE_DAYS, type AuditLogFilters, type AuditLogQueryParams } from './audit-log-query.js';

/**
 * The opaque `cursor` of the owner list: `<body>.<mac>`, both base64url. The body is JSON holding the last
 * row's position (occurredAt, seq), the effective range of the first page, the `total` counted with the first
 * page, and a fingerprint of the organization, the requested range (`from` and `to`) and the filters; the MAC
 * is HMAC-SHA256 of the body's text under the deployment's cursor key (`store.cursorKey`, the same in every
 * process on the store). Reusing the first page's range keeps a default "last 30 days" query stable while
 * time passes; carrying the total makes a next page cost one index range scan instead of a recount; the
 * fingerprint turns a cursor from another query into a 400 instead of a silently wrong page; and the MAC
 * turns a hand-edited cursor (another range, another total) into a 400 as well.
 *
 * Every field is still checked after the MAC, one by one, so a cursor this code would never issue is refused
 * even under the right key.
 *
 * @example
 * const cursor = encodeCursor({ occurredAtMs, seq }, { fromMs, toMs }, total, fingerprint, store.cursorKey);
 * const { position, range, total } = decodeCursor(cursor, fingerprint, store.cursorKey);
 */

/** The range a cursor's pages keep using. */
export interface CursorRange {
  fromMs: number;
  toMs: number;
}

/** The only cursor version this code issues and reads. */
const CURSOR_VERSION = 1;

interface CursorBody {
  v: typeof CURSOR_VERSION;
  o: number;
  s: number;
  f: number;
  t: number;
  n: number;
  h: string;
}

/** A short digest of what a query asks for: the organization, the requested range and the normalized filters. */
export function queryFingerprint(orgId: string, params: Pick<AuditLogQueryParams, 'from' | 'to'>, filters: AuditLogFilters): string {
  const material = JSON.stringify([
    orgId,
    params.from ?? null,
    params.to ?? null,
    filters.actions,
    filters.actorEmail ?? null,
    filters.securityOnly,
    filters.types,
    filters.products,
    filters.excludedTypes,
  ]);
  return createHash('sha256').update(material).digest('base64url').slice(0, 16);
}

function mac(body: string, key: Buffer): Buffer {
  return createHmac('sha256', key).update(body).digest();
}

/** The cursor for the page after `position`. */
export function encodeCursor(position: EventPosition, range: CursorRange, total: number, fingerprint: string, key: Buffer): string {
  const body: CursorBody = {
    v: CURSOR_VERSION,
    o: position.occurredAtMs,
    s: position.seq,
    f: range.fromMs,
    t: range.toMs,
    n: total,
    h: fingerprint,
  };
  const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${encoded}.${mac(encoded, key).toString('base64url')}`;
}

function invalidCursor(reason: string): AttestError {
  return new AttestError('INVALID_CURSOR', `The cursor is not valid for this query: ${reason}. Start again from the first page.`, [
    { field: 'cursor', reason },
  ]);
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The body of a cursor whose MAC verifies under `key`, or a 400. */
function authenticatedBody(cursor: string, key: Buffer): unknown {
  const parts = cursor.split('.');
  const [encoded, sent] = parts;
  if (parts.length !== 2 || !encoded || !sent || !BASE64URL.test(encoded) || !BASE64URL.test(sent))
    throw invalidCursor('is not a cursor this API issued');
  const expected = mac(encoded, key);
  const given = Buffer.from(sent, 'base64url');
  // Base64url has several spellings of the same bytes (unused trailing bits): only the one issued is accepted.
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || given.toString('base64url') !== sent) {
    throw invalidCursor('was altered or was not issued by this deployment');
  }
  try {
    return JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw invalidCursor('is not a cursor this API issued');
  }
}

function integerField(body: Record<string, unknown>, name: string, what: string): number {
  const value = body[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalidCursor(`carries a ${what} that is not an integer`);
  return value;
}

/**
 * Reads a cursor back; 400 INVALID_CURSOR when it is malformed, altered, of an unknown version, carries a
 * range this API does not issue, or was made for another query.
 */
export function decodeCursor(
  cursor: string,
  fingerprint: string,
  key: Buffer,
): { position: EventPosition; range: CursorRange; total: number } {
  const body = authenticatedBody(cursor, key);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidCursor('is not a cursor this API issued');
  const fields = body as Record<string, unknown>;
  if (fields.v !== CURSOR_VERSION) throw invalidCursor('has a version this API does not read');
  const occurredAtMs = integerField(fields, 'o', 'position time');
  const seq = integerField(fields, 's', 'position seq');
  const fromMs = integerField(fields, 'f', 'range start');
  const toMs = integerField(fields, 't', 'range end');
  const total = integerField(fields, 'n', 'total');
  if (seq < 0) throw invalidCursor('carries a negative seq');
  if (total < 0) throw invalidCursor('carries a negative total');
  if (typeof fields.h !== 'string' || fields.h !== fingerprint)
    throw invalidCursor('was issued for a different organization, range or filter');
  if (fromMs >= toMs) throw invalidCursor('carries a range that ends before it starts');
  if (toMs - fromMs > MAX_RANGE_DAYS * DAY_MS) throw invalidCursor(`carries a range longer than ${MAX_RANGE_DAYS} days`);
  return { position: { occurredAtMs, seq }, range: { fromMs, toMs }, total };
}
