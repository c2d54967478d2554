import { mkdirSync, rmSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.js';
import type { BenchFigure } from '../report/bench-figure.js';
import { atMost } from '../report/bench-figure.js';
import { summarizeLatencies, type LatencySummary } from '../report/latency-stats.js';
import { createBenchOrganizations, createBenchOwnerToken, createBenchProducerKey } from '../dataset/seed-tenancy.js';
import { startServerChild, type ServerChild } from '../server/server-child.js';

/** The PostgreSQL the benchmark uses with `--store postgres` (in a schema of its own, dropped afterwards). */
export const BENCH_POSTGRES_URL = process.env.ATTEST_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The target for an event to reach a live feed on another process. */
const TARGET_P99_MS = 250;
/** Longest wait for the last events to arrive once every one was sent. */
const DRAIN_TIMEOUT_MS = 15_000;

/** What the phase runs on and how much. */
export interface LiveFeedBenchOptions {
  store: 'sqlite' | 'postgres';
  /** Events sent, one per request. */
  events: number;
  /** Requests per second, sent one after another. */
  ratePerSecond: number;
  dataDir: string;
  log(line: string): void;
}

/** The figures and the samples' summaries. */
export interface LiveFeedBenchResult {
  figures: BenchFigure[];
  details: {
    store: string;
    events: number;
    ratePerSecond: number;
    sentToReceived: LatencySummary;
    ackedToReceived: LatencySummary;
    missing: number;
  };
}

/** Receives a live feed and notes when each event arrived (`performance.now()`), by logId. */
class FeedReceiver {
  readonly arrivals = new Map<string, number>();
  private buffer = '';
  private req: ClientRequest | undefined;

  open(url: string, token: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.req = request(url, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`live feed answered ${res.statusCode}`));
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const now = performance.now();
          this.buffer += chunk;
          let end: number;
          while ((end = this.buffer.indexOf('\n\n')) >= 0) {
            const block = this.buffer.slice(0, end);
            this.buffer = this.buffer.slice(end + 2);
            if (block.startsWith(': connected')) resolve();
            const data = block.split('\n').find((line) => line.startsWith('data: '));
            if (data) this.arrivals.set((JSON.parse(data.slice('data: '.length)) as { logId: string }).logId, now);
          }
        });
      });
      this.req.on('error', reject);
      this.req.end();
    });
  }

  close(): void {
    this.req?.destroy();
  }
}

/** Where the two processes' store lives, and how to remove it. */
async function benchLocation(
  options: LiveFeedBenchOptions,
): Promise<{ databaseUrl: string; env: Record<string, string>; remove(): Promise<void> }> {
  const dir = join(options.dataDir, `live-feed-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const keyEnv = { ATTEST_LOG_KEY_FILE: join(dir, 'log-key') };
  if (options.store === 'sqlite') {
    return { databaseUrl: `sqlite:${join(dir, 'attest.db')}`, env: keyEnv, remove: () => Promise.resolve(removeDir()) };
  }
  const schema = `attest_bench_live_feed_${process.pid}`;
  return {
    databaseUrl: BENCH_POSTGRES_URL,
    env: { ...keyEnv, ATTEST_POSTGRES_SCHEMA: schema },
    async remove() {
      const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
      removeDir();
    },
  };
}

/**
 * The cross-process live feed: two server processes on one store; an owner follows the live feed on B while
 * single events are ingested through A at a steady rate. Reports how long each event took from the moment
 * its request was sent to A until it arrived on B's feed (PostgreSQL: B's LISTEN connection hears A's NOTIFY;
 * SQLite: B's feed polls once a second).
 */
export async function runLiveFeedBench(options: LiveFeedBenchOptions): Promise<LiveFeedBenchResult> {
  const location = await benchLocation(options);
  const servers: ServerChild[] = [];
  const receiver = new FeedReceiver();
  try {
    const store = await openStore(location.databaseUrl, undefined, { postgresSchema: location.env.ATTEST_POSTGRES_SCHEMA });
    const [orgId] = await createBenchOrganizations(store, 1, 'Live Feed Org');
    const token = await createBenchOwnerToken(store);
    const producerKey = await createBenchProducerKey(store, ['UserManagement']);
    await store.close();
    if (!orgId) throw new Error('no organization created');

    const env = location.env;
    const a = await startServerChild({ databaseUrl: location.databaseUrl, env });
    servers.push(a);
    const b = await startServerChild({ databaseUrl: location.databaseUrl, env });
    servers.push(b);
    await receiver.open(`${b.url}/api/v1/orgs/${orgId}/audit-logs/stream`, token);

    options.log(`live-feed (${options.store}): ${options.events} single events into A at ${options.ratePerSecond}/s, followed on B…`);
    const sentAt = new Map<string, number>();
    const ackedAt = new Map<string, number>();
    const intervalMs = 1000 / options.ratePerSecond;
    const start = performance.now();
    for (let i = 0; i < options.events; i += 1) {
      const due = start + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const sent = performance.now();
      const response = await fetch(`${a.url}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${producerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          events: [{ type: 'user.standard.added', orgId, actor: { id: 'bench', type: 'system' }, entity: { id: `e-${i}`, name: 'Live' } }],
        }),
      });
      const acked = performance.now();
      if (response.status !== 201) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
      const [event] = ((await response.json()) as { events: Array<{ logId: string }> }).events;
      if (!event) throw new Error('ingest answered no event');
      sentAt.set(event.logId, sent);
      ackedAt.set(event.logId, acked);
    }
    const deadline = performance.now() + DRAIN_TIMEOUT_MS;
    while ([...sentAt.keys()].some((logId) => !receiver.arrivals.has(logId)) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const sentToReceived: number[] = [];
    const ackedToReceived: number[] = [];
    for (const [logId, sent] of sentAt) {
      const arrived = receiver.arrivals.get(logId);
      if (arrived === undefined) continue;
      sentToReceived.push(arrived - sent);
      ackedToReceived.push(arrived - (ackedAt.get(logId) ?? sent));
    }
    const missing = sentAt.size - sentToReceived.length;
    const sent = summarizeLatencies(sentToReceived);
    const acked = summarizeLatencies(ackedToReceived);
    const label = `${options.store}, 2 processes, ${options.ratePerSecond}/s`;
    const figures: BenchFigure[] = [
      { section: 'live-feed', name: `ingest on A → live feed on B p50 (${label})`, value: sent.p50, unit: 'ms' },
      // The target is PostgreSQL's (LISTEN/NOTIFY); SQLite's processes find each other's events by polling.
      options.store === 'postgres'
        ? atMost({ section: 'live-feed', name: `ingest on A → live feed on B p99 (${label})`, value: sent.p99, unit: 'ms' }, TARGET_P99_MS)
        : { section: 'live-feed', name: `ingest on A → live feed on B p99 (${label})`, value: sent.p99, unit: 'ms' },
      {
        section: 'live-feed',
        name: `acknowledged on A → live feed on B p50 / p99 (${label})`,
        value: acked.p50,
        unit: 'ms',
        note: `p99 ${acked.p99.toFixed(1)} ms`,
      },
      { section: 'live-feed', name: `events not received on B within ${DRAIN_TIMEOUT_MS / 1000} s`, value: missing, unit: 'events' },
    ];
    return {
      figures,
      details: {
        store: options.store,
        events: sentAt.size,
        ratePerSecond: options.ratePerSecond,
        sentToReceived: sent,
        ackedToReceived: acked,
        missing,
      },
    };
  } finally {
    receiver.close();
    for (const server of servers) await server.stop();
    await location.remove();
  }
}
