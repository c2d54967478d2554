import type { FastifyInstance } from 'fastify';
import { AttestError } from '../../../core/errors.js';
import { describeFilters, parseAuditLogFilters, type AuditLogQueryParams } from '../query/audit-log-query.js';
import type { AppServices } from '../../../http/app-services.js';
import { requireOwner } from '../../../http/plugins/org-scope.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';
import { startLiveFeed } from './audit-log-live-feed.js';
import { LiveFeedSlots } from './live-feed-slots.js';
import { recordView } from './audit-log-read-routes.js';
import { StreamQuerySchema, streamedBody } from './audit-log-schemas.js';

function parseLastEventId(header: string | string[] | undefined, fromQuery: number | undefined): number | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || raw.trim() === '') return fromQuery;
  const value = Number(raw.trim());
  if (!Number.isSafeInteger(value) || value < -1) {
    throw new AttestError('VALIDATION_FAILED', 'Last-Event-ID: must be the seq of an event this stream sent', [
      { field: 'Last-Event-ID', reason: 'must be an integer of at least -1' },
    ]);
  }
  return value;
}

/**
 * `GET /audit-logs/stream`: server-sent events of the organization's new events, with the list's filters.
 * Each message is `id: <seq>`, `event: audit-event`, `data: <record>`; a reconnecting client sends
 * `Last-Event-ID` and gets everything after it first, so nothing is lost across a reconnect.
 */
export function auditLogStreamRoute(app: FastifyInstance, services: AppServices): void {
  const openFeeds = new Set<() => void>();
  const slots = new LiveFeedSlots({ perPrincipal: services.config.streamsPerPrincipal, total: services.config.streamsTotal });
  // Open streams never end on their own; close them so the server can shut down.
  app.addHook('preClose', async () => {
    for (const stop of openFeeds) stop();
  });

  app.get(
    '/audit-logs/stream',
    {
      schema: {
        tags: ['audit logs'],
        summary: 'Live feed of new events (server-sent events), resumable with Last-Event-ID',
        security: [{ session: [] }, { bearer: [] }],
        querystring: StreamQuerySchema,
        produces: ['text/event-stream'],
        response: {
          200: streamedBody('text/event-stream', 'Events as they commit: id = seq, event = audit-event, data = the record'),
          400: ProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          429: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const access = requireOwner(request);
      const { lastEventId, ...params } = request.query as AuditLogQueryParams & { lastEventId?: number };
      const filters = parseAuditLogFilters(params);
      const orgId = access.org.id;
      const lastEventSeq = parseLastEventId(request.headers['last-event-id'], lastEventId);
      // Counted per account, not per credential: a user's sessions and API tokens share one allowance.
      const giveBack = slots.take(`user:${access.user.id}`);
      let afterSeq: number;
      try {
        afterSeq = lastEventSeq ?? (await services.store.events.lastSeq(orgId));
        await recordView(services, request, access, () => ({ live: true, afterSeq, filters: describeFilters(filters) }));
      } catch (error) {
        giveBack();
        throw error;
      }

      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        // Tells nginx-style proxies not to buffer the stream.
        'x-accel-buffering': 'no',
      });
      response.write(': connected\n\n');
      const stop = startLiveFeed({
        reader: services.store.events,
        notifier: services.store.notifier,
        orgId,
        filters,
        afterSeq,
        response,
        onError: (error) => request.log.error({ err: error }, 'live feed failed'),
      });
      openFeeds.add(stop);
      response.on('close', () => {
        openFeeds.delete(stop);
        giveBack();
      });
    },
  );
}
