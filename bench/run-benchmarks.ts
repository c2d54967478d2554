import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { resolveBenchSizes, type BenchPart, type BenchSizes } from './bench-sizes.js';
import { runBulkImportBenchIfPresent } from './bulk-import-hook.js';
import { openOrBuildQueryDataset, type QueryDataset } from './dataset/query-dataset.js';
import { runBundleVerifyBench, type BundleBenchResult } from './bundle/bundle-verify-bench.js';
import { runExportBench, type ExportBenchResult } from './export/export-bench.js';
import { runIngestBench, type IngestBenchResult } from './ingest/ingest-bench.js';
import { runLiveFeedBench, type LiveFeedBenchResult } from './live-feed/live-feed-bench.js';
import { runIntegrityBench, type IntegrityBenchResult } from './integrity/integrity-bench.js';
import { formatProfileSummary, summarizeCpuProfile } from './profile/summarize-cpu-profile.js';
import { formatScenarioTable, runQueryBench, type QueryBenchResult } from './query/query-bench.js';
import { runSoakBench } from './soak/soak-bench.js';
import type { BenchFigure } from './report/bench-figure.js';
import { formatFigureTable, writeResultsJson } from './report/results-report.js';
import { closeHttpClient } from './server/http-client.js';
import { runStreamsBench, type StreamsBenchResult } from './streams/streams-bench.js';
import { formatComparisonTable, runStoreComparison } from './postgres/store-comparison-bench.js';

// dist/bench/run-benchmarks.js → the repository root, so paths do not depend on the working directory.
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DATA_DIR = join(REPO_ROOT, 'bench', '.data');
const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

/** Everything measured, for the JSON report. */
interface RunDetails {
  ingest?: IngestBenchResult['details'];
  dataset?: QueryDataset;
  query?: QueryBenchResult['details'];
  export?: ExportBenchResult['details'];
  bulkImport?: unknown;
  streams?: StreamsBenchResult['details'];
  bundle?: BundleBenchResult['details'];
  liveFeed?: LiveFeedBenchResult['details'];
  integrity?: IntegrityBenchResult['details'];
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function machine(): Record<string, unknown> {
  return {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    totalMemMb: Math.round(totalmem() / 1_048_576),
    freeMemMb: Math.round(freemem() / 1_048_576),
    loadAverage: loadavg(),
  };
}

function profileArgs(sizes: BenchSizes, startedAt: Date, part: BenchPart): string[] {
  if (!sizes.profile) return [];
  return ['--cpu-prof', `--cpu-prof-dir=${join(RESULTS_DIR, `profiles-${startedAt.toISOString().replaceAll(':', '-')}`, part)}`];
}

function printProfiles(sizes: BenchSizes, startedAt: Date): Record<string, unknown> {
  const summaries: Record<string, unknown> = {};
  if (!sizes.profile) return summaries;
  const root = join(RESULTS_DIR, `profiles-${startedAt.toISOString().replaceAll(':', '-')}`);
  for (const part of ['ingest', 'streams', 'query', 'export', 'integrity'] as const) {
    const dir = join(root, part);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
      const summary = summarizeCpuProfile(join(dir, file));
      summaries[`${part}/${file}`] = summary;
      process.stdout.write(`\n${formatProfileSummary(`server CPU profile, ${part} (${join(dir, file)})`, summary)}\n`);
    }
  }
  return summaries;
}

/** `npm run bench`: ingest, query and export figures, printed as a table and saved as JSON. */
async function main(): Promise<void> {
  const program: Command = new Command()
    .name('run-benchmarks')
    .description("Attest benchmarks: ingest over HTTP, queries and export at scale. Reports the issue's targets; asserts nothing.")
    .option('--quick', 'small sizes for a 1–2 minute run', false)
    .option('--events <n>', 'events in the query/export dataset (default 10,000,000; 200,000 with --quick)')
    .option('--big-org-share <share>', 'share of the dataset in the one big organization', '0.5')
    .option('--small-orgs <n>', 'organizations sharing the rest of the dataset', '100')
    .addOption(
      new Option('--only <part>', 'run one part only').choices([
        'ingest',
        'query',
        'export',
        'streams',
        'live-feed',
        'integrity',
        'bundle',
      ]),
    )
    .option('--duration <seconds>', 'measured seconds of each ingest phase (default 20; 5 with --quick)')
    .option('--batch-concurrency <n>', 'requests in flight with batches of 100', '16')
    .option('--single-concurrency <n>', 'requests in flight with single events', '32')
    .option('--raw-events <n>', 'events of the raw store limit (default 500,000; 50,000 with --quick)')
    .option('--rounds <n>', 'ranges per query scenario, window and organization (default 5; 2 with --quick)')
    .option('--bundle-events <n>', 'records of the bundle that attest verify checks (default 1,000,000; 100,000 with --quick)')
    .option(
      '--proof-leaves <n>',
      'leaves of the synthetic tree inclusion proofs are timed on (default 10,000,000; 1,000,000 with --quick; 0: none)',
    )
    .option('--profile', 'run the server children with --cpu-prof and print where their time went', false)
    .option('--keep', 'keep the ingest databases under bench/.data', false)
    .option(
      '--soak <duration>',
      'run only the soak benchmark for this long, e.g. 30m, 3m or 90s: mixed load at half of peak, RSS and p99 each minute',
    )
    .option('--soak-sample <seconds>', 'seconds between soak samples', '60')
    .addOption(
      new Option(
        '--store <kind>',
        'postgres: the same phases on SQLite and on PostgreSQL (ATTEST_BENCH_POSTGRES_URL), side by side; with --only query, only the query phase on both; with --only live-feed, that phase on PostgreSQL',
      )
        .choices(['sqlite', 'postgres'])
        .default('sqlite'),
    )
    .option('--processes <n>', 'with --store postgres: server processes sharing the store in the multi-process phases', '2')
    .parse();
  const soak = program.opts<{ soak?: string; soakSample: string }>();
  if (soak.soak !== undefined) {
    await runSoak(parseDuration(soak.soak), Number(soak.soakSample) * 1000);
    return;
  }
  let sizes: BenchSizes;
  try {
    sizes = resolveBenchSizes(program.opts());
  } catch (error) {
    program.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  }
  const startedAt = new Date();
  log(`bench: ${JSON.stringify(sizes)}`);
  const { store, processes } = program.opts<{ store: 'sqlite' | 'postgres'; processes: string }>();
  // The live feed across processes is a phase of its own on either store (bench/live-feed/), not part of the comparison.
  if (store === 'postgres' && sizes.only !== 'live-feed') {
    if (!/^[1-8]$/.test(processes)) program.error('error: --processes must be an integer from 1 to 8');
    if (sizes.only !== undefined && sizes.only !== 'query') program.error('error: with --store postgres, --only takes query or live-feed');
    await runPostgresComparison(sizes, Number(processes), startedAt);
    return;
  }

  const figures: BenchFigure[] = [];
  const details: RunDetails = {};
  const runs = (part: BenchPart) => sizes.only === undefined || sizes.only === part;
  mkdirSync(DATA_DIR, { recursive: true });

  if (runs('ingest')) {
    const ingest = await runIngestBench({
      ...sizes.ingest,
      dataDir: DATA_DIR,
      serverNodeArgs: profileArgs(sizes, startedAt, 'ingest'),
      keepFiles: sizes.keep,
      log,
    });
    figures.push(...ingest.figures);
    details.ingest = ingest.details;
  }
  if (runs('streams')) {
    const streams = await runStreamsBench({
      ...sizes.ingest,
      dataDir: DATA_DIR,
      serverNodeArgs: profileArgs(sizes, startedAt, 'streams'),
      keepFiles: sizes.keep,
      log,
    });
    figures.push(...streams.figures);
    details.streams = streams.details;
  }
  if (runs('live-feed')) {
    const liveFeed = await runLiveFeedBench({ store: sizes.store, ...sizes.liveFeed, dataDir: DATA_DIR, log });
    figures.push(...liveFeed.figures);
    details.liveFeed = liveFeed.details;
  }
  let dataset: QueryDataset | undefined;
  if (runs('query') || runs('export') || runs('integrity')) {
    dataset = await openOrBuildQueryDataset(DATA_DIR, sizes.dataset, log);
    figures.push({
      section: 'dataset',
      name: `load ${dataset.events.toLocaleString('en-US')} events (appendEvents, 10,000/tx)`,
      value: dataset.loadEventsPerSecond,
      unit: 'events/s',
      note: dataset.builtNow ? `${dataset.loadSeconds.toFixed(0)} s` : `cached, built ${new Date(dataset.anchorMs).toISOString()}`,
    });
    details.dataset = dataset;
  }
  if (dataset && runs('query')) {
    const query = await runQueryBench(dataset, { ...sizes.query, serverNodeArgs: profileArgs(sizes, startedAt, 'query'), log });
    figures.push(...query.figures);
    details.query = query.details;
  }
  if (dataset && runs('export')) {
    const exported = await runExportBench(dataset, { serverNodeArgs: profileArgs(sizes, startedAt, 'export'), log });
    figures.push(...exported.figures);
    details.export = exported.details;
  }
  if (dataset && runs('integrity')) {
    const integrity = await runIntegrityBench(dataset, {
      ...sizes.ingest,
      ...sizes.integrity,
      dataDir: DATA_DIR,
      serverNodeArgs: profileArgs(sizes, startedAt, 'integrity'),
      keepFiles: sizes.keep,
      log,
    });
    figures.push(...integrity.figures);
    details.integrity = integrity.details;
  }
  if (runs('bundle')) {
    const bundle = await runBundleVerifyBench({ dataDir: DATA_DIR, events: sizes.bundle.events, keepFiles: sizes.keep, log });
    figures.push(...bundle.figures);
    details.bundle = bundle.details;
  }
  if (sizes.only === undefined) {
    const bulk = await runBulkImportBenchIfPresent({ quick: sizes.quick, dataDir: DATA_DIR, log });
    figures.push(...bulk.figures);
    details.bulkImport = bulk.details;
  }
  closeHttpClient();

  process.stdout.write(`\n${formatFigureTable(figures)}\n`);
  if (details.query) process.stdout.write(`\n${formatScenarioTable(details.query)}\n`);
  const profiles = printProfiles(sizes, startedAt);
  const path = writeResultsJson(RESULTS_DIR, startedAt, {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    argv: process.argv.slice(2),
    sizes,
    machine: machine(),
    figures,
    details,
    profiles,
  });
  process.stdout.write(`\nresults: ${path}\n`);
}

/** `npm run bench -- --store postgres`: SQLite and PostgreSQL side by side, one table (bench/README.md). */
async function runPostgresComparison(sizes: BenchSizes, processes: number, startedAt: Date): Promise<void> {
  mkdirSync(DATA_DIR, { recursive: true });
  const comparison = await runStoreComparison({
    dataDir: DATA_DIR,
    postgresUrl: process.env.ATTEST_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    processes,
    ...sizes.ingest,
    dataset: sizes.dataset,
    rounds: sizes.query.rounds,
    logIdLookups: sizes.query.logIdLookups,
    keep: sizes.keep,
    ...(sizes.only === 'query' ? { only: 'query' as const } : {}),
    log,
  });
  closeHttpClient();
  process.stdout.write(`\n${formatComparisonTable(comparison.rows)}\n`);
  const path = writeResultsJson(RESULTS_DIR, startedAt, {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    argv: process.argv.slice(2),
    sizes,
    machine: machine(),
    comparison,
  });
  process.stdout.write(`\nresults: ${path}\n`);
}

/** `30m`, `3m`, `90s`, `1h` in milliseconds. */
function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(text.trim());
  if (!match) throw new Error(`--soak takes a duration such as 30m, 3m or 90s, not "${text}"`);
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
}

/** `npm run bench -- --soak 30m`: prints a sample line each minute, then the summary; fails on any error. */
async function runSoak(durationMs: number, sampleEveryMs: number): Promise<void> {
  const startedAt = new Date();
  mkdirSync(DATA_DIR, { recursive: true });
  const result = await runSoakBench({ dataDir: DATA_DIR, durationMs, sampleEveryMs, log });
  const rss = result.samples.map((s) => s.rssMb);
  process.stdout.write(
    `\nsoak: ${(durationMs / 60_000).toFixed(1)} min at ${Math.round(result.targetEventsPerSecond)} events/s (half of the measured peak, ${Math.round(result.peakEventsPerSecond)} events/s)\n` +
      `  RSS ${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} MB; after the first sample (warm-up) it grew ${result.rssGrowthAfterWarmupMb.toFixed(1)} MB\n` +
      `  worst p99: ingest ${Math.max(...result.samples.map((s) => s.ingestP99Ms)).toFixed(1)} ms, query ${Math.max(...result.samples.map((s) => s.queryP99Ms)).toFixed(1)} ms\n` +
      `  errors: ${result.errors}${result.firstErrors.length ? ` (first: ${result.firstErrors.join('; ')})` : ''}\n`,
  );
  const path = writeResultsJson(RESULTS_DIR, startedAt, {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    argv: process.argv.slice(2),
    machine: machine(),
    soak: result,
  });
  process.stdout.write(`results: ${path}\n`);
  if (result.errors > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
