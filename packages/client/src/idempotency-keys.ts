import { randomBytes } from 'node:crypto';

/**
 * Idempotency keys for one client: 96 random bits drawn once, then a counter. As unique as a random UUID per
 * key (a collision needs two clients drawing the same 96 bits), at the cost of a counter increment instead of
 * a random draw and formatting per event. A client's keys also sort in the order it sent them, so the
 * server's key index grows at one end instead of taking every key at a random place.
 *
 * @example
 * const next = idempotencyKeys();
 * next(); // 'q5Xk1rPZ0m3Jd9Aa.00000000000'
 * next(); // 'q5Xk1rPZ0m3Jd9Aa.00000000001'
 */
export function idempotencyKeys(): () => string {
  const prefix = `${randomBytes(12).toString('base64url')}.`;
  let counter = 0;
  // 11 base-36 digits hold 1.3 × 10^17 keys per client; fixed width keeps them sorted.
  return () => prefix + (counter++).toString(36).padStart(11, '0');
}
