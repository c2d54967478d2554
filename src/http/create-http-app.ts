import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AttestConfig } from '../config.js';
import { AttestError } from '../core/errors.js';
import type { AppServices } from './app-services.js';
import { instrumentApp } from './http-metrics.js';
import { authenticationPlugin } from './plugins/authentication.js';
import { crossSiteRequestPlugin } from './plugins/cross-site-requests.js';
import { redactedRequestSerializer } from './request-log-redaction.js';
import { sendProblem } from './problem-details.js';
import { AuditEventSchema } from './schemas/event-schemas.js';
import { ProblemSchema } from './schemas/problem-schema.js';
import { registerSecurityHeaders } from './security-headers.js';

/** The proxy setting as Fastify's types take it: a hop count becomes "trust the first n hops", as proxy-addr reads a number. */
function fastifyTrustProxy(setting: AttestConfig['trustProxy']): FastifyServerOptions['trustProxy'] {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;
}

/**
 * The shared HTTP layer every feature's routes are registered on, without any route: the Fastify instance with
 * its external plugins (cookies, security headers, the OpenAPI document), the shared schemas, RFC 9457 problem details for every
 * error, authentication and the metrics. Layers: external plugins, then Attest's plugins; routes come after.
 */
export async function createHttpApp(
  services: AppServices,
  options: { logger?: FastifyServerOptions['logger'] } = {},
): Promise<FastifyInstance> {
  const serverOptions: FastifyServerOptions = {
    logger: withRedactedRequests(options.logger ?? false),
    trustProxy: fastifyTrustProxy(services.config.trustProxy),
    // Ajv: report every problem of a batch, not only the first, so a producer can fix them all at once.
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  };
  const app = Fastify(serverOptions).withTypeProvider<TypeBoxTypeProvider>();

  // JSON is the only body Attest reads (the bulk CSV upload registers its own parser); without the default
  // text/plain parser any other content type is a 415, not a confusing schema error.
  app.removeContentTypeParser('text/plain');
  await app.register(cookie);
  await registerSecurityHeaders(app, services.config);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Attest', version: '1.0.0', description: 'Audit logs for multi-tenant SaaS platforms.' },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'Owner API token (att_…), producer key (atp_…) or operator token (ato_…)',
          },
          session: { type: 'apiKey', in: 'cookie', name: 'attest_session' },
        },
      },
    },
  });
  app.addSchema(ProblemSchema);
  app.addSchema(AuditEventSchema);

  app.setErrorHandler((error, request, reply) => sendProblem(reply, request, error));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, new AttestError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`)),
  );

  await app.register(crossSiteRequestPlugin, services);
  await app.register(authenticationPlugin, services);
  instrumentApp(app, services.metrics, services.committer, services.store.notifier);
  return app;
}

/** The logger options with the request serializer that keeps tokens out of request logs. */
function withRedactedRequests(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (logger === false || logger === undefined) return logger;
  const options = logger === true ? {} : logger;
  return { ...options, serializers: { ...options.serializers, req: redactedRequestSerializer } };
}
