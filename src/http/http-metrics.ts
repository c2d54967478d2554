import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EventNotifier } from '../store/event-notifier.js';
import type { EventCommitter } from './app-services.js';

const METRICS_PREFIX = 'attest_';

/**
 * prom-client's default metrics include three gauges named like counters (`nodejs_active_handles_total`,
 * `…_requests_total`, `…_resources_total`), which `promtool check metrics` rejects: `_total` is reserved for
 * counters (OpenMetrics). The same numbers are the sums of the per-type gauges kept beside them
 * (`sum(attest_nodejs_active_handles)`), so they are left out rather than renamed.
 */
const GAUGES_NAMED_AS_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** A registry with the process metrics; one per app so tests can build many apps side by side. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX });
  for (const name of GAUGES_NAMED_AS_COUNTERS) registry.removeSingleMetric(`${METRICS_PREFIX}${name}`);
  return registry;
}

/**
 * Request durations by route and status, ingested events, group commits, and whether the store hears other
 * processes' commits.
 */
export function instrumentApp(app: FastifyInstance, registry: Registry, committer: EventCommitter, notifier: EventNotifier): void {
  new Gauge({
    name: 'attest_store_hears_other_processes',
    help: "1 while other processes' commits wake this process's live feeds (PostgreSQL LISTEN connection up), else 0 (polling)",
    registers: [registry],
    collect() {
      this.set(notifier.coversOtherProcesses ? 1 : 0);
    },
  });
  const duration = new Histogram({
    name: 'attest_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const ingested = new Counter({
    name: 'attest_ingested_events_total',
    help: 'Events accepted by POST /api/v1/events',
    registers: [registry],
  });
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
