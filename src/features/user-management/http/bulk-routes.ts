import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../../../http/app-services.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';
import { bulkAddedUsersCsv } from '../bulk-added-users-csv.js';
import { bulkImportUsers } from '../bulk-user-commands.js';
import { orgCommandContext } from './route-context.js';
import { BulkProblemSchema, BulkQuery, BulkResultSchema, ORG_SECURITY, OrgParams } from './user-management-schemas.js';

/** 10,000 rows with long names and several lists each fit. */
export const BULK_BODY_LIMIT = 8 * 1024 * 1024;

/** `POST /users/bulk?mode=add|append|overwrite` with a `text/csv` body (inside the org scope). */
export async function bulkRoutes(scope: FastifyInstance, services: AppServices): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/users/bulk',
    {
      bodyLimit: BULK_BODY_LIMIT,
      schema: {
        tags: ['user management'],
        security: ORG_SECURITY,
        summary:
          'Add users in bulk (mode=add) or update their access in bulk (append adds, overwrite replaces) from a CSV of up to 10,000 rows',
        description:
          'Body: text/csv. Columns: email,name,userType,permissionSets,customPermissions,entities to add (name required); ' +
          'email,permissionSets,customPermissions,entities to update. List cells hold names separated by ";". All or nothing: ' +
          'a file with any problem is a 400 whose errors name each line, and nothing of it is applied. One audit event per operation. ' +
          "An addition answers each added user's one-time welcome link (activation for a new account, acceptance for an existing one): " +
          'in `added`, or, with `Accept: text/csv`, as CSV (email,status,welcomeUrl,welcomeLinkExpiresAt).',
        params: OrgParams,
        querystring: BulkQuery,
        consumes: ['text/csv'],
        response: {
          200: {
            description: 'Applied; with Accept: text/csv an addition answers its added users as CSV',
            content: { 'application/json': { schema: BulkResultSchema }, 'text/csv': { schema: Type.String() } },
          },
          400: BulkProblemSchema,
          401: ProblemSchema,
          403: ProblemSchema,
          404: ProblemSchema,
          413: ProblemSchema,
          415: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const csv = typeof request.body === 'string' ? request.body : '';
      const result = await bulkImportUsers(orgCommandContext(request, services), { mode: request.query.mode, csv });
      if (result.applied) {
        const added = result.added ?? [];
        if (result.added && request.headers.accept?.includes('text/csv')) {
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="added-users.csv"')
            .send(bulkAddedUsersCsv(added));
        }
        return {
          applied: true,
          rows: result.rows,
          errors: [],
          ...(result.added
            ? {
                added: added.map((a) => ({
                  email: a.email,
                  status: a.status,
                  welcomeUrl: a.welcomeLink.url,
                  welcomeLinkExpiresAt: new Date(a.welcomeLink.expiresAt).toISOString(),
                })),
              }
            : {}),
        };
      }
      const first = result.errors[0];
      return reply
        .status(400)
        .type('application/problem+json')
        .send({
          type: 'https://attest.dev/problems/validation-failed',
          title: 'Bad Request',
          status: 400,
          detail: `${first ? `Line ${first.line}: ${first.field} ${first.reason}` : 'The file is not valid'}${result.errors.length > 1 ? ` (and ${result.errors.length - 1} more)` : ''}. Nothing was applied.`,
          instance: request.url,
          code: 'VALIDATION_FAILED',
          applied: false,
          rows: result.rows,
          errors: result.errors,
        });
    },
  );
}
