import { Agent, request } from 'node:http';
import { AttestClient, type AttestEvent } from '../../packages/client/src/index.js';
import { idempotencyKeys } from '../../packages/client/src/idempotency-keys.js';
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
  /**
   * `raw`: prepared JSON bodies over node:http (default); `raw-keyed`: the same, each event with a fresh
   * idempotency key (so JSON is serialized per request, as the SDK must); `sdk`: the events through @attest/client.
   */
  client?: 'raw' | 'raw-keyed' | 'sdk';
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
  /** CPU time (user + system) the load generator process spent on the whole run, warm-up included, in µs. */
  cpuMicros: number;
  errors: number;
  errorSamples: string[];
}

// A pool of distinct prepared bodies: serializing JSON per request would spend the generator's CPU, which
// shares the machine with the server, on work that is not the server's.
const BODY_POOL_SIZE = 256;

function buildEventPool(plan: LoadPlan): AttestEvent[][] {
  const source = new SyntheticEventSource(seededRandom(plan.seed), syntheticActors(200), productAreaNamed('UserManagement').eventTypes);
  return Array.from({ length: BODY_POOL_SIZE }, (_, b) =>
    // The catalog's own User Management types: the SDK's generated union has them all.
    Array.from(
      { length: plan.eventsPerRequest },
      (_unused, i) => source.incoming(plan.orgIds[(b + i) % plan.orgIds.length] as string) as AttestEvent,
    ),
  );
}

/**
 * One request's worth of events through the SDK: the loop hands it `eventsPerRequest` events at once
 * (`sendAll`, one promise for them) and awaits them all, so its batches are the raw loop's requests, with the
 * SDK's JSON, idempotency keys and HTTP on top.
 */
function sdkSender(plan: LoadPlan): { send(events: AttestEvent[]): Promise<{ status: number; text: string }>; close(): Promise<void> } {
  const client = new AttestClient({
    baseUrl: plan.url,
    producerKey: plan.producerKey,
    maxBatchSize: plan.eventsPerRequest,
    maxConcurrentRequests: plan.concurrency,
    flushIntervalMs: 1,
    maxQueuedEvents: plan.eventsPerRequest * plan.concurrency * 2,
    retry: { maxAttempts: 1 },
  });
  return {
    async send(events) {
      const results = await client.sendAll(events);
      const failed = results.find((r) => r.status === 'rejected');
      return failed ? { status: 0, text: String(failed.reason) } : { status: 201, text: '' };
    },
    close: () => client.close(),
  };
}

/** Keys made as the SDK makes them (random per process, then a counter), so the two differ only in the client. */
const nextKey = idempotencyKeys();

function keyedBody(events: AttestEvent[]): Buffer {
  return Buffer.from(JSON.stringify({ events: events.map((event) => ({ ...event, idempotencyKey: nextKey() })) }));
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
  const pool = buildEventPool(plan);
  const bodies = pool.map((events) => Buffer.from(JSON.stringify({ events })));
  const sdk = plan.client === 'sdk' ? sdkSender(plan) : undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: plan.concurrency });
  const target = new URL('/api/v1/events', plan.url);
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let acceptedEvents = 0;
  let measuredEvents = 0;
  let measuredRequests = 0;
  let lastAnswer = 0;
  // The prepared pool and bodies are set up before: only the sending is counted.
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  const warmupEnd = started + plan.warmupMs;
  const end = warmupEnd + plan.durationMs;
  let next = 0;

  const loop = async () => {
    while (performance.now() < end) {
      const index = next++ % bodies.length;
      const sentAt = performance.now();
      let answer: { status: number; text: string };
      try {
        answer = sdk
          ? await sdk.send(pool[index] as AttestEvent[])
          : await post(
              agent,
              target,
              plan.producerKey,
              plan.client === 'raw-keyed' ? keyedBody(pool[index] as AttestEvent[]) : (bodies[index] as Buffer),
            );
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
  await sdk?.close();
  agent.destroy();
  const cpu = process.cpuUsage(cpuAtStart);
  const seconds = Math.max(lastAnswer - warmupEnd, 1) / 1000;
  return {
    requests: measuredRequests,
    events: measuredEvents,
    eventsPerSecond: measuredEvents / seconds,
    requestsPerSecond: measuredRequests / seconds,
    seconds,
    latency: summarizeLatencies(latencies),
    acceptedEvents,
    cpuMicros: cpu.user + cpu.system,
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
