import canonicalizeModule from 'canonicalize';
import type { AuditEventRecord } from './audit-event.js';

// The package is CommonJS (`module.exports = serialize`) but its typings declare an ES default export, which
// NodeNext resolution types as a namespace; at run time the default import is the function itself.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/** The record without its leaf hash: exactly what the leaf hash commits to. */
export type HashedRecord = Omit<AuditEventRecord, 'leafHash'>;

/**
 * The canonical serialization of an event record: RFC 8785 JSON Canonicalization Scheme (JCS) of every field
 * of the record except `leafHash`, as UTF-8. JCS sorts object keys by UTF-16 code units, writes numbers the
 * ECMAScript way and strings with minimal escaping, so any verifier in any language gets the same bytes.
 * Absent optional fields (`changes`, `metadata`, `actor.ip`, `actor.userAgent`) are omitted, never `null`.
 */
export function canonicalRecordJson(record: HashedRecord): string {
  const json = canonicalize(record);
  if (json === undefined) throw new Error('event record cannot be canonicalized');
  return json;
}
