import { hash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import type { IncomingEvent } from './incoming-event.js';

// CommonJS package typed as an ES default export; at run time the default import is the function itself.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/**
 * A digest of an event exactly as its producer sent it: SHA-256 of its RFC 8785 canonical JSON, base64url.
 * Key order and white space do not change it; any value does (an email's case included). Kept with an
 * idempotency key, so that a resend is recognised as the same event and a different event reusing the key
 * is refused instead of being silently answered with the original.
 *
 * @example
 * incomingEventFingerprint({ type: 'user.standard.added', orgId, actor: { id: 'u-1' }, entity: { id: 'u-2' }, idempotencyKey: 'k' });
 */
export function incomingEventFingerprint(event: IncomingEvent): string {
  const json = canonicalize(event);
  if (json === undefined) throw new Error('the event cannot be canonicalized');
  return hash('sha256', json, 'base64url');
}
