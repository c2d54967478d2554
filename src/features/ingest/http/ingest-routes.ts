import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ProducerKey } from '../../../store/queries/credential-queries.js';
import type { Principal } from '../../../auth/principal.js';
import { AttestError, rejectionDetail } from '../../../core/errors.js';
import { newTraceId, traceIdFromTraceparent } from '../../../core/trace-context.js';
import type { IncomingEvent } from '../../../catalog/incoming-event.js';
import { prepareIncomingEvents } from '../../../catalog/prepare-incoming-events.js';
import type { AppServices } from '../../../http/app-services.js';
import { DAY_MS } from '../../../config.js';
import { existingOrganizationIds } from '../../../store/queries/tenancy-queries.js';
import { IngestBodySchema, IngestResponseSchema } from './ingest-schemas.js';
import { useStrictJsonBodies } from './ingest-body-parser.js';
import { strictBodyValidatorCompiler } from '../../../http/strict-body-validator.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';

/** 1000 events with full metadata fit; anything larger is refused before parsing. */
export const INGEST_BODY_LIMIT = 12 * 1024 * 1024;

/** `POST /api/v1/events`: producers append batches of 1–1000 events, all-or-nothing. */
export async function ingestRoutes(app: FastifyInstance, services: AppServices): Promise<void> {
  const { store, config, committer } = services;
  const retentionMs = config.retentionDays * DAY_MS;
  useStrictJsonBodies(app, INGEST_BODY_LIMIT);

  app.post(
    '/api/v1/events',
    {
      bodyLimit: INGEST_BODY_LIMIT,
      // The body's JSON types are taken as sent: no coercion of an array into a string or a number into text.
      validatorCompiler: strictBodyValidatorCompiler(app),
      // Who may call is decided before the body is read: an anonymous or non-producer caller gets its 401/403
      // without its body being parsed or validated (and without learning the schema from the errors).
      onRequest: async (request) => {
        requireProducer(request);
      },
      schema: {
        tags: ['ingest'],
        summary: 'Append a batch of 1–1000 audit events (producer key)',
        description:
          'All-or-nothing: any invalid event rejects the whole batch, each problem naming the event index, field and reason. ' +
          'An event with an idempotencyKey already used in its organization returns the original logId when it is the same event, and 409 naming that logId when it is not. The answer lists each ' +
          "event's logId and seq, in order, once the batch is durably committed. The request's W3C traceparent sets the events' traceId.",
        security: [{ bearer: [] }],
        body: IngestBodySchema,
        response: {
          201: IngestResponseSchema,
          400: ProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          409: ProblemSchema,
          413: ProblemSchema,
          415: ProblemSchema,
          503: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const principal = requireProducer(request);
      const { events } = request.body as { events: IncomingEvent[] };
      const traceId = traceIdFromTraceparent(request.headers.traceparent as string | undefined) ?? newTraceId();
      assertKeyBoundToOrganizations(principal.key, events);
      const producer = { id: principal.key.id, name: principal.key.name };
      const prepared = prepareIncomingEvents(events, {
        allowedProducts: principal.key.products,
        nowMs: store.clock.now(),
        retentionMs,
        traceId,
        producer,
      });
      await assertOrganizationsExist(
        services,
        prepared.map((e) => e.orgId),
      );
      const appended = await committer.append(prepared);
      return reply.status(201).send({ events: appended, traceId });
    },
  );
}

/** The producer key calling, or a 401 (anonymous) / 403 (a user's session or API token). */
function requireProducer(request: FastifyRequest): Extract<Principal, { kind: 'producer' }> {
  const principal = request.principal;
  if (!principal) throw new AttestError('UNAUTHENTICATED', 'Send a producer key as "Authorization: Bearer <key>".');
  if (principal.kind !== 'producer') throw new AttestError('FORBIDDEN', 'Only producer keys may append events.');
  return principal;
}

/**
 * A key bound to organizations writes only for them: an event for any other is refused (403) before anything
 * else is checked, naming each such event and its orgId, so a leaked key of one tenant cannot forge another's.
 */
function assertKeyBoundToOrganizations(key: ProducerKey, events: readonly IncomingEvent[]): void {
  const { orgIds } = key;
  if (orgIds === 'all') return;
  const errors = events
    .map((event, index) => ({ orgId: event.orgId, index }))
    .filter(({ orgId }) => !orgIds.includes(orgId))
    .map(({ orgId, index }) => ({
      index,
      field: `events[${index}].orgId`,
      reason: `this producer key is not bound to organization ${orgId}`,
    }));
  if (errors.length > 0) throw new AttestError('FORBIDDEN', rejectionDetail(errors), errors);
}

/** Unknown organizations are a per-event validation error, like every other rejection. */
async function assertOrganizationsExist(services: AppServices, orgIds: string[]): Promise<void> {
  const unique = [...new Set(orgIds)];
  const known = await existingOrganizationIds(services.store.dialect.readDb, unique);
  const errors = orgIds
    .map((orgId, index) => ({ orgId, index }))
    .filter(({ orgId }) => !known.has(orgId))
    .map(({ index }) => ({ index, field: `events[${index}].orgId`, reason: 'no such organization' }));
  if (errors.length > 0) throw new AttestError('VALIDATION_FAILED', rejectionDetail(errors), errors);
}
