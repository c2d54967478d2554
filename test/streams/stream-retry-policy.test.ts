import { describe, expect, it } from 'vitest';
import { FAILING_RETRY_INTERVAL_MS, nextRetryDelayMs } from '../../src/features/streams/delivery/retry-policy.js';
import { retryAfterMs } from '../../src/features/streams/senders/limited-http-post.js';
import { streamStateOf } from '../../src/features/streams/stream-destination.js';
import { newStreamDestinationRow, type StreamDestinationRow } from '../../src/store/stream-destination-queries.js';

/** The retry schedule and the state an owner sees: exponential with jitter, Retry-After, failing after a day, then hourly. */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const base = { failingSinceMs: 0, nowMs: 0, retryAfterMs: undefined, baseMs: 1000, maxMs: 300_000, random: 0.5 };

describe('retry delay', () => {
  it('doubles per failure between half and all of the ceiling, up to the maximum', () => {
    for (const [attempts, ceiling] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
      [9, 256_000],
      [10, 300_000],
      [60, 300_000],
    ] as const) {
      expect(nextRetryDelayMs({ ...base, failedAttempts: attempts, random: 0 })).toBe(ceiling / 2);
      expect(nextRetryDelayMs({ ...base, failedAttempts: attempts, random: 0.999999 })).toBeCloseTo(ceiling, -1);
    }
  });

  it('never retries before Retry-After (capped at an hour)', () => {
    expect(nextRetryDelayMs({ ...base, failedAttempts: 1, retryAfterMs: 120_000 })).toBe(120_000);
    expect(nextRetryDelayMs({ ...base, failedAttempts: 1, retryAfterMs: 10 * HOUR })).toBe(HOUR);
  });

  it('retries hourly once the destination has failed for a day', () => {
    expect(nextRetryDelayMs({ ...base, failedAttempts: 500, failingSinceMs: 0, nowMs: DAY - 1 })).toBeLessThanOrEqual(300_000);
    expect(nextRetryDelayMs({ ...base, failedAttempts: 500, failingSinceMs: 0, nowMs: DAY })).toBe(FAILING_RETRY_INTERVAL_MS);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('30', now)).toBe(30_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('state', () => {
  const row = (over: Partial<StreamDestinationRow>): StreamDestinationRow => ({
    ...newStreamDestinationRow({
      id: 's',
      org_id: 'o',
      kind: 'webhook',
      url: 'https://x',
      filter: '{}',
      enabled: 1,
      credential: null,
      ca_bundle: null,
      last_delivered_seq: 0,
      created_at: 0,
    }),
    ...over,
  });
  it('is ok, retrying, failing after a day of failures, or paused', () => {
    expect(streamStateOf(row({}), DAY)).toBe('ok');
    expect(streamStateOf(row({ failed_attempts: 3, failing_since: 0 }), DAY - 1)).toBe('retrying');
    expect(streamStateOf(row({ failed_attempts: 300, failing_since: 0 }), DAY)).toBe('failing');
    expect(streamStateOf(row({ enabled: 0, failed_attempts: 300, failing_since: 0 }), DAY)).toBe('paused');
  });
});
