/** Backoff of the client's retries. */
export interface RetryOptions {
  /** Attempts per batch including the first (default 8). */
  maxAttempts: number;
  /** First backoff in ms (default 100); doubles each attempt. */
  baseDelayMs: number;
  /** Longest backoff, and longest Retry-After honoured, in ms (default 30 000). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 30_000 };

/** Statuses that mean "try again later": the batch was not (or not certainly) stored. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/**
 * The wait before attempt `attempt + 1`: the server's Retry-After when it sent one (capped), else exponential
 * backoff with "full jitter" between half and all of it, so many producers recovering together spread out.
 */
export function retryDelayMs(
  attempt: number,
  retryAfter: string | null,
  options: RetryOptions,
  random: () => number = Math.random,
): number {
  const asked = parseRetryAfterMs(retryAfter, Date.now());
  if (asked !== undefined) return Math.min(asked, options.maxDelayMs);
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** `Retry-After` (RFC 9110 §10.2.3): delay seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
