import { summarizeLatencies, type LatencySummary } from '../report/latency-stats.js';
import { httpGetText } from './http-client.js';

/** Pause between probes: about a hundred a second, a light load beside the one being measured. */
const PROBE_INTERVAL_MS = 10;

/**
 * How long the server takes to answer a trivial request (`GET /healthz`) while other work runs, probing one
 * request at a time from `startAfterMs` until `until` settles. A server whose thread is busy with that work
 * (say, committing ingest batches) answers late, and so does every query and page view meanwhile.
 */
export async function probeResponsiveness(serverUrl: string, until: Promise<unknown>, startAfterMs: number): Promise<LatencySummary> {
  let done = false;
  void until.finally(() => (done = true)).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, startAfterMs));
  const samples: number[] = [];
  while (!done) {
    const started = performance.now();
    const { status } = await httpGetText(`${serverUrl}/healthz`, {});
    if (status === 200 && !done) samples.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
  }
  return summarizeLatencies(samples);
}
