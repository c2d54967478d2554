import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AttestError, rejectionDetail, type ErrorCode, type FieldError } from '../core/errors.js';
import { isStoreFullError, isStoreTimeoutError, isStoreUnavailableError } from '../store/store-unavailable.js';

/** How long a producer should wait before retrying a write refused for a full disk: space is freed by a person. */
const STORE_FULL_RETRY_SECONDS = 30;

/** HTTP status of every error code: the one place the catalogue meets HTTP. */
const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  MALFORMED_JSON: 400,
  BODY_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  CROSS_SITE_REQUEST: 403,
  AUDIT_LOGS_OWNER_ONLY: 403,
  NOT_FOUND: 404,
  ORG_NOT_FOUND: 404,
  EVENT_NOT_FOUND: 404,
  CHECKPOINT_NOT_FOUND: 404,
  INVALID_TREE_SIZE: 400,
  RANGE_TOO_LONG: 400,
  INVALID_RANGE: 400,
  INVALID_CURSOR: 400,
  FILTER_REQUIRED: 400,
  CONFLICT: 409,
  IDEMPOTENCY_CONFLICT: 409,
  LAST_OWNER: 409,
  RATE_LIMITED: 429,
  STORE_UNAVAILABLE: 503,
  STORE_FULL: 503,
  STORE_TIMEOUT: 503,
  SHUTTING_DOWN: 503,
};

const TITLE: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An RFC 9457 problem details body, with Attest's `code` and per-field `errors` extensions. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  errors?: FieldError[];
}

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

function problem(code: ErrorCode | 'INTERNAL', status: number, detail: string, errors: FieldError[], instance: string): ProblemDetails {
  const body: ProblemDetails = {
    // A stable URI per code (RFC 9457 §3.1.1); it need not resolve.
    type: `https://attest.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLE[status] ?? 'Error',
    status,
    detail,
    instance,
    code,
  };
  if (errors.length > 0) body.errors = errors;
  return body;
}

/** `/events/3/actor/id` → `events[3].actor.id`; the index when the path starts at an ingest event. */
function fieldFromInstancePath(path: string, missingProperty?: string): { field: string; index?: number } {
  const parts = path.split('/').filter(Boolean);
  if (missingProperty) parts.push(missingProperty);
  let field = '';
  for (const part of parts) field += /^\d+$/.test(part) ? `[${part}]` : field ? `.${part}` : part;
  const match = /^\/events\/(\d+)/.exec(path);
  return match ? { field: field || 'body', index: Number(match[1]) } : { field: field || 'body' };
}

/** Turns Fastify's schema validation errors into field errors that name the field and the reason. */
function validationErrors(error: FastifyError): FieldError[] {
  return (error.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>;
    const missing = typeof params.missingProperty === 'string' ? params.missingProperty : undefined;
    const extra = typeof params.additionalProperty === 'string' ? params.additionalProperty : undefined;
    const where = fieldFromInstancePath(v.instancePath, missing ?? extra);
    const reason = missing ? 'is required' : extra ? 'is not a known field' : (v.message ?? 'is not valid');
    const prefix = error.validationContext && error.validationContext !== 'body' ? `${error.validationContext}.` : '';
    const fieldError: FieldError = { field: `${prefix}${where.field}`, reason };
    if (where.index !== undefined) fieldError.index = where.index;
    return fieldError;
  });
}

/** Sends an error as `application/problem+json`. */
export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: unknown): FastifyReply {
  let body: ProblemDetails;
  if (error instanceof AttestError) {
    body = problem(error.code, STATUS[error.code], error.message, error.errors, request.url);
    if (error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds));
  } else {
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const errors = validationErrors(fastifyError);
      body = problem('VALIDATION_FAILED', 400, rejectionDetail(errors), errors, request.url);
    } else if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      body = problem(
        'UNSUPPORTED_MEDIA_TYPE',
        415,
        `Content-Type ${request.headers['content-type'] ?? '(none)'} is not supported; send application/json.`,
        [{ field: 'content-type', reason: 'must be application/json' }],
        request.url,
      );
    } else if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      body = problem(
        'BODY_TOO_LARGE',
        413,
        'The request body is larger than the limit.',
        [{ field: 'body', reason: 'exceeds the size limit' }],
        request.url,
      );
    } else if (fastifyError.statusCode === 400 && (fastifyError.code?.startsWith('FST_ERR_CTP') || error instanceof SyntaxError)) {
      body = problem(
        'MALFORMED_JSON',
        400,
        `The request body is not valid JSON: ${fastifyError.message}`,
        [{ field: 'body', reason: 'is not valid JSON' }],
        request.url,
      );
    } else if (fastifyError.statusCode === 429) {
      body = problem('RATE_LIMITED', 429, fastifyError.message, [], request.url);
    } else if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      body = problem('VALIDATION_FAILED', fastifyError.statusCode, fastifyError.message, [], request.url);
    } else if (isStoreFullError(error)) {
      request.log.error({ err: error }, 'store full');
      void reply.header('retry-after', String(STORE_FULL_RETRY_SECONDS));
      body = problem(
        'STORE_FULL',
        503,
        'The store has no disk space left; nothing was written. Retry later: writes resume once space is freed.',
        [],
        request.url,
      );
    } else if (isStoreTimeoutError(error)) {
      request.log.warn({ err: error }, 'statement timeout');
      void reply.header('retry-after', '1');
      body = problem(
        'STORE_TIMEOUT',
        503,
        'The store did not answer within the statement timeout (ATTEST_PG_STATEMENT_TIMEOUT_MS); the statement was cancelled and nothing was written. Retry later.',
        [],
        request.url,
      );
    } else if (isStoreUnavailableError(error)) {
      request.log.warn({ err: error }, 'store unavailable');
      void reply.header('retry-after', '1');
      body = problem('STORE_UNAVAILABLE', 503, 'The store is not reachable right now; nothing was written. Retry later.', [], request.url);
    } else {
      request.log.error({ err: error }, 'unhandled error');
      body = problem('INTERNAL', 500, 'An unexpected error occurred; it has been logged.', [], request.url);
    }
  }
  return reply.status(body.status).type('application/problem+json').send(body);
}
