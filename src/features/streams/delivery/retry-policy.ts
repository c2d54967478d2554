import { FAILING_AFTER_MS } from '../stream-destination.js';

/** How often a destination that has been failing for a day is tried. */
export const FAILING_RETRY_INTERVAL_MS = 3_600_000;

/** What the next retry's delay depends on. */
export interface RetryInput {
  /** Failed attempts in the current run, this one included (1 after the first failure). */
  failedAttempts: number;
  /** When the current run of failures began. */
  failingSinceMs: number;
  nowMs: number;
  /** The receiver's `Retry-After`, when it sent one. */
  retryAfterMs: number | undefined;
  baseMs: number;
  maxMs: number;
  /** A number in [0, 1), for the jitter. */
  random: number;
}

/**
 * The delay before the next attempt: exponential from `baseMs`, doubled per failure up to `maxMs`, with
 * "equal jitter" (half fixed, half random) so destinations that failed together do not retry in step; never
 * sooner than the receiver's `Retry-After` (capped at an hour); hourly once the destination has been failing
 * for a day.
 */
export function nextRetryDelayMs(input: RetryInput): number {
  if (input.nowMs - input.failingSinceMs >= FAILING_AFTER_MS) return FAILING_RETRY_INTERVAL_MS;
  const exponent = Math.min(input.failedAttempts - 1, 30);
  const ceiling = Math.min(input.maxMs, input.baseMs * 2 ** exponent);
  const jittered = ceiling / 2 + (input.random * ceiling) / 2;
  const asked = Math.min(input.retryAfterMs ?? 0, FAILING_RETRY_INTERVAL_MS);
  return Math.round(Math.max(jittered, asked));
}
