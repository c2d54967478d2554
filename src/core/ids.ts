import { createHash, randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { random16 } from './random-pool.js';

/** A new time-ordered id (RFC 9562 UUIDv7) for events and other records. */
export function newId(msecs?: number): string {
  return msecs === undefined ? uuidv7() : uuidv7({ msecs, random: random16() });
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for a lowercase canonical UUID string. */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** A random secret with a readable prefix, e.g. `atp_…` for producer keys; shown once, stored as a hash. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/**
 * SHA-256 of a high-entropy secret (token, key, session id), hex. A slow password hash is not needed for
 * 256-bit random secrets, and a fast one lets every request look its caller up by hash.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
