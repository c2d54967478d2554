import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { describeQuery, resolveAuditLogQuery, type AuditLogQueryParams } from '../query/audit-log-query.js';
import type { AppServices } from '../../../http/app-services.js';
import { requireOwner } from '../../../http/plugins/org-scope.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';
import { queryContextOf } from './audit-log-request-context.js';
import { recordView } from './audit-log-read-routes.js';
import { FilterQueryProperties, RangeQueryProperties, WarningSchema } from './audit-log-schemas.js';

/** `GET /audit-logs/histogram`: the list's range and filters, nothing to page. */
export const HistogramQuerySchema = Type.Object({ ...RangeQueryProperties, ...FilterQueryProperties }, { additionalProperties: false });

/** Events per UTC hour of the range, hours without events left out. */
export const HistogramSchema = Type.Object({
  range: Type.Object({ from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }) }),
  hours: Type.Array(
    Type.Object({
      start: Type.String({ format: 'date-time', description: 'Start of the UTC hour' }),
      events: Type.Integer({ minimum: 1 }),
      securityEvents: Type.Integer({ minimum: 0, description: 'How many of them are security actions' }),
    }),
  ),
  warnings: Type.Array(WarningSchema),
});

/**
 * `GET /audit-logs/histogram`: how many events match the list's range and filters in each UTC hour, and how
 * many of those are security actions: the chart above the table, which groups hours into the organization's
 * days itself. Read from the hourly counts the store keeps, so a 30-day range costs about 720 summed rows.
 */
export function auditLogHistogramRoute(app: FastifyInstance, services: AppServices): void {
  app.get(
    '/audit-logs/histogram',
    {
      schema: {
        tags: ['audit logs'],
        summary: 'Events per hour of the range, with the security actions among them (the chart above the table)',
        description:
          'Same range and filters as the list (at most 30 days; a from before the retention horizon is clamped with a warning). Hours without events are left out.',
        security: [{ session: [] }, { bearer: [] }],
        querystring: HistogramQuerySchema,
        response: { 200: HistogramSchema, 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => {
      const access = requireOwner(request);
      const query = resolveAuditLogQuery(request.query as AuditLogQueryParams, queryContextOf(services, access));
      const hours = await services.store.events.countByHour(query.filter);
      await recordView(services, request, access, () => describeQuery(query));
      return {
        range: { from: new Date(query.filter.fromMs).toISOString(), to: new Date(query.filter.toMs).toISOString() },
        hours: hours.map((h) => ({ start: new Date(h.hourStartMs).toISOString(), events: h.events, securityEvents: h.securityEvents })),
        warnings: query.warnings,
      };
    },
  );
}
