import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { seededRandom } from '../../src/core/seeded-random.js';
import { openStore } from '../../src/store/open-store.js';
import { openOrBuildQueryDataset, type QueryDataset, type QueryDatasetShape } from '../dataset/query-dataset.js';
import { createBenchOrganizations, createBenchOwnerToken, createBenchProducerKey } from '../dataset/seed-tenancy.js';
import { runExportBench } from '../export/export-bench.js';
import { measureHttpQueries } from '../query/http-query-bench.js';
import { runQueryBench, summarizeQueryTimings, type QueryLevelSummary } from '../query/query-bench.js';
import { queryCases } from '../query/query-scenarios.js';
import { measureStoreQueries, sampleLogIds } from '../query/store-query-bench.js';
import { formatNumber } from '../report/bench-figure.js';
import { httpGet } from '../server/http-client.js';
import { startServerChild, type ServerChild } from '../server/server-child.js';
import { processCpuMs } from './cpu-meter.js';
import { runIngestPhase, type IngestPhaseResult } from './multi-process-ingest.js';
import { openOrCopyPostgresDataset, type PostgresQueryDataset } from './postgres-query-dataset.js';

const PAGE_SIZE = 50;
const WARMUP_CASES = 12;
const INGEST_ORGS = 100;

/** What `npm run bench -- --store postgres` is given. */
export interface StoreComparisonOptions {
  dataDir: string;
  postgresUrl: string;
  /** Server processes of the multi-process phases (1 is always measured too). */
  processes: number;
  warmupMs: number;
  durationMs: number;
  batchConcurrency: number;
  singleConcurrency: number;
  dataset: QueryDatasetShape;
  rounds: number;
  logIdLookups: number;
  keep: boolean;
  /** `query`: only the query phase on both stores (no ingest, no export), e.g. to measure a change to reads. */
  only?: 'query';
  log: (line: string) => void;
}

/** One line of the side-by-side table. */
export interface ComparisonRow {
  figure: string;
  unit: string;
  sqlite: number | undefined;
  postgres: number | undefined;
  target?: string;
  note?: string;
}

/** Everything the comparison measured. */
export interface StoreComparisonResult {
  rows: ComparisonRow[];
  details: {
    ingest: Record<'sqlite' | 'postgres', IngestPhaseResult[]>;
    lostEvents: Record<string, number>;
    dataset?: QueryDataset;
    postgresDataset?: PostgresQueryDataset;
    postgresQuery?: PostgresQueryResult;
    sqliteQuery?: { store: QueryLevelSummary; http?: QueryLevelSummary };
    postgresExport?: { rows: number; seconds: number; rowsPerSecond: number };
  };
}

/**
 * `npm run bench -- --store postgres [--processes N]`: the same phases on SQLite and on the machine's
 * PostgreSQL (each run in a schema of its own), in one run so the two stand side by side: HTTP ingest (batches
 * of 100 across 100 organizations and into one, single events) with 1 and N server processes on one store, the
 * query phase on the query dataset (copied into PostgreSQL by `attest migrate`'s copy), and the export.
 */
export async function runStoreComparison(options: StoreComparisonOptions): Promise<StoreComparisonResult> {
  const runId = `${Date.now()}`;
  const dir = join(options.dataDir, `compare-${runId}`);
  mkdirSync(dir, { recursive: true });
  const processCounts = [...new Set([1, options.processes])];
  const ingest: StoreComparisonResult['details']['ingest'] = { sqlite: [], postgres: [] };
  const lostEvents: Record<string, number> = {};
  try {
    for (const kind of options.only === 'query' ? [] : (['sqlite', 'postgres'] as const)) {
      for (const processes of processCounts) {
        const label = `${kind}-p${processes}`;
        const schema = `attest_bench_${runId}_p${processes}`;
        const applicationName = `attest_bench_${runId}_p${processes}`;
        const databaseUrl =
          kind === 'sqlite' ? `sqlite:${join(dir, `${label}.db`)}` : withApplicationName(options.postgresUrl, applicationName);
        const env: Record<string, string> = {
          ATTEST_LOG_KEY_FILE: join(dir, 'log-key'),
          ...(kind === 'postgres' ? { ATTEST_POSTGRES_SCHEMA: schema } : {}),
        };
        try {
          const results = await ingestPhases(kind, processes, databaseUrl, env, options, { url: options.postgresUrl, applicationName });
          ingest[kind].push(...results.phases);
          lostEvents[label] = results.lost;
        } finally {
          if (kind === 'postgres' && !options.keep) await dropSchema(options.postgresUrl, schema);
        }
      }
    }
  } finally {
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }

  const rows: ComparisonRow[] = [];
  const phase = (kind: 'sqlite' | 'postgres', name: string, processes: number) =>
    ingest[kind].find((r) => r.name === name && r.processes === processes);
  for (const name of [...new Set(ingest.sqlite.map((r) => r.name))]) {
    for (const processes of processCounts) {
      const [s, p] = [phase('sqlite', name, processes), phase('postgres', name, processes)];
      rows.push({
        figure: `ingest: ${name}, ${processes} process${processes === 1 ? '' : 'es'}`,
        unit: 'events/s',
        sqlite: s?.eventsPerSecond,
        postgres: p?.eventsPerSecond,
        note: [
          `p99 ${formatNumber(s?.p99Ms ?? Number.NaN)} / ${formatNumber(p?.p99Ms ?? Number.NaN)} ms`,
          `CPU of the machine, SQLite: ${cpuNote(s)}; PostgreSQL run: ${cpuNote(p)}`,
          ...(p?.lockWaits && processes > 1
            ? [
                `lock waits: ${p.lockWaits.samplesWithWaits} of ${p.lockWaits.samples} samples, at most ${p.lockWaits.maxWaiting} waiting${waitedFor(p)}`,
              ]
            : []),
          ...((s?.errors ?? 0) + (p?.errors ?? 0) > 0 ? [`errors ${s?.errors ?? 0} / ${p?.errors ?? 0}`] : []),
        ].join('; '),
      });
    }
  }
  if (options.only === 'query') return { rows, details: { ingest, lostEvents, ...(await queryPhases(options, rows)) } };
  const batch = (kind: 'sqlite' | 'postgres') => phase(kind, 'batches of 100, 100 organizations', 1)?.eventsPerSecond ?? Number.NaN;
  rows.push({
    figure: 'PostgreSQL / SQLite batch ingest, 1 process',
    unit: 'ratio',
    sqlite: undefined,
    postgres: batch('postgres') / batch('sqlite'),
    target: '≥ 0.5',
  });
  rows.push({
    figure: 'acknowledged events missing from the store',
    unit: 'events',
    sqlite: processCounts.reduce((sum, p) => sum + (lostEvents[`sqlite-p${p}`] ?? 0), 0),
    postgres: processCounts.reduce((sum, p) => sum + (lostEvents[`postgres-p${p}`] ?? 0), 0),
    target: '= 0',
  });

  const query = await queryPhases(options, rows);
  const { dataset, postgresDataset } = query;
  const sqliteExport = await runExportBench(dataset, { serverNodeArgs: [], log: options.log });
  const postgresExport = await postgresExportPhase(dataset, postgresDataset, options);
  const sqliteExportRate = sqliteExport.figures.find((f) => f.name.startsWith('the same export again'))?.value;
  rows.push({
    figure: `export scope=all, big organization (${dataset.bigOrgEvents.toLocaleString('en-US')} events), warm`,
    unit: 'rows/s',
    sqlite: sqliteExportRate,
    postgres: postgresExport.rowsPerSecond,
  });
  return { rows, details: { ingest, lostEvents, ...query, postgresExport } };
}

/** The query dataset on both stores (built or copied when missing) and the query phase on each; adds its rows. */
async function queryPhases(
  options: StoreComparisonOptions,
  rows: ComparisonRow[],
): Promise<{
  dataset: QueryDataset;
  postgresDataset: PostgresQueryDataset;
  postgresQuery: PostgresQueryResult;
  sqliteQuery: { store: QueryLevelSummary; http?: QueryLevelSummary };
}> {
  const dataset = await openOrBuildQueryDataset(options.dataDir, options.dataset, options.log);
  const postgresDataset = await openOrCopyPostgresDataset(options.dataDir, dataset, options.postgresUrl, options.log);
  if (postgresDataset.builtNow)
    rows.push({
      figure: `attest migrate's copy of the ${dataset.events.toLocaleString('en-US')}-event dataset (every table, without verify)`,
      unit: 'rows/s',
      sqlite: undefined,
      postgres: postgresDataset.copyRowsPerSecond,
      note: `${postgresDataset.copySeconds.toFixed(0)} s`,
    });
  options.log('query (SQLite): the query phase of `npm run bench`…');
  const sqliteQuery = await runQueryBench(dataset, {
    rounds: options.rounds,
    logIdLookups: options.logIdLookups,
    serverNodeArgs: [],
    log: options.log,
  });
  const postgresQuery = await postgresQueryPhase(dataset, postgresDataset, options);
  const sqliteHttp = sqliteQuery.details.http;
  const queryRow = (figure: string, s: number | undefined, p: number, target?: string): ComparisonRow => ({
    figure: `query (${dataset.events.toLocaleString('en-US')} events): ${figure}`,
    unit: 'ms',
    sqlite: s,
    postgres: p,
    ...(target ? { target } : {}),
  });
  rows.push(
    queryRow('store first page p95', sqliteQuery.details.store.firstPage.p95, postgresQuery.store.firstPage.p95),
    queryRow('store total p95', sqliteQuery.details.store.total.p95, postgresQuery.store.total.p95),
    queryRow('store next page p95', sqliteQuery.details.store.nextPage.p95, postgresQuery.store.nextPage.p95),
    queryRow('HTTP first page with total p95', sqliteHttp?.firstPage.p95, postgresQuery.http.firstPage.p95, '≤ 50 (PostgreSQL)'),
    queryRow('HTTP next page p95', sqliteHttp?.nextPage.p95, postgresQuery.http.nextPage.p95, '≤ 20 (PostgreSQL)'),
    queryRow('HTTP log-id lookup p95', sqliteHttp?.logId.p95, postgresQuery.http.logId.p95),
  );
  // What the HTTP path adds to the same reads (same cases, same run): the median, which a busy machine moves
  // less than the tail.
  const added = (http: number | undefined, store: number) => (http === undefined ? undefined : http - store);
  const sqliteStore = sqliteQuery.details.store;
  rows.push(
    {
      ...queryRow(
        'HTTP − store, next page p50',
        added(sqliteHttp?.nextPage.p50, sqliteStore.nextPage.p50),
        postgresQuery.http.nextPage.p50 - postgresQuery.store.nextPage.p50,
      ),
      note: 'what the HTTP path adds (credential, membership, view mark, head, HTTP itself)',
    },
    queryRow(
      'HTTP − store, log-id lookup p50',
      added(sqliteHttp?.logId.p50, sqliteStore.logId.p50),
      postgresQuery.http.logId.p50 - postgresQuery.store.logId.p50,
    ),
    {
      figure: `query (${dataset.events.toLocaleString('en-US')} events): server CPU per HTTP request`,
      unit: 'ms',
      sqlite: undefined,
      postgres: postgresQuery.serverCpuMsPerRequest,
      note: 'user + system time of the server process over the measured requests, divided by their number',
    },
  );

  return { dataset, postgresDataset, postgresQuery, sqliteQuery: { store: sqliteStore, ...(sqliteHttp ? { http: sqliteHttp } : {}) } };
}

/** `application_name` in the connection string: every connection of the servers carries it, so their lock waits can be told apart. */
function withApplicationName(url: string, applicationName: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}application_name=${applicationName}`;
}

/** What the sampled lock waits waited in, e.g. ` (transactionid: update "merkle_tree_heads" set … ×3)`. */
function waitedFor(result: IngestPhaseResult): string {
  const waits = result.lockWaits;
  if (!waits || waits.samplesWithWaits === 0) return '';
  const statements = Object.entries(waits.waitingStatements)
    .sort(([, a], [, b]) => b - a)
    .map(([statement, n]) => `${statement} ×${n}`);
  return ` (${Object.keys(waits.lockTypes).join(', ')}: ${statements.join(' / ')})`;
}

function cpuNote(result: IngestPhaseResult | undefined): string {
  if (!result) return '-';
  return Object.entries(result.cpu)
    .map(([group, share]) => `${group} ${(share * 100).toFixed(0)}%`)
    .join(', ');
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}

async function ingestPhases(
  kind: 'sqlite' | 'postgres',
  processes: number,
  databaseUrl: string,
  env: Record<string, string>,
  options: StoreComparisonOptions,
  postgres: { url: string; applicationName: string },
): Promise<{ phases: IngestPhaseResult[]; lost: number }> {
  const seed = await openStore(databaseUrl, undefined, { postgresSchema: env.ATTEST_POSTGRES_SCHEMA });
  const orgIds = await createBenchOrganizations(seed, INGEST_ORGS, 'Ingest Org');
  const [single] = await createBenchOrganizations(seed, 1, 'Single Org');
  const producerKey = await createBenchProducerKey(seed, ['UserManagement']);
  await seed.close();
  // Each process's load generator writes organizations of its own: between processes, no row lock is shared.
  const split = Array.from({ length: processes }, (_, i) => orgIds.filter((_id, j) => j % processes === i));
  const servers: ServerChild[] = [];
  const phases: IngestPhaseResult[] = [];
  try {
    for (let i = 0; i < processes; i += 1) servers.push(await startServerChild({ databaseUrl, env }));
    const run = async (name: string, eventsPerRequest: number, concurrency: number, orgsPerProcess: string[][]) => {
      options.log(`store comparison: ${kind}, ${processes} process(es): ${name}…`);
      const result = await runIngestPhase(
        servers,
        { name, eventsPerRequest, concurrency, orgsPerProcess },
        { producerKey, warmupMs: options.warmupMs, durationMs: options.durationMs, ...(kind === 'postgres' ? { postgres } : {}) },
      );
      // Printed as it is measured, so a run stopped later still leaves its ingest figures.
      options.log(`  ${JSON.stringify(result)}`);
      phases.push(result);
    };
    await run('batches of 100, 100 organizations', 100, options.batchConcurrency, split);
    await run(
      'batches of 100, one organization',
      100,
      options.batchConcurrency,
      servers.map(() => [single as string]),
    );
    await run('single events, 100 organizations', 1, options.singleConcurrency, split);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
  const store = await openStore(databaseUrl, undefined, { postgresSchema: env.ATTEST_POSTGRES_SCHEMA });
  try {
    const row = await store.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const acknowledged = phases.reduce((sum, p) => sum + p.acceptedEvents, 0);
    return { phases, lost: acknowledged - Number(row.n) };
  } finally {
    await store.close();
  }
}

/**
 * The query phase on the PostgreSQL copy: the same cases (same seed) as on SQLite, at the store level and over
 * HTTP. PostgreSQL's buffers are not emptied before (the shared server serves others): these are warm figures.
 */
async function postgresQueryPhase(
  dataset: QueryDataset,
  copy: PostgresQueryDataset,
  options: StoreComparisonOptions,
): Promise<PostgresQueryResult> {
  const random = seededRandom(42);
  const cases = queryCases(dataset, options.rounds, random);
  const store = await openStore(options.postgresUrl, undefined, { postgresSchema: copy.schema });
  let token: string;
  let storeSummary: QueryLevelSummary;
  let logIds: { orgId: string; logId: string }[];
  try {
    token = await createBenchOwnerToken(store);
    logIds = await sampleLogIds(store, dataset, options.logIdLookups, random);
    options.log(`query (PostgreSQL): store level, ${cases.length} cases and ${logIds.length} log-id lookups…`);
    await measureStoreQueries(store, cases.slice(0, WARMUP_CASES), [], PAGE_SIZE);
    storeSummary = summarizeQueryTimings(await measureStoreQueries(store, cases, logIds, PAGE_SIZE));
  } finally {
    await store.close();
  }
  const server = await startServerChild({ databaseUrl: options.postgresUrl, env: { ATTEST_POSTGRES_SCHEMA: copy.schema } });
  try {
    options.log(`query (PostgreSQL): HTTP, ${cases.length} cases…`);
    await measureHttpQueries(server.url, token, cases.slice(0, WARMUP_CASES), [], PAGE_SIZE);
    const cpuBefore = processCpuMs(server.pid) ?? Number.NaN;
    const http = summarizeQueryTimings(await measureHttpQueries(server.url, token, cases, logIds, PAGE_SIZE));
    const requests = http.firstPage.count + http.nextPage.count + http.logId.count;
    const serverCpuMsPerRequest = ((processCpuMs(server.pid) ?? Number.NaN) - cpuBefore) / requests;
    return { store: storeSummary, http, serverCpuMsPerRequest };
  } finally {
    await server.stop();
  }
}

/** The query phase on PostgreSQL: both levels, and the server's CPU time per measured HTTP request. */
interface PostgresQueryResult {
  store: QueryLevelSummary;
  http: QueryLevelSummary;
  serverCpuMsPerRequest: number;
}

/** The big organization's export (scope=all) from a server on the PostgreSQL copy, read and discarded. */
async function postgresExportPhase(
  dataset: QueryDataset,
  copy: PostgresQueryDataset,
  options: StoreComparisonOptions,
): Promise<{ rows: number; seconds: number; rowsPerSecond: number }> {
  const store = await openStore(options.postgresUrl, undefined, { postgresSchema: copy.schema });
  const token = await createBenchOwnerToken(store).finally(() => store.close());
  const server = await startServerChild({ databaseUrl: options.postgresUrl, env: { ATTEST_POSTGRES_SCHEMA: copy.schema } });
  try {
    options.log(`export (PostgreSQL): ${dataset.bigOrgEvents.toLocaleString('en-US')} events of the big organization, scope=all…`);
    const started = performance.now();
    const response = await httpGet(`${server.url}/api/v1/orgs/${dataset.bigOrgId}/audit-logs/export?scope=all`, {
      authorization: `Bearer ${token}`,
    });
    if (response.statusCode !== 200) throw new Error(`the PostgreSQL export answered ${response.statusCode}`);
    let lines = 0;
    for await (const chunk of response) {
      const buffer = chunk as Buffer;
      for (let i = buffer.indexOf(10); i !== -1; i = buffer.indexOf(10, i + 1)) lines += 1;
    }
    const seconds = (performance.now() - started) / 1000;
    const rows = Math.max(0, lines - 1);
    return { rows, seconds, rowsPerSecond: rows / seconds };
  } finally {
    await server.stop();
  }
}

/** The side-by-side table as Markdown, for the terminal and the README. */
export function formatComparisonTable(rows: readonly ComparisonRow[]): string {
  const cell = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '–' : formatNumber(value));
  return [
    '| figure | unit | SQLite | PostgreSQL | target | note |',
    '|---|---|---:|---:|---|---|',
    ...rows.map((r) => `| ${r.figure} | ${r.unit} | ${cell(r.sqlite)} | ${cell(r.postgres)} | ${r.target ?? ''} | ${r.note ?? ''} |`),
  ].join('\n');
}
