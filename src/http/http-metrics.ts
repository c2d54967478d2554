import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { EventCommitter } from './app-services.js';

/** A registry with the process metrics; one per app so tests can build many apps side by side. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'attest_' });
  return registry;
}

/** Request durations by route and status, ingested events and group commits. */
export function instrumentApp(app: FastifyInstance, registry: Registry, committer: EventCommitter): void {
  const duration = new Histogram({
    name: 'attest_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const ingested = new Counter({ name: 'attest_ingested_events_total', help: 'Events accepted by POST /api/v1/events', registers: [registry] });
  new Counter({
    name: 'attest_group_commits_total',
    help: 'Transactions committed by the ingest group committer',
    registers: [registry],
    // The committer counts for itself (it knows nothing of Prometheus); a scrape copies its monotonic count.
    collect() {
      this.reset();
      this.inc(committer.commits);
    },
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (route === '/api/v1/events' && reply.statusCode === 201) {
      const body = request.body as { events?: unknown[] } | undefined;
      ingested.inc(body?.events?.length ?? 0);
    }
  });
}
