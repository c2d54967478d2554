import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * The streams phase's webhook receiver, in a worker thread of its own: on the benchmark's main thread it
 * waited behind the load generator (16 batches in flight, each built and parsed there), so its arrival times
 * measured the benchmark's event loop as much as Attest's delivery. It notes, per event, how long after its
 * `recordedAt` (stamped in its commit's transaction) it arrived.
 */

/** What the worker shares with the benchmark while it runs: [events received, events of the load received]. */
export type ReceiverCounters = Int32Array;

/** What the worker answers `finish` with. */
export interface Arrivals {
  /** Lag of each event of the load (committed from `loadStartMs` on), in arrival order. */
  lagsMs: number[];
  received: number;
  loadEvents: number;
  firstLoadArrivalMs: number;
  lastArrivalMs: number;
}

const counters = new Int32Array(workerData as SharedArrayBuffer);
const arrivals: Arrivals = { lagsMs: [], received: 0, loadEvents: 0, firstLoadArrivalMs: 0, lastArrivalMs: 0 };
let loadStartMs = Infinity;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const now = Date.now();
    const { events } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: Array<{ recordedAt: string }> };
    for (const event of events) {
      const recordedAt = Date.parse(event.recordedAt);
      arrivals.received += 1;
      // The destinations' creation events were committed before the server started: no delivery lag.
      if (recordedAt < loadStartMs) continue;
      arrivals.lagsMs.push(now - recordedAt);
      arrivals.loadEvents += 1;
      arrivals.firstLoadArrivalMs ||= now;
    }
    arrivals.lastArrivalMs = now;
    Atomics.store(counters, 0, arrivals.received);
    Atomics.store(counters, 1, arrivals.loadEvents);
    res.writeHead(204).end();
  });
});

parentPort?.on('message', (message: { loadStartMs?: number; finish?: true }) => {
  if (message.loadStartMs !== undefined) loadStartMs = message.loadStartMs;
  if (message.finish) {
    server.closeAllConnections();
    server.close(() => parentPort?.postMessage({ arrivals }));
  }
});

server.listen(0, '127.0.0.1', () => parentPort?.postMessage({ port: (server.address() as AddressInfo).port }));
