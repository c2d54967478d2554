import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AttestError } from '../../../core/errors.js';
import { isUuid } from '../../../core/ids.js';
import type { JsonValue } from '../../../events/audit-event.js';
import { prepareLogAccessEvent, recordViewOnce } from '../query/audit-log-access-events.js';
import { auditLogPageJson, readAuditLogPage } from '../query/audit-log-page.js';
import { storedRecordJson } from '../../../store/event-rows.js';
import { describeQuery, type AuditLogQueryParams } from '../query/audit-log-query.js';
import type { AppServices } from '../../../http/app-services.js';
import { requireOwner, type OrgAccess } from '../../../http/plugins/org-scope.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';
import { logReaderOf, queryContextOf, readLogOf, traceIdOf } from './audit-log-request-context.js';
import {
  ActorsQuerySchema,
  ActorsSchema,
  AuditEventRef,
  AuditLogPageSchema,
  ListQuerySchema,
  LogIdParamsSchema,
} from './audit-log-schemas.js';

/** Most actors the email search box offers at once. */
const MAX_ACTOR_SUGGESTIONS = 20;

const ownerErrors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };
const security: Array<Record<string, string[]>> = [{ session: [] }, { bearer: [] }];

/**
 * Records `audit_log.viewed` for the first read of a user in 30 minutes (PRODUCT.md §3), with the range and
 * filters of that read, and wakes the live feeds when it did. The window belongs to the person, not to the
 * credential: a new session, a second browser or an API token of the same owner opens no new window, so a
 * short visit no longer fills the log with one view per sign-in. The event (and its `metadata`) is only made
 * when it is recorded: nearly every read falls inside an open window.
 */
export async function recordView(
  services: AppServices,
  request: FastifyRequest,
  access: OrgAccess,
  metadata: () => Record<string, JsonValue>,
): Promise<void> {
  if (!request.principal) return;
  const now = services.store.clock.now();
  const prepareEvent = () =>
    prepareLogAccessEvent('audit_log.viewed', logReaderOf(request, access), readLogOf(access), metadata(), {
      nowMs: now,
      retentionDays: services.config.retentionDays,
      traceId: traceIdOf(request),
    });
  await recordViewOnce(services.store, viewerKey(access), access.org.id, prepareEvent, now);
}

/** Whose 30-minute window a read falls in: the user's, whichever session or token they read through. */
function viewerKey(access: OrgAccess): string {
  return `user:${access.user.id}`;
}

/** `GET /audit-logs` (one page), `GET /audit-logs/actors` and `GET /audit-logs/{logId}`, owners only. */
export function auditLogReadRoutes(app: FastifyInstance, services: AppServices): void {
  const { store } = services;

  app.get(
    '/audit-logs',
    {
      schema: {
        tags: ['audit logs'],
        summary: 'One page of the audit log, newest first, with the total matching the filters',
        description:
          'Range [from, to) of at most 30 days (default: the last 30 days); a from before the retention horizon is clamped and a warning says so. ' +
          'Pages are keyset pages: pass nextCursor back with the same filters; the range of the first page is kept.',
        security,
        querystring: ListQuerySchema,
        response: { 200: AuditLogPageSchema, ...ownerErrors },
      },
    },
    async (request, reply) => {
      const access = requireOwner(request);
      const { cursor, limit, ...params } = request.query as AuditLogQueryParams & { cursor?: string; limit: number };
      const { page, query } = await readAuditLogPage(store.events, params, queryContextOf(services, access), {
        limit,
        cursor,
        cursorKey: store.cursorKey,
      });
      await recordView(services, request, access, () => describeQuery(query));
      // Already JSON (the stored records handed on as they are); Fastify sends JSON text unchanged.
      return reply.type('application/json; charset=utf-8').send(auditLogPageJson(page));
    },
  );

  app.get(
    '/audit-logs/actors',
    {
      schema: {
        tags: ['audit logs'],
        summary: `Actors of the log whose email or name contains q (at most ${MAX_ACTOR_SUGGESTIONS}), for the email search box`,
        security,
        querystring: ActorsQuerySchema,
        response: { 200: ActorsSchema, ...ownerErrors },
      },
    },
    async (request) => {
      const access = requireOwner(request);
      const { q } = request.query as { q: string };
      return { data: await store.events.findActors(access.org.id, q.trim(), MAX_ACTOR_SUGGESTIONS) };
    },
  );

  app.get(
    '/audit-logs/:logId',
    {
      schema: {
        tags: ['audit logs'],
        summary: 'One audit event by its Log ID',
        security,
        params: LogIdParamsSchema,
        response: { 200: AuditEventRef, ...ownerErrors },
      },
    },
    async (request, reply) => {
      const access = requireOwner(request);
      const { logId } = request.params as { logId: string };
      const event = isUuid(logId) ? await store.events.findStoredByLogId(access.org.id, logId) : undefined;
      if (!event) throw new AttestError('EVENT_NOT_FOUND', `No audit event ${logId} in this organization.`);
      // As on the pages: the stored record handed on as it is, in the same member order.
      return reply.type('application/json; charset=utf-8').send(storedRecordJson(event));
    },
  );
}
