import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../../../http/app-services.js';
import { orgScope } from '../../../http/plugins/org-scope.js';
import { auditLogExportRoute } from './audit-log-export-route.js';
import { auditLogHistogramRoute } from './audit-log-histogram-route.js';
import { auditLogReadRoutes } from './audit-log-read-routes.js';
import { auditLogStreamRoute } from './audit-log-stream-route.js';
import { catalogRoute } from './catalog-route.js';

/**
 * The owner API over the audit log: query, one event, actors, the hourly histogram, export and the live stream, all inside one org
 * scope (anonymous 401, producer key 403, another organization 404; admins and standard users 403), plus the
 * catalog the filter panel reads.
 */
export async function auditLogRoutes(app: FastifyInstance, services: AppServices): Promise<void> {
  catalogRoute(app);
  await orgScope(app, services, (scoped) => {
    auditLogReadRoutes(scoped, services);
    auditLogHistogramRoute(scoped, services);
    auditLogExportRoute(scoped, services);
    auditLogStreamRoute(scoped, services);
  });
}
