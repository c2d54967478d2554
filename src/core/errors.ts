/**
 * The error catalogue: every failure Attest reports on purpose, with a stable code and a default message.
 * It knows nothing of HTTP; `src/http/problem-details.ts` maps each code to a status and RFC 9457 body.
 *
 * @example
 * throw new AttestError('RANGE_TOO_LONG', 'The range may span at most 30 days.', [{ field: 'to', reason: 'more than 30 days after from' }]);
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 'The request is not valid.',
  UNSUPPORTED_MEDIA_TYPE: 'The request body must be application/json.',
  MALFORMED_JSON: 'The request body is not valid JSON.',
  BODY_TOO_LARGE: 'The request body is larger than the limit.',
  UNAUTHENTICATED: 'Sign in or send a valid bearer token.',
  INVALID_CREDENTIALS: 'The email or password is not correct.',
  FORBIDDEN: 'You do not have permission to do this.',
  CROSS_SITE_REQUEST: 'A page of another site may not change anything here; use the Attest page, or an API token.',
  AUDIT_LOGS_OWNER_ONLY: 'Only organization owners can see audit logs.',
  NOT_FOUND: 'Not found.',
  ORG_NOT_FOUND: 'Organization not found.',
  EVENT_NOT_FOUND: 'Audit event not found.',
  CHECKPOINT_NOT_FOUND: 'No signed checkpoint of that tree size.',
  INVALID_TREE_SIZE: 'The tree size cannot be proven for this request.',
  RANGE_TOO_LONG: 'A query range may span at most 30 days.',
  INVALID_RANGE: 'The range is not valid.',
  INVALID_CURSOR: 'The cursor is not valid for this query.',
  FILTER_REQUIRED: 'A filtered export needs at least one filter.',
  CONFLICT: 'The request conflicts with the current state.',
  IDEMPOTENCY_CONFLICT: 'An idempotency key was reused for a different event.',
  LAST_OWNER: 'The last owner of an organization cannot be removed or demoted.',
  RATE_LIMITED: 'Too many attempts; try again later.',
  STORE_UNAVAILABLE: 'The store is not reachable.',
  STORE_FULL: 'The store has no space left; nothing was written.',
  STORE_TIMEOUT: 'The store did not answer in time; the statement was cancelled.',
  SHUTTING_DOWN: 'The service is shutting down.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One specific reason a request was rejected: which field (JSON pointer-like path) and why. */
export interface FieldError {
  /** Path of the offending field, e.g. `events[3].actor.id`. */
  field: string;
  reason: string;
  /** Index of the event in an ingest batch, when the error concerns one event. */
  index?: number;
  /** The Log ID of the stored event the error refers to (the original of a reused idempotency key). */
  logId?: string;
}

/** An expected failure with a stable code; anything else that is thrown is a bug (500). */
export class AttestError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[];
  /** Seconds after which a retry may succeed (rate limits). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message?: string, errors: FieldError[] = [], retryAfterSeconds?: number) {
    super(message ?? ERROR_CODES[code]);
    this.name = 'AttestError';
    this.code = code;
    this.errors = errors;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * The detail sentence of a rejected request: its first problem, how many more there are, and that nothing was
 * written. Used for ingest batches (where each problem names an event index) and for schema failures alike.
 *
 * @example
 * rejectionDetail([{ index: 2, field: 'events[2].type', reason: 'unknown event type "x"' }]);
 * // 'Event 2 rejected: events[2].type unknown event type "x". Nothing was written.'
 */
export function rejectionDetail(errors: readonly FieldError[]): string {
  const first = errors[0];
  if (!first) return 'The request is not valid. Nothing was written.';
  const event = first.index !== undefined ? `Event ${first.index} rejected: ` : '';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `${event}${first.field} ${first.reason}${more}. Nothing was written.`;
}

/** Shorthand for a validation failure naming one field. */
export function invalidField(field: string, reason: string, index?: number): AttestError {
  const error: FieldError = index === undefined ? { field, reason } : { field, reason, index };
  return new AttestError('VALIDATION_FAILED', `${field}: ${reason}`, [error]);
}
