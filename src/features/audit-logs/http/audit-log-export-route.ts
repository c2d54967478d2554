import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { auditLogCsvStream, exportFileName } from '../export/audit-log-csv-stream.js';
import { recordedExportChunks } from '../export/recorded-export.js';
import { resolveExportQuery, type AuditLogQueryParams, type ExportScope } from '../query/audit-log-query.js';
import type { AppServices } from '../../../http/app-services.js';
import { requireOwner } from '../../../http/plugins/org-scope.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';
import { logReaderOf, queryContextOf, readLogOf, traceIdOf } from './audit-log-request-context.js';
import { ExportQuerySchema, streamedBody } from './audit-log-schemas.js';

/**
 * `GET /audit-logs/export`: the log as a streamed CSV download (RFC 4180). Everything is checked before the
 * first byte, so a bad request is a problem+json 400, never a half-written file. The body is read page by
 * page only as fast as the client takes it, and `audit_log.exported` is recorded when it ends.
 */
export function auditLogExportRoute(app: FastifyInstance, services: AppServices): void {
  app.get(
    '/audit-logs/export',
    {
      schema: {
        tags: ['audit logs'],
        summary: 'Export the audit log as CSV (scope=all: everything retained; scope=filtered: the filters and range)',
        description:
          'Columns: Log ID, Date and time (organization zone), Timestamp (UTC, ISO 8601), Action type, Activity, Description, Security action, ' +
          'Entity name, Entity type, Entity ID, Product, Performed by name, Performed by email, Trace ID. Cells that a spreadsheet would ' +
          'read as a formula are prefixed with a single quote. Every export records an audit_log.exported event.',
        security: [{ session: [] }, { bearer: [] }],
        querystring: ExportQuerySchema,
        produces: ['text/csv'],
        response: {
          200: streamedBody('text/csv', 'The CSV file, streamed'),
          400: ProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const access = requireOwner(request);
      const { scope, ...params } = request.query as AuditLogQueryParams & { scope: ExportScope };
      const ctx = queryContextOf(services, access);
      const query = resolveExportQuery(scope, params, ctx);
      const chunks = recordedExportChunks({
        store: services.store,
        query,
        scope,
        timeZone: access.org.timeZone,
        reader: logReaderOf(request, access),
        log: readLogOf(access),
        traceId: traceIdOf(request),
        retentionDays: services.config.retentionDays,
        onRecordError: (error) => request.log.error({ err: error }, 'could not record an interrupted audit-log export'),
      });
      const day = (ms: number) => DateTime.fromMillis(ms, { zone: access.org.timeZone }).toFormat('yyyy-MM-dd');
      // The range ends before toMs; "all" reaches a few minutes past now for skewed clocks, which names no new day.
      const fileName = exportFileName({
        orgName: access.org.name,
        orgId: access.org.id,
        scope,
        fromDay: day(query.filter.fromMs),
        toDay: day(Math.min(query.filter.toMs - 1, ctx.nowMs)),
      });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .header('cache-control', 'no-store')
        .send(auditLogCsvStream(chunks));
    },
  );
}
