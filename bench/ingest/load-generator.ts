import { Agent, request } from 'node:http';
import { productAreaNamed } from '../../src/catalog/catalog-registry.js';
import { SyntheticEventSource, syntheticActors } from '../dataset/synthetic-events.js';
import { seededRandom } from '../../src/core/seeded-random.js';
import { summarizeLatencies, type LatencySummary } from '../report/latency-stats.js';

/** What the parent asks the load generator to do (sent over the fork's IPC channel). */
export interface LoadPlan {
  url: string;
  producerKey: string;
  orgIds: string[];
  eventsPerRequest: number;
  /** Requests in flight at once, each on its own keep-alive connection. */
  concurrency: number;
  /** Requests in the first `warmupMs` are sent but not measured. */
  warmupMs: number;
  durationMs: number;
  seed: number;
}

/** What the load generator measured. */
export interface LoadResult {
  /** Measured (after warm-up) requests and events that were answered 201. */
  requests: number;
  events: number;
  eventsPerSecond: number;
  requestsPerSecond: number;
  /** Seconds from the end of the warm-up to the last measured answer. */
  seconds: number;
  latency: LatencySummary;
  /** Every event answered 201, warm-up included (the parent checks the store holds exactly these). */
  acceptedEvents: number;
  errors: number;
  errorSamples: string[];
}

// A pool of distinct prepared bodies: serializing JSON per request would spend the generator's CPU, which
// shares the machine with the server, on work that is not the server's.
const BODY_POOL_SIZE = 256;

function buildBodies(plan: LoadPlan): Buffer[] {
  const source = new SyntheticEventSource(seededRandom(plan.seed), syntheticActors(200), productAreaNamed('UserManagement').eventTypes);
  return Array.from({ length: BODY_POOL_SIZE }, (_, b) => {
    const events = Array.from({ length: plan.eventsPerRequest }, (_unused, i) =>
      source.incoming(plan.orgIds[(b + i) % plan.orgIds.length] as string),
    );
    return Buffer.from(JSON.stringify({ events }));
  });
}

function post(agent: Agent, target: URL, producerKey: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        hostname: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${producerKey}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends `POST /api/v1/events` from `concurrency` parallel loops over keep-alive connections for the planned
 * time and measures throughput and per-request latency after the warm-up.
 */
export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const bodies = buildBodies(plan);
  const agent = new Agent({ keepAlive: true, maxSockets: plan.concurrency });
  const target = new URL('/api/v1/events', plan.url);
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let acceptedEvents = 0;
  let measuredEvents = 0;
  let measuredRequests = 0;
  let lastAnswer = 0;
  const started = performance.now();
  const warmupEnd = started + plan.warmupMs;
  const end = warmupEnd + plan.durationMs;
  let next = 0;

  const loop = async () => {
    while (performance.now() < end) {
      const body = bodies[next++ % bodies.length] as Buffer;
      const sentAt = performance.now();
      let answer: { status: number; text: string };
      try {
        answer = await post(agent, target, plan.producerKey, body);
      } catch (error) {
        answer = { status: 0, text: String(error) };
      }
      const answeredAt = performance.now();
      if (answer.status !== 201) {
        errors += 1;
        if (errorSamples.length < 5) errorSamples.push(`${answer.status} ${answer.text.slice(0, 300)}`);
        continue;
      }
      acceptedEvents += plan.eventsPerRequest;
      if (sentAt >= warmupEnd) {
        latencies.push(answeredAt - sentAt);
        measuredRequests += 1;
        measuredEvents += plan.eventsPerRequest;
        lastAnswer = Math.max(lastAnswer, answeredAt);
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, loop));
  agent.destroy();
  const seconds = Math.max(lastAnswer - warmupEnd, 1) / 1000;
  return {
    requests: measuredRequests,
    events: measuredEvents,
    eventsPerSecond: measuredEvents / seconds,
    requestsPerSecond: measuredRequests / seconds,
    seconds,
    latency: summarizeLatencies(latencies),
    acceptedEvents,
    errors,
    errorSamples,
  };
}

// Run as a forked child: one plan in, one result out, then exit.
if (process.send) {
  process.once('message', (plan: LoadPlan) => {
    runLoad(plan)
      .then((result) => process.send?.(result, () => process.exit(0)))
      .catch((error: unknown) => {
        process.send?.({ failed: String(error instanceof Error ? error.stack : error) }, () => process.exit(1));
      });
  });
}
