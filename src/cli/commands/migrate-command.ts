import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { DAY_MS, loadConfig } from '../../config.js';
import { AttestStore } from '../../store/attest-store.js';
import { migrationProvider } from '../../store/migrations/migration-list.js';
import { openPostgresStoreDialect } from '../../store/postgres/postgres-store-dialect.js';
import { openSqliteCopySource } from '../../store/sqlite/sqlite-copy-source.js';
import { copyStore, type CopyProgress } from '../../store/store-copy/store-copier.js';
import { COPIED_TABLES } from '../../store/store-copy/store-copy-plan.js';
import type { StoreCopySource } from '../../store/store-copy/store-copy-source.js';
import { StoreCopyTarget } from '../../store/store-copy/store-copy-target.js';
import { verifyStoreCopy, type CopyVerification } from '../../store/store-copy/store-copy-verifier.js';
import { CliError } from '../cli-store.js';

/** Exit codes of `attest migrate`: the copy verifies; it does not (or failed); bad usage. */
const EXIT_VERIFIED = 0;
const EXIT_PROBLEM = 1;
const EXIT_USAGE = 2;

/** 18 columns (the widest table) × 3000 rows stays below PostgreSQL's 65,535 bound parameters per statement. */
const MAX_BATCH = 3000;

interface MigrateOptions {
  from: string;
  to: string;
  batchSize: string;
}

/**
 * `attest migrate --from sqlite:PATH --to postgres://…` (PRODUCT.md §11): copies a SQLite store into PostgreSQL
 * (into `ATTEST_POSTGRES_SCHEMA` when set), then compares the two row by row. Exit 0 only when the copy
 * verifies, 1 when it does not or the copy failed, 2 for bad usage. Run it again after an interruption: it
 * goes on where it stopped.
 */
export function registerMigrateCommand(program: Command): void {
  const command = program
    .command('migrate')
    .description('copy a SQLite store into PostgreSQL (resumable), then verify the copy row by row; exit 0 only when it verifies')
    .requiredOption('--from <url>', 'the store to copy: sqlite:PATH (opened read only)')
    .requiredOption('--to <url>', 'the PostgreSQL to copy into: postgres://… (schema: ATTEST_POSTGRES_SCHEMA, default public)')
    .option('--batch-size <rows>', `rows per statement, 1–${MAX_BATCH}`, '1000')
    // Commander's own usage errors (a missing option, an unknown one) exit 2 like ours, not 1.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE));
  command.action(async (options: MigrateOptions) => {
    const usage = (message: string): never => command.error(`attest migrate: ${message}`, { exitCode: EXIT_USAGE });
    if (!options.from.startsWith('sqlite:') || options.from.length === 'sqlite:'.length) usage('--from must be sqlite:PATH');
    if (!/^postgres(ql)?:\/\//.test(options.to)) usage('--to must be a postgres://… URL');
    const batchSize = Number(options.batchSize);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH)
      usage(`--batch-size must be an integer from 1 to ${MAX_BATCH}`);
    const path = options.from.slice('sqlite:'.length);
    if (!existsSync(path)) usage(`--from: no SQLite store at ${path}`);
    const result = await migrate(path, options.to, batchSize);
    process.stdout.write(describe(result));
    process.exit(result.ok ? EXIT_VERIFIED : EXIT_PROBLEM);
  });
}

async function migrate(path: string, targetUrl: string, batchSize: number): Promise<CopyVerification> {
  const source = openSqliteCopySource(path);
  try {
    await requireCurrentSchema(source, path);
    const target = await AttestStore.open(openPostgresStoreDialect({ connectionString: targetUrl, schema: loadConfig().postgresSchema }));
    try {
      const copyTarget = new StoreCopyTarget(target.db);
      const total = COPIED_TABLES.reduce((sum, table) => sum + source.count(table), 0);
      // The weeks the source's events fall in get their partitions before the copy, so its rows go straight
      // into them instead of into the default partition (from where only a server's start would move them).
      const daysBack = daysBackTo(source.oldestEventMs());
      await target.maintainEventPartitions(daysBack);
      await withProgressBar('copying', total, (progress) => copyStore(source, copyTarget, { batchSize, progress }));
      // Events beyond the weeks made ahead (a clock far in the future) landed in the default partition: moved out now.
      await target.maintainEventPartitions(daysBack);
      await copyTarget.refreshStatistics();
      return await withProgressBar('verifying', total, (progress) => verifyStoreCopy(source, copyTarget, { batchSize, progress }));
    } finally {
      await target.close();
    }
  } finally {
    source.close();
  }
}

/** Whole days from `oldestMs` to now, one more to cover the part day: the retention window that keeps it. */
function daysBackTo(oldestMs: number | undefined): number | undefined {
  return oldestMs === undefined ? undefined : Math.max(0, Math.ceil((Date.now() - oldestMs) / DAY_MS)) + 1;
}

/** The source is only read, so it cannot be migrated here: its tables must already be those this version copies. */
async function requireCurrentSchema(source: StoreCopySource, path: string): Promise<void> {
  const expected = Object.keys(await migrationProvider.getMigrations()).sort();
  const present = source.tableNames().includes('kysely_migration') ? source.migrationNames() : [];
  const missing = expected.filter((name) => !present.includes(name));
  const unknown = present.filter((name) => !expected.includes(name));
  if (unknown.length > 0)
    throw new CliError(`${path} was written by a newer Attest (migration ${unknown.join(', ')}): migrate with that version`);
  if (missing.length > 0)
    throw new CliError(
      `${path} lacks migration ${missing.join(', ')}: start this version of Attest on it once (ATTEST_DATABASE_URL=sqlite:${path}), stop it, then migrate`,
    );
}

/** Runs `work` with a progress bar on stderr: drawn in a terminal, a line every few seconds otherwise. */
async function withProgressBar<T>(phase: string, total: number, work: (progress: CopyProgress) => Promise<T>): Promise<T> {
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: `${phase} [{bar}] {percentage}% | {value}/{total} rows | {table} | ETA {eta_formatted}`,
      noTTYOutput: true,
      notTTYSchedule: 5000,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { table: '' });
  try {
    return await work((table, rows) => bar.increment(rows, { table }));
  } finally {
    bar.stop();
  }
}

function describe(result: CopyVerification): string {
  if (result.ok)
    return `verified: the target holds the source's ${result.rowsCompared} rows, the logs of ${result.organizations} organizations (${result.events} events) with their leaf hashes, Merkle trees and checkpoints\n`;
  const more =
    result.differenceCount > result.differences.length ? `\n… and ${result.differenceCount - result.differences.length} more` : '';
  return `NOT VERIFIED: ${result.differenceCount} difference${result.differenceCount === 1 ? '' : 's'} between the source and the target:\n${result.differences.join('\n')}${more}\n`;
}
