import { random16 } from './random-pool.js';

// W3C Trace Context, section 3.2: version "00", 32-hex trace-id, 16-hex parent-id, 2-hex flags.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ALL_ZERO_TRACE = '0'.repeat(32);

/** The trace id of a `traceparent` header, or undefined when it is absent or malformed (then a new one is made). */
export function traceIdFromTraceparent(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = TRACEPARENT.exec(header.trim().toLowerCase());
  if (!match || match[1] === 'ff' || match[2] === ALL_ZERO_TRACE) return undefined;
  return match[2];
}

/** A new random W3C trace id (32 lowercase hex digits). */
export function newTraceId(): string {
  return random16().toString('hex');
}
