import { hash } from 'node:crypto';
import { canonicalIncomingEventJson } from './canonical-incoming-event.js';
import type { IncomingEvent } from './incoming-event.js';

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
  // Every event sent with an idempotency key, as the producer SDK sends them all, pays it: the canonical JSON is
  // written in the schema's key order rather than through a sorted copy of the whole event.
  return hash('sha256', canonicalIncomingEventJson(event), 'base64url');
}
