import { startLoadGenerator } from '../ingest/load-generator-process.js';
import type { LoadResult } from '../ingest/load-generator.js';
import type { ServerChild } from '../server/server-child.js';
import { CpuMeter, postgresPids } from './cpu-meter.js';
import { LockWaitSampler, type LockWaits } from './lock-wait-sampler.js';

/** One ingest phase over one or more server processes on the same store. */
export interface IngestPhase {
  name: string;
  eventsPerRequest: number;
  /** Requests in flight over all processes together. */
  concurrency: number;
  /** Per process, the organizations its load generator writes. */
  orgsPerProcess: string[][];
}

/** What a phase measured, over every process together. */
export interface IngestPhaseResult {
  name: string;
  processes: number;
  eventsPerSecond: number;
  p99Ms: number;
  errors: number;
  acceptedEvents: number;
  /** Share of the whole machine (1.0 = every core) used by the servers, the load generators and PostgreSQL. */
  cpu: Record<string, number>;
  /** PostgreSQL only: lock waits of the servers' connections sampled during the phase. */
  lockWaits?: LockWaits;
}

/**
 * Runs one phase: a load generator per server process, each sending to its own server, all at once for the
 * same warm-up and measured time. Throughput is the sum of the generators' measured rates; latency the worst
 * generator's p99.
 */
export async function runIngestPhase(
  servers: readonly ServerChild[],
  phase: IngestPhase,
  options: {
    producerKey: string;
    warmupMs: number;
    durationMs: number;
    /** For PostgreSQL: where to sample lock waits, and the application name the servers connect with. */
    postgres?: { url: string; applicationName: string };
  },
): Promise<IngestPhaseResult> {
  const generators = servers.map((server, i) =>
    startLoadGenerator({
      url: server.url,
      producerKey: options.producerKey,
      orgIds: phase.orgsPerProcess[i] ?? [],
      eventsPerRequest: phase.eventsPerRequest,
      concurrency: Math.max(1, Math.round(phase.concurrency / servers.length)),
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
      seed: i + 1,
    }),
  );
  const meter = new CpuMeter({
    servers: () => servers.map((server) => server.pid),
    'load generators': () => generators.flatMap(({ child }) => (child.pid === undefined ? [] : [child.pid])),
    ...(options.postgres ? { PostgreSQL: postgresPids } : {}),
  });
  // Lock waits only after the warm-up, while the measured requests commit.
  const sampler = options.postgres
    ? await new Promise<LockWaitSampler>((resolve, reject) => {
        const { url, applicationName } = options.postgres as { url: string; applicationName: string };
        setTimeout(() => LockWaitSampler.start(url, applicationName).then(resolve, reject), options.warmupMs);
      })
    : undefined;
  let results: LoadResult[];
  let lockWaits: LockWaits | undefined;
  try {
    results = await Promise.all(generators.map(({ result }) => result));
  } finally {
    lockWaits = await sampler?.stop();
  }
  const cpu = meter.stop();
  return {
    name: phase.name,
    processes: servers.length,
    eventsPerSecond: results.reduce((sum, r) => sum + r.eventsPerSecond, 0),
    p99Ms: Math.max(...results.map((r) => r.latency.p99)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    acceptedEvents: results.reduce((sum, r) => sum + r.acceptedEvents, 0),
    cpu,
    ...(lockWaits ? { lockWaits } : {}),
  };
}
