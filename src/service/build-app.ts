import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { AttestError } from '../core/errors.js';
import type { AppServices } from '../http/app-services.js';
import { instrumentApp } from '../http/http-metrics.js';
import { authenticationPlugin } from '../http/plugins/authentication.js';
import { sendProblem } from '../http/problem-details.js';
import { auditLogRoutes } from '../features/audit-logs/http/audit-log-routes.js';
import { ingestRoutes } from '../features/ingest/http/ingest-routes.js';
import { operationsRoutes } from '../features/operations/http/operations-routes.js';
import { sessionRoutes } from '../features/session/http/session-routes.js';
import { webAppRoutes } from '../features/web-app/http/web-app-routes.js';
import { userManagementRoutes } from '../features/user-management/user-management-routes.js';
import { AuditEventSchema } from '../http/schemas/event-schemas.js';
import { ProblemSchema } from '../http/schemas/problem-schema.js';

/** Route modules beyond the core, registered after it (User Management, audit-log reading, the web app). */
export type RouteModule = (app: FastifyInstance, services: AppServices) => Promise<void>;

/**
 * Builds the Attest HTTP application without listening, so tests use `app.inject` or their own port and the
 * entry point stays a few lines. Layers: external plugins, Attest's plugins, then routes.
 */
export async function buildApp(services: AppServices, options: { logger?: FastifyServerOptions['logger']; routeModules?: RouteModule[] } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: services.config.trustProxy,
    // Ajv: report every problem of a batch, not only the first, so a producer can fix them all at once.
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON is the only body Attest reads (the bulk CSV upload registers its own parser); without the default
  // text/plain parser any other content type is a 415, not a confusing schema error.
  app.removeContentTypeParser('text/plain');
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Attest', version: '1.0.0', description: 'Audit logs for multi-tenant SaaS platforms.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Owner API token (att_…) or producer key (atp_…)' },
          session: { type: 'apiKey', in: 'cookie', name: 'attest_session' },
        },
      },
    },
  });
  app.addSchema(ProblemSchema);
  app.addSchema(AuditEventSchema);

  app.setErrorHandler((error, request, reply) => sendProblem(reply, request, error));
  app.setNotFoundHandler((request, reply) => sendProblem(reply, request, new AttestError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`)));

  await app.register(authenticationPlugin, services);
  instrumentApp(app, services.metrics, services.committer);

  await app.register(async (scope) => operationsRoutes(scope, services));
  await app.register(async (scope) => sessionRoutes(scope, services));
  await app.register(async (scope) => ingestRoutes(scope, services));
  await app.register(async (scope) => auditLogRoutes(scope, services));
  await app.register(async (scope) => userManagementRoutes(scope, services));
  await app.register(async (scope) => webAppRoutes(scope, services));
  for (const module of options.routeModules ?? []) {
    await app.register(async (scope) => module(scope, services));
  }

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}
