import { openStore } from '../../src/store/open-store.js';
import type { QueryDataset } from '../dataset/query-dataset.js';
import { evictDatasetFromPageCache } from '../dataset/page-cache.js';
import { createBenchOwnerToken } from '../dataset/seed-tenancy.js';
import { seededRandom } from '../../src/core/seeded-random.js';
import { atMost, type BenchFigure } from '../report/bench-figure.js';
import { summarizeLatencies, type LatencySummary } from '../report/latency-stats.js';
import { startServerChild } from '../server/server-child.js';
import { measureHttpQueries, probeAuditLogApi } from './http-query-bench.js';
import { queryCases } from './query-scenarios.js';
import { measureStoreQueries, sampleLogIds, type QueryTimings } from './store-query-bench.js';

const PAGE_SIZE = 50;
/** Cases run once, untimed, before measuring: the first reads of a fresh process fill caches. */
const WARMUP_CASES = 12;

/** Sizes of the query benchmark. */
export interface QueryBenchOptions {
  /** Each scenario × window × organization runs this many times with different ranges. */
  rounds: number;
  logIdLookups: number;
  serverNodeArgs: string[];
  log: (line: string) => void;
}

/** Summaries of one level (store or HTTP), overall and per scenario. */
export interface QueryLevelSummary {
  firstPage: LatencySummary;
  total: LatencySummary;
  nextPage: LatencySummary;
  logId: LatencySummary;
  /** Per scenario; `total` only where it was timed apart (the store level). */
  byScenario: Record<string, { firstPage: LatencySummary; total?: LatencySummary }>;
}

/** Figures plus per-scenario summaries for the JSON report. */
export interface QueryBenchResult {
  figures: BenchFigure[];
  details: { cases: number; store: QueryLevelSummary; http?: QueryLevelSummary; httpSkipped?: string };
}

/** Latency summaries of one level's timings, overall and by scenario. */
export function summarizeQueryTimings(timings: QueryTimings): QueryLevelSummary {
  const byScenario: QueryLevelSummary['byScenario'] = {};
  for (const [name, samples] of Object.entries(timings.byScenario)) {
    byScenario[name] = {
      firstPage: summarizeLatencies(samples.firstPage),
      ...(samples.total.length > 0 ? { total: summarizeLatencies(samples.total) } : {}),
    };
  }
  return {
    firstPage: summarizeLatencies(timings.firstPage),
    total: summarizeLatencies(timings.total),
    nextPage: summarizeLatencies(timings.nextPage),
    logId: summarizeLatencies(timings.logId),
    byScenario,
  };
}

function worstScenario(summary: QueryLevelSummary, kind: 'firstPage' | 'total'): string {
  const ranked = Object.entries(summary.byScenario)
    .map(([name, s]) => [name, s[kind]?.p95 ?? Number.NaN] as const)
    .filter(([, p95]) => Number.isFinite(p95))
    .sort(([, a], [, b]) => b - a);
  const worst = ranked[0];
  return worst ? `slowest filter: ${worst[0]} (p95 ${worst[1].toFixed(1)} ms)` : '';
}

/**
 * The query benchmark over a built dataset: store level (first page and total timed apart) in this process,
 * then the same cases over HTTP against the server as a child process, if the audit-log routes exist. Each
 * level starts with the dataset file evicted from the page cache, so both read what they need from the disk
 * as a server would for any range not read in the last minute, whatever ran before.
 */
export async function runQueryBench(dataset: QueryDataset, options: QueryBenchOptions): Promise<QueryBenchResult> {
  const random = seededRandom(42);
  const cases = queryCases(dataset, options.rounds, random);
  const databaseUrl = `sqlite:${dataset.path}`;
  const store = await openStore(databaseUrl);
  let token: string;
  let storeSummary: QueryLevelSummary;
  let logIds: { orgId: string; logId: string }[];
  try {
    token = await createBenchOwnerToken(store);
    logIds = await sampleLogIds(store, dataset, options.logIdLookups, random);
    options.log(`query: store level, ${cases.length} cases and ${logIds.length} log-id lookups, from a cold page cache…`);
    evictDatasetFromPageCache(dataset.path);
    await measureStoreQueries(store, cases.slice(0, WARMUP_CASES), [], PAGE_SIZE);
    storeSummary = summarizeQueryTimings(await measureStoreQueries(store, cases, logIds, PAGE_SIZE));
  } finally {
    await store.close();
  }
  const label = (name: string) => `${name} (store level)`;
  const figures: BenchFigure[] = [
    atMost(
      {
        section: 'query',
        name: label('first page p95'),
        value: storeSummary.firstPage.p95,
        unit: 'ms',
        note: worstScenario(storeSummary, 'firstPage'),
      },
      20,
    ),
    atMost(
      { section: 'query', name: label('total p95'), value: storeSummary.total.p95, unit: 'ms', note: worstScenario(storeSummary, 'total') },
      100,
    ),
    atMost({ section: 'query', name: label('next page p95'), value: storeSummary.nextPage.p95, unit: 'ms' }, 5),
    atMost({ section: 'query', name: label('log-id lookup p95'), value: storeSummary.logId.p95, unit: 'ms' }, 5),
  ];

  const server = await startServerChild({ databaseUrl, nodeArgs: options.serverNodeArgs });
  let httpSummary: QueryLevelSummary | undefined;
  let httpSkipped: string | undefined;
  try {
    const probe = await probeAuditLogApi(server.url, token, dataset.bigOrgId);
    if (probe.available) {
      options.log(`query: HTTP, ${cases.length} cases and ${logIds.length} log-id lookups, from a cold page cache…`);
      // The store level just read the same cases: without this the HTTP calls would find their pages cached.
      evictDatasetFromPageCache(dataset.path);
      await measureHttpQueries(server.url, token, cases.slice(0, WARMUP_CASES), [], PAGE_SIZE);
      httpSummary = summarizeQueryTimings(await measureHttpQueries(server.url, token, cases, logIds, PAGE_SIZE));
      figures.push(
        atMost(
          {
            section: 'query',
            name: 'HTTP first page with total p95',
            value: httpSummary.firstPage.p95,
            unit: 'ms',
            note: `target: page ≤ 20 + total ≤ 100; ${worstScenario(httpSummary, 'firstPage')}`,
          },
          100,
        ),
        atMost({ section: 'query', name: 'HTTP next page p95', value: httpSummary.nextPage.p95, unit: 'ms' }, 5),
        atMost({ section: 'query', name: 'HTTP log-id lookup p95', value: httpSummary.logId.p95, unit: 'ms' }, 5),
      );
    } else {
      httpSkipped = probe.reason;
      options.log(`query: HTTP skipped — ${probe.reason}`);
    }
  } finally {
    await server.stop();
  }
  return {
    figures,
    details: {
      cases: cases.length,
      store: storeSummary,
      ...(httpSummary ? { http: httpSummary } : {}),
      ...(httpSkipped ? { httpSkipped } : {}),
    },
  };
}

/** Per-filter p95s as a small table, so the slow filter combinations are visible without opening the JSON. */
export function formatScenarioTable(details: QueryBenchResult['details']): string {
  const cell = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(1)).padStart(12);
  const lines = [`${'p95 ms by filter'.padEnd(50)}${'store page'.padStart(12)}${'store total'.padStart(12)}${'HTTP call'.padStart(12)}`];
  for (const [name, store] of Object.entries(details.store.byScenario)) {
    lines.push(
      `${name.padEnd(50)}${cell(store.firstPage.p95)}${cell(store.total?.p95)}${cell(details.http?.byScenario[name]?.firstPage.p95)}`,
    );
  }
  return lines.join('\n');
}
