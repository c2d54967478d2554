import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../../src/config.js';
import { newTraceId } from '../../src/core/trace-context.js';
import { createStream } from '../../src/features/streams/stream-commands.js';
import { openStore } from '../../src/store/open-store.js';
import { createBenchOrganizations, createBenchProducerKey } from '../dataset/seed-tenancy.js';
import { runLoadGenerator } from '../ingest/ingest-bench.js';
import type { LoadResult } from '../ingest/load-generator.js';
import { atLeast, atMost, type BenchFigure } from '../report/bench-figure.js';
import { summarizeLatencies, type LatencySummary } from '../report/latency-stats.js';
import { startServerChild } from '../server/server-child.js';
import type { Arrivals } from './lag-receiver-worker.js';

/** How the streams phase runs. */
export interface StreamsBenchOptions {
  dataDir: string;
  warmupMs: number;
  durationMs: number;
  batchConcurrency: number;
  orgs: number;
  /** Node options of the server child (`--cpu-prof` with `--profile`). */
  serverNodeArgs: string[];
  keepFiles: boolean;
  log: (line: string) => void;
}

export interface StreamsBenchResult {
  figures: BenchFigure[];
  details: { load: LoadResult; delivered: number; deliveredPerSecond: number; lag: LatencySummary; caughtUpSeconds: number };
}

/** How long the phase waits, after the load, for the last events to arrive. */
const DRAIN_TIMEOUT_MS = 120_000;

/** The webhook receiver in its worker thread (`lag-receiver-worker.ts`), as the phase drives it. */
class LagRecorder {
  private readonly counters = new Int32Array(new SharedArrayBuffer(8));
  private worker: Worker | undefined;
  port = 0;

  async start(): Promise<void> {
    const worker = new Worker(new URL('./lag-receiver-worker.js', import.meta.url), { workerData: this.counters.buffer });
    this.worker = worker;
    this.port = await new Promise<number>((resolve, reject) => {
      worker.once('message', (message: { port: number }) => resolve(message.port));
      worker.once('error', reject);
    });
  }

  /** Events committed from now on are the load's (the destinations' creation events came before). */
  loadStarts(atMs: number): void {
    this.worker?.postMessage({ loadStartMs: atMs });
  }

  /** Events received so far, of any kind. */
  get received(): number {
    return Atomics.load(this.counters, 0);
  }

  /** Stops receiving and returns what arrived. */
  async finish(): Promise<Arrivals> {
    const worker = this.worker;
    if (!worker) throw new Error('the receiver is not running');
    const arrivals = await new Promise<Arrivals>((resolve) => {
      worker.once('message', (message: { arrivals: Arrivals }) => resolve(message.arrivals));
      worker.postMessage({ finish: true });
    });
    await this.stop();
    return arrivals;
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}

/**
 * The streams phase: a fresh SQLite file, one webhook destination per organization pointing at a receiver in
 * this process, the real server as a child and batch ingest (batches of 100) from the load generator. Reports
 * the events/s delivered against the ingest rate of the same run, and the delivery lag from an event's
 * `recordedAt` (stamped in its commit's transaction) to its arrival at the receiver.
 */
export async function runStreamsBench(options: StreamsBenchOptions): Promise<StreamsBenchResult> {
  const dir = join(options.dataDir, `streams-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const databaseUrl = `sqlite:${join(dir, 'attest.db')}`;
  const receiver = new LagRecorder();
  await receiver.start();
  const env = { ATTEST_STREAMS_ALLOW_PRIVATE: 'true' };
  try {
    const store = await openStore(databaseUrl);
    const orgIds = await createBenchOrganizations(store, options.orgs, 'Streams Org');
    const producerKey = await createBenchProducerKey(store, ['UserManagement']);
    const config = loadConfig(env).streams;
    for (const orgId of orgIds) {
      const actor = { id: 'bench', name: null, email: null, type: 'system' as const };
      await createStream(
        { store, config, actor, orgId, nowMs: Date.now(), retentionDays: 90, traceId: newTraceId() },
        { kind: 'webhook', url: `http://127.0.0.1:${receiver.port}/hook` },
      );
    }
    const streamCreations = orgIds.length;
    await store.close();

    const server = await startServerChild({ databaseUrl, env, nodeArgs: options.serverNodeArgs });
    let load: LoadResult;
    const started = Date.now();
    receiver.loadStarts(started);
    try {
      options.log(
        `streams: batch ingest (100 per request, ${options.batchConcurrency} in flight) while ${orgIds.length} webhook destinations receive, ${(options.warmupMs + options.durationMs) / 1000} s…`,
      );
      load = await runLoadGenerator({
        url: server.url,
        producerKey,
        orgIds,
        warmupMs: options.warmupMs,
        durationMs: options.durationMs,
        eventsPerRequest: 100,
        concurrency: options.batchConcurrency,
        seed: 3,
      });
      const expected = load.acceptedEvents + streamCreations;
      const deadline = Date.now() + DRAIN_TIMEOUT_MS;
      while (receiver.received < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await server.stop();
    }
    const arrivals = await receiver.finish();
    const loadEnded = started + options.warmupMs + options.durationMs;
    // The load's events over the receiver's own span, first arrival to last: a destination that keeps up receives
    // at the ingest rate, only shifted by its lag. (From the load's start, a constant lag alone would read as
    // falling behind; the destinations' creation events, delivered before the load, are left out.)
    const seconds = Math.max(0.001, (arrivals.lastArrivalMs - arrivals.firstLoadArrivalMs) / 1000);
    const deliveredPerSecond = arrivals.loadEvents / seconds;
    const ingestPerSecond = load.acceptedEvents / ((options.warmupMs + options.durationMs) / 1000);
    const lag = summarizeLatencies(arrivals.lagsMs);
    const caughtUpSeconds = Math.max(0, (arrivals.lastArrivalMs - loadEnded) / 1000);
    const figures: BenchFigure[] = [
      {
        section: 'streams',
        name: 'batch ingest while streaming (whole run)',
        value: ingestPerSecond,
        unit: 'events/s',
        note: `${load.acceptedEvents} events acknowledged`,
      },
      atLeast(
        {
          section: 'streams',
          name: 'delivered to webhooks',
          value: deliveredPerSecond,
          unit: 'events/s',
          note: `${arrivals.received} delivered of ${load.acceptedEvents + streamCreations}; the load's ${arrivals.loadEvents} in ${seconds.toFixed(1)} s (first to last arrival); caught up ${caughtUpSeconds.toFixed(1)} s after the load`,
        },
        ingestPerSecond,
      ),
      { section: 'streams', name: 'delivery lag (commit → receiver), p50', value: lag.p50, unit: 'ms' },
      atMost({ section: 'streams', name: 'delivery lag (commit → receiver), p99', value: lag.p99, unit: 'ms' }, 2000),
    ];
    return { figures, details: { load, delivered: arrivals.received, deliveredPerSecond, lag, caughtUpSeconds } };
  } finally {
    await receiver.stop();
    if (!options.keepFiles) rmSync(dir, { recursive: true, force: true });
  }
}
