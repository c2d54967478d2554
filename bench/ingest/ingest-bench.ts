import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import { createBenchOrganizations, createBenchProducerKey } from '../dataset/seed-tenancy.js';
import { atLeast, atMost, type BenchFigure } from '../report/bench-figure.js';
import type { LatencySummary } from '../report/latency-stats.js';
import { probeResponsiveness } from '../server/responsiveness-probe.js';
import { startServerChild } from '../server/server-child.js';
import type { LoadResult } from './load-generator.js';
import { runLoadGenerator } from './load-generator-process.js';
import {
  compareClients,
  measureClientCpuAlone,
  type ClientComparison,
  type ClientCpuAlone,
  type ClientTotals,
} from './client-comparison.js';
import { measureRawStoreLimit, type RawStoreLimit } from './raw-store-limit.js';
import { measureSqliteInsertFloor, type SqliteInsertFloor } from './sqlite-insert-floor.js';

/** Sizes of the ingest benchmark. */
export interface IngestBenchOptions {
  dataDir: string;
  warmupMs: number;
  durationMs: number;
  batchConcurrency: number;
  singleConcurrency: number;
  orgs: number;
  rawEvents: number;
  /** Extra Node.js flags for the server child, e.g. `--cpu-prof --cpu-prof-dir=…`. */
  serverNodeArgs: string[];
  keepFiles: boolean;
  /** Rounds of the interleaved raw / keyed / SDK comparison (default 3). */
  comparisonRounds?: number;
  log: (line: string) => void;
}

/** Figures plus the raw measurements for the JSON report. */
export interface IngestBenchResult {
  figures: BenchFigure[];
  details: {
    batches: LoadResult;
    /** Raw batches, raw batches with a fresh idempotency key per event and the producer SDK's, interleaved. */
    comparison: ClientComparison;
    /** The clients' CPU per event against a server that answers at once. */
    clientCpuAlone: ClientCpuAlone;
    singles: LoadResult;
    responsiveness: LatencySummary;
    raw: RawStoreLimit;
    floor: SqliteInsertFloor;
    storedEvents: number;
    acknowledgedEvents: number;
  };
}

export { runLoadGenerator } from './load-generator-process.js';

async function countStoredEvents(databaseUrl: string): Promise<number> {
  const store = await openStore(databaseUrl);
  try {
    const row = await store.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  } finally {
    await store.close();
  }
}

function describeErrors(result: LoadResult): string | undefined {
  return result.errors === 0 ? undefined : `${result.errors} failed requests, e.g. ${result.errorSamples[0] ?? '?'}`;
}

function errorNote(...totals: ClientTotals[]): string {
  const errors = totals.reduce((sum, t) => sum + t.errors, 0);
  return errors === 0 ? '' : `; ${errors} failed requests, e.g. ${totals.flatMap((t) => t.errorSamples)[0] ?? '?'}`;
}

/** CPU per event of the load generator (`client`) or the server, for each compared client: counts robust to load. */
function cpuFigures(side: 'client' | 'server', comparison: ClientComparison): BenchFigure[] {
  const of = (t: ClientTotals) => (side === 'client' ? t.clientCpuMicrosPerEvent : t.serverCpuMicrosPerEvent);
  const names = { raw: 'raw batches', 'raw-keyed': 'raw batches with keys', sdk: 'SDK batches' } as const;
  return (['raw', 'raw-keyed', 'sdk'] as const).map((client) => ({
    section: 'ingest',
    name: `${side} CPU per event, ${names[client]}`,
    value: of(comparison[client]),
    unit: 'µs',
  }));
}

/**
 * The ingest benchmark: a fresh SQLite file, the real server (`dist/src/main.js`) as one child process and the
 * load generator as another, first batches of 100 then single-event requests; then a check that the store
 * holds exactly the acknowledged events, and the raw store limit for comparison.
 */
export async function runIngestBench(options: IngestBenchOptions): Promise<IngestBenchResult> {
  const dir = join(options.dataDir, `ingest-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const databaseUrl = `sqlite:${join(dir, 'attest.db')}`;
  try {
    const seedStore = await openStore(databaseUrl);
    const orgIds = await createBenchOrganizations(seedStore, options.orgs, 'Ingest Org');
    const producerKey = await createBenchProducerKey(seedStore, ['UserManagement']);
    await seedStore.close();

    const server = await startServerChild({ databaseUrl, nodeArgs: options.serverNodeArgs });
    let batches: LoadResult;
    let comparison: ClientComparison;
    let singles: LoadResult;
    let responsiveness: LatencySummary;
    try {
      const plan = { url: server.url, producerKey, orgIds, warmupMs: options.warmupMs, durationMs: options.durationMs };
      options.log(`ingest: batches of 100, ${options.batchConcurrency} in flight, ${(options.warmupMs + options.durationMs) / 1000} s…`);
      const batchLoad = runLoadGenerator({ ...plan, eventsPerRequest: 100, concurrency: options.batchConcurrency, seed: 1 });
      // Probed only after the warm-up, while the measured batches are being committed.
      [batches, responsiveness] = await Promise.all([batchLoad, probeResponsiveness(server.url, batchLoad, options.warmupMs)]);
      const rounds = options.comparisonRounds ?? 3;
      options.log(
        `ingest: raw batches, raw batches with idempotency keys and @attest/client batches of 100, ${options.batchConcurrency} in flight, interleaved in ${rounds} rounds of ${(options.warmupMs + options.durationMs / rounds) / 1000} s each…`,
      );
      comparison = await compareClients(
        { ...plan, eventsPerRequest: 100, concurrency: options.batchConcurrency, seed: 3 },
        options.durationMs,
        rounds,
        server.pid,
      );
      options.log(`ingest: single events, ${options.singleConcurrency} in flight, ${(options.warmupMs + options.durationMs) / 1000} s…`);
      singles = await runLoadGenerator({ ...plan, eventsPerRequest: 1, concurrency: options.singleConcurrency, seed: 2 });
    } finally {
      await server.stop();
    }
    options.log('ingest: the clients alone, against a server that answers at once, 5 rounds…');
    const clientCpuAlone = await measureClientCpuAlone(
      { eventsPerRequest: 100, concurrency: options.batchConcurrency, orgIds },
      Math.max(200, Math.min(1500, options.durationMs / 3)),
      5,
    );
    const storedEvents = await countStoredEvents(databaseUrl);
    const acknowledgedEvents =
      batches.acceptedEvents +
      comparison.raw.acceptedEvents +
      comparison['raw-keyed'].acceptedEvents +
      comparison.sdk.acceptedEvents +
      singles.acceptedEvents;
    const { raw: rawBatches, 'raw-keyed': keyedBatches, sdk: sdkBatches } = comparison;

    options.log(`ingest: raw store limit, ${options.rawEvents.toLocaleString('en-US')} events straight through store.appendEvents…`);
    const raw = await measureRawStoreLimit(dir, options.rawEvents, options.orgs);
    options.log(
      `ingest: SQLite insert floor, ${options.rawEvents.toLocaleString('en-US')} rows built beforehand, with and without the secondary indexes…`,
    );
    const floor = await measureSqliteInsertFloor(dir, options.rawEvents, options.orgs);
    const ratio = batches.eventsPerSecond / raw.eventsPerSecond;
    const figures: BenchFigure[] = [
      atLeast(
        { section: 'ingest', name: 'HTTP batches of 100', value: batches.eventsPerSecond, unit: 'events/s', note: describeErrors(batches) },
        50_000,
      ),
      { section: 'ingest', name: 'HTTP batches of 100, p99 latency', value: batches.latency.p99, unit: 'ms' },
      {
        section: 'ingest',
        name: 'GET /healthz during the batches, p99 latency',
        value: responsiveness.p99,
        unit: 'ms',
        note: `p50 ${responsiveness.p50.toFixed(1)} ms, ${responsiveness.count} probes one at a time`,
      },
      atLeast(
        {
          section: 'ingest',
          name: 'SDK batches of 100 / HTTP batches of 100',
          value: sdkBatches.eventsPerSecond / rawBatches.eventsPerSecond,
          unit: 'ratio',
          note: `${Math.round(sdkBatches.eventsPerSecond)} events/s through @attest/client, ${Math.round(rawBatches.eventsPerSecond)} raw, interleaved${errorNote(sdkBatches, rawBatches)}`,
        },
        0.9,
      ),
      {
        section: 'ingest',
        name: 'SDK batches / raw batches with idempotency keys',
        value: sdkBatches.eventsPerSecond / keyedBatches.eventsPerSecond,
        unit: 'ratio',
        note: `${Math.round(keyedBatches.eventsPerSecond)} events/s raw with a fresh key per event${errorNote(keyedBatches)}`,
      },
      {
        section: 'ingest',
        name: 'raw batches with idempotency keys / raw batches',
        value: keyedBatches.eventsPerSecond / rawBatches.eventsPerSecond,
        unit: 'ratio',
        note: 'what the server pays for per-event idempotency',
      },
      ...cpuFigures('client', comparison),
      ...cpuFigures('server', comparison),
      ...(['raw', 'raw-keyed', 'sdk'] as const).map((client): BenchFigure => ({
        section: 'ingest',
        name: `client CPU per event against an instant server, ${{ raw: 'raw batches', 'raw-keyed': 'raw batches with keys', sdk: 'SDK batches' }[client]}`,
        value: clientCpuAlone[client].medianMicrosPerEvent,
        unit: 'µs',
        note: 'median of 5 rounds; the client alone on the machine',
      })),
      {
        section: 'ingest',
        name: 'SDK / raw batches by CPU per event (client + server)',
        value:
          (rawBatches.clientCpuMicrosPerEvent + rawBatches.serverCpuMicrosPerEvent) /
          (sdkBatches.clientCpuMicrosPerEvent + sdkBatches.serverCpuMicrosPerEvent),
        unit: 'ratio',
        note: 'the throughput ratio where client and server share busy cores; less sensitive to load than events/s',
      },
      { section: 'ingest', name: 'raw store limit (appendEvents, 5000/tx)', value: raw.eventsPerSecond, unit: 'events/s' },
      atLeast({ section: 'ingest', name: 'HTTP batches / raw store limit', value: ratio, unit: 'ratio' }, 0.5),
      {
        section: 'ingest',
        name: 'SQLite insert floor: prebuilt rows, all indexes',
        value: floor.withIndexes,
        unit: 'rows/s',
        note: `building a row (canonical record, leaf hash) adds ${floor.rowBuildMicros.toFixed(1)} µs`,
      },
      {
        section: 'ingest',
        name: 'SQLite insert floor: prebuilt rows, no secondary index',
        value: floor.withoutSecondaryIndexes,
        unit: 'rows/s',
      },
      atLeast(
        { section: 'ingest', name: 'HTTP single events', value: singles.eventsPerSecond, unit: 'events/s', note: describeErrors(singles) },
        5_000,
      ),
      { section: 'ingest', name: 'HTTP single events, p50 latency', value: singles.latency.p50, unit: 'ms' },
      { section: 'ingest', name: 'HTTP single events, p95 latency', value: singles.latency.p95, unit: 'ms' },
      atMost({ section: 'ingest', name: 'HTTP single events, p99 latency', value: singles.latency.p99, unit: 'ms' }, 25),
      {
        section: 'ingest',
        name: 'acknowledged events missing from the store',
        value: acknowledgedEvents - storedEvents,
        unit: 'events',
        target: '= 0',
        met: acknowledgedEvents === storedEvents,
        note: `${acknowledgedEvents} acknowledged, ${storedEvents} stored`,
      },
    ];
    return {
      figures,
      details: { batches, comparison, clientCpuAlone, singles, responsiveness, raw, floor, storedEvents, acknowledgedEvents },
    };
  } finally {
    if (!options.keepFiles) rmSync(dir, { recursive: true, force: true });
  }
}
