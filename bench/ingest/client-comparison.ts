import { cpuTicks, TICKS_PER_SECOND } from '../postgres/cpu-meter.js';
import type { LoadPlan, LoadResult } from './load-generator.js';
import { runLoadGenerator } from './load-generator-process.js';

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
