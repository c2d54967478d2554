import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
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

/** A webhook receiver that notes, per event, how long after its `recordedAt` (its commit) it arrived. */
class LagRecorder {
  readonly lagsMs: number[] = [];
  firstArrivalMs = 0;
  lastArrivalMs = 0;
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const now = Date.now();
        const { events } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: Array<{ recordedAt: string }> };
        for (const event of events) this.lagsMs.push(now - Date.parse(event.recordedAt));
        this.firstArrivalMs ||= now;
        this.lastArrivalMs = now;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server?.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
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
      while (receiver.lagsMs.length < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await server.stop();
    }
    const loadEnded = started + options.warmupMs + options.durationMs;
    // Over the receiver's own span, first arrival to last: a destination that keeps up receives at the ingest
    // rate, only shifted by its lag. (From the load's start, a constant lag alone would read as falling behind.)
    const seconds = Math.max(0.001, (receiver.lastArrivalMs - receiver.firstArrivalMs) / 1000);
    const deliveredPerSecond = receiver.lagsMs.length / seconds;
    const ingestPerSecond = load.acceptedEvents / ((options.warmupMs + options.durationMs) / 1000);
    const lag = summarizeLatencies(receiver.lagsMs);
    const caughtUpSeconds = Math.max(0, (receiver.lastArrivalMs - loadEnded) / 1000);
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
          note: `${receiver.lagsMs.length} delivered of ${load.acceptedEvents + streamCreations} in ${seconds.toFixed(1)} s (first to last arrival); caught up ${caughtUpSeconds.toFixed(1)} s after the load`,
        },
        ingestPerSecond,
      ),
      { section: 'streams', name: 'delivery lag (commit → receiver), p50', value: lag.p50, unit: 'ms' },
      atMost({ section: 'streams', name: 'delivery lag (commit → receiver), p99', value: lag.p99, unit: 'ms' }, 2000),
    ];
    return { figures, details: { load, delivered: receiver.lagsMs.length, deliveredPerSecond, lag, caughtUpSeconds } };
  } finally {
    await receiver.stop();
    if (!options.keepFiles) rmSync(dir, { recursive: true, force: true });
  }
}
