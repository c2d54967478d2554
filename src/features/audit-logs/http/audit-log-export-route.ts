import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { auditLogCsvStream, exportFileName } from '../export/audit-log-csv-stream.js';
import { recordedExportChunks, type ExportFormat } from '../export/recorded-export.js';
import { AttestError } from '../../../core/errors.js';
import { resolveExportQuery, type AuditLogQueryParams, type ExportScope } from '../query/audit-log-query.js';
import type { AppServices } from '../../../http/app-services.js';
import { requireOwner } from '../../../http/plugins/org-scope.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';
import { logReaderOf, queryContextOf, readLogOf, traceIdOf } from './audit-log-request-context.js';
import { ExportQuerySchema, streamedBody } from './audit-log-schemas.js';

/**
 * `GET /audit-logs/export`: the log as a streamed CSV download (RFC 4180), or with `format=bundle` as the
 * verifiable bundle (a zip, PRODUCT.md §8) proven against the latest signed checkpoint. Everything is checked
 * before the first byte, so a bad request is a problem+json 400, never a half-written file. The body is read
 * page by page only as fast as the client takes it, and `audit_log.exported` is recorded when it ends.
 */
export function auditLogExportRoute(app: FastifyInstance, services: AppServices): void {
  app.get(
    '/audit-logs/export',
    {
      schema: {
        tags: ['audit logs'],
        summary:
          'Export the audit log as CSV or as a verifiable bundle (scope=all: everything retained; scope=filtered: the filters and range)',
        description:
          'Columns: Log ID, Date and time (organization zone), Timestamp (UTC, ISO 8601), Action type, Activity, Description, Security action, ' +
          'Entity name, Entity type, Entity ID, Product, Performed by name, Performed by email, Trace ID. Cells that a spreadsheet would ' +
          'read as a formula are prefixed with a single quote. format=bundle streams application/zip instead: events.csv (in seq order), ' +
          'records.jsonl, leaf-hashes.txt, proof-hashes.txt, proof.json, the signed checkpoint and README.txt, holding the events below ' +
          'the latest signed checkpoint. Every export records an audit_log.exported event with its format.',
        security: [{ session: [] }, { bearer: [] }],
        querystring: ExportQuerySchema,
        produces: ['text/csv', 'application/zip'],
        response: {
          200: {
            description: 'The CSV file or the bundle, streamed',
            content: { ...streamedBody('text/csv', '').content, ...streamedBody('application/zip', '').content },
          },
          400: ProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const access = requireOwner(request);
      const { scope, format = 'csv', ...params } = request.query as AuditLogQueryParams & { scope: ExportScope; format?: ExportFormat };
      const ctx = queryContextOf(services, access);
      const query = resolveExportQuery(scope, params, ctx);
      const checkpoint = format === 'bundle' ? await services.store.merkleTrees.latestCheckpoint(access.org.id) : undefined;
      if (format === 'bundle' && !checkpoint)
        throw new AttestError(
          'CHECKPOINT_NOT_FOUND',
          'The log has no signed checkpoint yet to prove a bundle against; try again in a moment.',
          [{ field: 'format', reason: 'bundle needs a signed checkpoint, and the log has none yet' }],
        );
      const chunks = recordedExportChunks({
        store: services.store,
        query,
        scope,
        format,
        checkpoint,
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
        extension: format === 'bundle' ? 'zip' : 'csv',
      });
      return reply
        .type(format === 'bundle' ? 'application/zip' : 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .header('cache-control', 'no-store')
        .send(auditLogCsvStream(chunks));
    },
  );
}
