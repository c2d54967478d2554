import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AttestError } from '../../../core/errors.js';
import type { AppServices } from '../../../http/app-services.js';
import { sendProblem } from '../../../http/problem-details.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';
import { metricsTokenCheck } from '../metrics-token.js';

/** `/healthz` (the process answers), `/readyz` (the store answers) and `/metrics` (Prometheus text format). */
export async function operationsRoutes(app: FastifyInstance, services: AppServices): Promise<void> {
  app.get(
    '/healthz',
    { schema: { tags: ['operations'], summary: 'Liveness', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the store is reachable',
        response: { 200: Type.Object({ status: Type.Literal('ready'), store: Type.String() }), 503: ProblemSchema },
      },
    },
    async (request, reply) => {
      try {
        await services.store.ping();
        return { status: 'ready' as const, store: services.store.dialect.name };
      } catch (error) {
        request.log.warn({ err: error }, 'store not reachable');
        return sendProblem(reply, request, new AttestError('STORE_UNAVAILABLE'));
      }
    },
  );

  const { metricsToken } = services.config;
  app.get(
    '/metrics',
    {
      config: { ownCredentials: true },
      ...(metricsToken ? { onRequest: metricsTokenCheck(metricsToken) } : {}),
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (with ATTEST_METRICS_TOKEN set, only for "Authorization: Bearer <token>")',
        response: { 401: ProblemSchema },
      },
    },
    async (_request, reply) => {
      return reply.type(services.metrics.contentType).send(await services.metrics.metrics());
    },
  );
}
