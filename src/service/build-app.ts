import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { auditLogRoutes } from '../features/audit-logs/http/audit-log-routes.js';
import { ingestRoutes } from '../features/ingest/http/ingest-routes.js';
import { integrityRoutes } from '../features/integrity/http/integrity-routes.js';
import { operationsRoutes } from '../features/operations/http/operations-routes.js';
import { sessionRoutes } from '../features/session/http/session-routes.js';
import { streamRoutes } from '../features/streams/http/stream-routes.js';
import { userManagementRoutes } from '../features/user-management/user-management-routes.js';
import { webAppRoutes } from '../features/web-app/http/web-app-routes.js';
import type { AppServices } from '../http/app-services.js';
import { createHttpApp } from '../http/create-http-app.js';

/** A feature's routes: registered by `buildApp` in an encapsulated scope of their own, on the shared HTTP layer. */
export type RouteModule = (app: FastifyInstance, services: AppServices) => Promise<void>;

/**
 * Builds the Attest HTTP application without listening, so tests use `app.inject` or their own port and the
 * entry point stays a few lines: the shared HTTP layer (`createHttpApp`), then every feature's routes, then
 * any `routeModules` the caller adds after them.
 */
export async function buildApp(
  services: AppServices,
  options: { logger?: FastifyServerOptions['logger']; routeModules?: RouteModule[] } = {},
): Promise<FastifyInstance> {
  const app = await createHttpApp(services, { logger: options.logger });

  await app.register(async (scope) => operationsRoutes(scope, services));
  await app.register(async (scope) => sessionRoutes(scope, services));
  await app.register(async (scope) => ingestRoutes(scope, services));
  await app.register(async (scope) => auditLogRoutes(scope, services));
  await app.register(async (scope) => integrityRoutes(scope, services));
  await app.register(async (scope) => userManagementRoutes(scope, services));
  await app.register(async (scope) => streamRoutes(scope, services));
  await app.register(async (scope) => webAppRoutes(scope, services));
  for (const module of options.routeModules ?? []) {
    await app.register(async (scope) => module(scope, services));
  }

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}
