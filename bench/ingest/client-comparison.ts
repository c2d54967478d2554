import { cpuTicks, TICKS_PER_SECOND } from '../postgres/cpu-meter.js';
import type { LoadPlan, LoadResult } from './load-generator.js';
import { runLoadGenerator } from './load-generator-process.js';
import { startInstantIngestServer } from './instant-ingest-server.js';

/** The clients compared: raw prepared bodies, raw bodies with a fresh key per event, and the producer SDK. */
export const COMPARED_CLIENTS = ['raw', 'raw-keyed', 'sdk'] as const;
export type ComparedClient = (typeof COMPARED_CLIENTS)[number];

/** One client's rounds added up. */
export interface ClientTotals {
  /** Measured events answered 201 over the measured seconds of every round. */
  eventsPerSecond: number;
  events: number;
  seconds: number;
  /** Every event answered 201, warm-ups included (the store must hold them). */
  acceptedEvents: number;
  errors: number;
  errorSamples: string[];
  /** The load generator's CPU per accepted event (serializing, keys, HTTP, bookkeeping), in µs. */
  clientCpuMicrosPerEvent: number;
  /** The server process's CPU per accepted event (all its threads), in µs; it includes what else it did meanwhile. */
  serverCpuMicrosPerEvent: number;
  rounds: LoadResult[];
}

export type ClientComparison = Record<ComparedClient, ClientTotals>;

/**
 * Runs the three clients against one server in `rounds` rounds, each client once per round, the order rotated
 * every round (raw, keyed, SDK; then keyed, SDK, raw; …). Same events (one seed), same batch size, same
 * requests in flight. On a machine shared with other work the load changes over a run, and the store grows as
 * it runs: interleaving spreads both over the three, where three phases one after the other gave the last one
 * a bigger store and whatever load came last.
 */
export async function compareClients(
  plan: Omit<LoadPlan, 'client' | 'durationMs'>,
  durationMs: number,
  rounds: number,
  serverPid: number,
): Promise<ClientComparison> {
  const results: Record<ComparedClient, Array<{ load: LoadResult; serverTicks: number }>> = { raw: [], 'raw-keyed': [], sdk: [] };
  const roundMs = Math.max(100, Math.round(durationMs / rounds));
  for (let round = 0; round < rounds; round += 1) {
    for (let i = 0; i < COMPARED_CLIENTS.length; i += 1) {
      const client = COMPARED_CLIENTS[(round + i) % COMPARED_CLIENTS.length] as ComparedClient;
      const before = cpuTicks(serverPid) ?? Number.NaN;
      const load = await runLoadGenerator({ ...plan, durationMs: roundMs, client });
      results[client].push({ load, serverTicks: (cpuTicks(serverPid) ?? Number.NaN) - before });
    }
  }
  const totals = (client: ComparedClient): ClientTotals => {
    const runs = results[client];
    const sum = (of: (run: { load: LoadResult; serverTicks: number }) => number) => runs.reduce((total, run) => total + of(run), 0);
    const events = sum((r) => r.load.events);
    const seconds = sum((r) => r.load.seconds);
    const acceptedEvents = sum((r) => r.load.acceptedEvents);
    return {
      eventsPerSecond: events / seconds,
      events,
      seconds,
      acceptedEvents,
      errors: sum((r) => r.load.errors),
      errorSamples: runs.flatMap((r) => r.load.errorSamples).slice(0, 5),
      clientCpuMicrosPerEvent: sum((r) => r.load.cpuMicros) / acceptedEvents,
      serverCpuMicrosPerEvent: (sum((r) => r.serverTicks) / TICKS_PER_SECOND / acceptedEvents) * 1e6,
      rounds: runs.map((r) => r.load),
    };
  };
  return { raw: totals('raw'), 'raw-keyed': totals('raw-keyed'), sdk: totals('sdk') };
}

/** Each client's CPU per event against {@link startInstantIngestServer}, median of the rounds, in µs. */
export type ClientCpuAlone = Record<ComparedClient, { medianMicrosPerEvent: number; rounds: number[] }>;

/**
 * The clients' own cost: each sends batches of 100 (16 in flight) to a server that answers at once, in `rounds`
 * interleaved rounds of `roundMs`; the load generator's CPU per accepted event, median of the rounds. The
 * events/s against the real server depend on what else the machine runs; this hardly does.
 */
export async function measureClientCpuAlone(
  plan: Pick<LoadPlan, 'eventsPerRequest' | 'concurrency' | 'orgIds'>,
  roundMs: number,
  rounds: number,
): Promise<ClientCpuAlone> {
  const server = await startInstantIngestServer();
  const samples: Record<ComparedClient, number[]> = { raw: [], 'raw-keyed': [], sdk: [] };
  try {
    for (let round = 0; round < rounds; round += 1) {
      for (let i = 0; i < COMPARED_CLIENTS.length; i += 1) {
        const client = COMPARED_CLIENTS[(round + i) % COMPARED_CLIENTS.length] as ComparedClient;
        const load = await runLoadGenerator({
          ...plan,
          url: server.url,
          producerKey: 'not checked',
          warmupMs: Math.min(300, roundMs),
          durationMs: roundMs,
          seed: 3,
          client,
        });
        samples[client].push(load.cpuMicros / load.acceptedEvents);
      }
    }
  } finally {
    server.stop();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  return {
    raw: { medianMicrosPerEvent: median(samples.raw), rounds: samples.raw },
    'raw-keyed': { medianMicrosPerEvent: median(samples['raw-keyed']), rounds: samples['raw-keyed'] },
    sdk: { medianMicrosPerEvent: median(samples.sdk), rounds: samples.sdk },
  };
}
