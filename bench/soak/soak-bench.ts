import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store.js';
import { createBenchOrganizations, createBenchOwnerToken, createBenchProducerKey } from '../dataset/seed-tenancy.js';
import { summarizeLatencies } from '../report/latency-stats.js';
import { startServerChild, type ServerChild } from '../server/server-child.js';

/** What a soak run is given. */
export interface SoakOptions {
  dataDir: string;
  /** How long the mixed load runs, after the peak probe. */
  durationMs: number;
  /** How often a sample line is printed (a minute; shorter only for trying the bench itself). */
  sampleEveryMs: number;
  log: (line: string) => void;
}

/** One sample: the server's memory and the latencies of what ran since the sample before. */
export interface SoakSample {
  atSeconds: number;
  rssMb: number;
  ingestP99Ms: number;
  queryP99Ms: number;
  requests: number;
  errors: number;
}

/** The whole run, for the JSON report. */
export interface SoakResult {
  peakEventsPerSecond: number;
  targetEventsPerSecond: number;
  samples: SoakSample[];
  errors: number;
  firstErrors: string[];
  /** RSS growth from the first sample after warm-up to the last, in MB. */
  rssGrowthAfterWarmupMb: number;
}

const BATCH = 100;
const ORGS = 4;
const LIVE_FEEDS = 4;
const PROBE_MS = 10_000;
const PROBE_CONCURRENCY = 8;

function events(orgId: string, n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => ({
    type: i % 3 === 0 ? 'user.privileged.added' : 'user.standard.added',
    orgId,
    actor: { id: `soak-actor-${i % 50}`, name: `Soak Actor ${i % 50}`, email: `actor${i % 50}@soak.example` },
    entity: { id: `soak-entity-${i}`, name: `Entity ${i}` },
    metadata: { run: 'soak', i },
  }));
}

/**
 * The soak benchmark (`npm run bench -- --soak 30m`): the server as a child process under mixed load for a long
 * time, to see what a short benchmark cannot — memory that creeps up, latency that drifts, errors that come
 * only after a while. First a 10-second probe measures the peak ingest rate (batches of 100, 8 in flight);
 * then, for the whole duration, ingest runs open-loop at half of it, beside an owner paging the log (one page
 * every 200 ms, following cursors), a filtered CSV export every 30 s read to its end, and 4 live feeds held open.
 * Each sample prints the server's RSS and the p99 latencies since the sample before; any failed request is an
 * error, and the run fails when there was one.
 */
export async function runSoakBench(options: SoakOptions): Promise<SoakResult> {
  const { log } = options;
  const file = join(options.dataDir, `soak-${Date.now()}.db`);
  const databaseUrl = `sqlite:${file}`;
  const store = await openStore(databaseUrl);
  const orgIds = await createBenchOrganizations(store, ORGS, 'Soak');
  const producer = await createBenchProducerKey(store, ['UserManagement']);
  const owner = await createBenchOwnerToken(store);
  await store.close();

  const server = await startServerChild({ databaseUrl });
  const errors: string[] = [];
  const fail = (what: string) => {
    if (errors.length < 20) errors.push(what);
    errorCount += 1;
  };
  let errorCount = 0;
  let ingestMs: number[] = [];
  let queryMs: number[] = [];
  let requests = 0;

  const ingest = async (orgId: string): Promise<boolean> => {
    const started = performance.now();
    try {
      const response = await fetch(`${server.url}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${producer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: events(orgId, BATCH) }),
      });
      await response.arrayBuffer();
      requests += 1;
      if (response.status !== 201) fail(`ingest ${response.status}`);
      ingestMs.push(performance.now() - started);
      return response.status === 201;
    } catch (error) {
      fail(`ingest ${String(error)}`);
      return false;
    }
  };

  try {
    // The peak: closed loop, as fast as the server takes batches.
    log(`soak: probing the peak ingest rate for ${PROBE_MS / 1000} s`);
    let probed = 0;
    const probeEnd = Date.now() + PROBE_MS;
    await Promise.all(
      Array.from({ length: PROBE_CONCURRENCY }, async (_, worker) => {
        while (Date.now() < probeEnd) if (await ingest(orgIds[worker % ORGS] as string)) probed += BATCH;
      }),
    );
    const peakEventsPerSecond = probed / (PROBE_MS / 1000);
    const targetEventsPerSecond = peakEventsPerSecond / 2;
    ingestMs = [];
    log(
      `soak: peak ${Math.round(peakEventsPerSecond)} events/s; running at ${Math.round(targetEventsPerSecond)} events/s for ${options.durationMs / 60_000} min`,
    );

    const end = Date.now() + options.durationMs;
    const running: Array<Promise<unknown>> = [];
    running.push(openLoopIngest(targetEventsPerSecond, end, (i) => ingest(orgIds[i % ORGS] as string)));
    running.push(
      pagingOwner(
        server,
        owner,
        orgIds[0] as string,
        end,
        (ms) => queryMs.push(ms),
        fail,
        () => (requests += 1),
      ),
    );
    running.push(periodicExports(server, owner, orgIds[1] as string, end, fail, () => (requests += 1)));
    const feeds = new AbortController();
    for (let i = 0; i < LIVE_FEEDS; i += 1) running.push(liveFeed(server, owner, orgIds[i % ORGS] as string, feeds.signal, fail));

    const samples: SoakSample[] = [];
    const startedAt = Date.now();
    log('  min    RSS MB   ingest p99 ms   query p99 ms   requests   errors');
    while (Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(options.sampleEveryMs, Math.max(0, end - Date.now()))));
      const sample: SoakSample = {
        atSeconds: Math.round((Date.now() - startedAt) / 1000),
        rssMb: server.memory().rssMb,
        ingestP99Ms: summarizeLatencies(ingestMs).p99,
        queryP99Ms: summarizeLatencies(queryMs).p99,
        requests,
        errors: errorCount,
      };
      samples.push(sample);
      ingestMs = [];
      queryMs = [];
      requests = 0;
      log(
        `${(sample.atSeconds / 60).toFixed(1).padStart(5)} ${sample.rssMb.toFixed(0).padStart(9)} ${sample.ingestP99Ms.toFixed(1).padStart(15)} ${sample.queryP99Ms.toFixed(1).padStart(14)} ${String(sample.requests).padStart(10)} ${String(sample.errors).padStart(8)}`,
      );
    }
    feeds.abort();
    await Promise.allSettled(running);
    // The first sample is the warm-up (caches, JIT, SQLite's page cache filling).
    const afterWarmup = samples.slice(1);
    const rssGrowthAfterWarmupMb = afterWarmup.length >= 2 ? (afterWarmup.at(-1)?.rssMb ?? 0) - (afterWarmup[0]?.rssMb ?? 0) : 0;
    return { peakEventsPerSecond, targetEventsPerSecond, samples, errors: errorCount, firstErrors: errors, rssGrowthAfterWarmupMb };
  } finally {
    await server.stop();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  }
}

/** Starts batches on a fixed schedule whatever the answers take (open loop), so a slow server shows as latency. */
async function openLoopIngest(eventsPerSecond: number, end: number, send: (i: number) => Promise<boolean>): Promise<void> {
  const intervalMs = (BATCH / eventsPerSecond) * 1000;
  const inFlight = new Set<Promise<boolean>>();
  let next = performance.now();
  for (let i = 0; Date.now() < end; i += 1) {
    const request = send(i).finally(() => inFlight.delete(request));
    inFlight.add(request);
    next += intervalMs;
    const wait = next - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  await Promise.allSettled(inFlight);
}

async function pagingOwner(
  server: ServerChild,
  token: string,
  orgId: string,
  end: number,
  record: (ms: number) => void,
  fail: (what: string) => void,
  count: () => void,
): Promise<void> {
  let cursor: string | null = null;
  while (Date.now() < end) {
    const started = performance.now();
    try {
      const query = new URLSearchParams({ limit: '50', ...(cursor ? { cursor } : {}) });
      const response = await fetch(`${server.url}/api/v1/orgs/${orgId}/audit-logs?${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await response.json()) as { nextCursor?: string | null };
      count();
      if (response.status !== 200) fail(`query ${response.status}`);
      cursor = body.nextCursor ?? null;
      record(performance.now() - started);
    } catch (error) {
      fail(`query ${String(error)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function periodicExports(
  server: ServerChild,
  token: string,
  orgId: string,
  end: number,
  fail: (what: string) => void,
  count: () => void,
): Promise<void> {
  while (Date.now() < end) {
    try {
      const response = await fetch(`${server.url}/api/v1/orgs/${orgId}/audit-logs/export?scope=filtered&security=true`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await response.arrayBuffer();
      count();
      if (response.status !== 200) fail(`export ${response.status}`);
    } catch (error) {
      fail(`export ${String(error)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, Math.max(0, end - Date.now()))));
  }
}

async function liveFeed(
  server: ServerChild,
  token: string,
  orgId: string,
  signal: AbortSignal,
  fail: (what: string) => void,
): Promise<void> {
  try {
    const response = await fetch(`${server.url}/api/v1/orgs/${orgId}/audit-logs/stream`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal,
    });
    if (response.status !== 200 || !response.body) {
      fail(`live feed ${response.status}`);
      return;
    }
    const reader = response.body.getReader();
    // Read and dropped, as a page that shows the feed would.
    while (!(await reader.read()).done);
  } catch (error) {
    if (!signal.aborted) fail(`live feed ${String(error)}`);
  }
}
