import { randomFillSync } from 'node:crypto';

// 512 draws of 16 bytes per refill. Asking the operating system for 16 bytes per event id and per request's
// trace id was a twentieth of the ingest server's CPU; Node's own `crypto.randomUUID` pools its entropy the
// same way.
const POOL_BYTES = 16 * 512;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let next = POOL_BYTES;

/**
 * 16 bytes from the operating system's CSPRNG, drawn from a pool refilled in bulk; each byte is handed out
 * once. For identifiers (UUIDs, trace ids), not for secrets, which take their own `randomBytes`.
 */
export function random16(): Buffer {
  if (next + 16 > POOL_BYTES) {
    randomFillSync(pool);
    next = 0;
  }
  // A copy: the pool is overwritten at the next refill.
  const bytes = Buffer.from(pool.subarray(next, next + 16));
  next += 16;
  return bytes;
}
