import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchFigure } from './report/bench-figure.js';

/** What the bulk import benchmark contributed to the run, or why it did not. */
export interface BulkImportOutcome {
  figures: BenchFigure[];
  details: unknown;
}

// Built from bench/bulk-import-bench.ts, which the User Management side owns; it may not exist yet.
const BULK_IMPORT_JS = new URL('./bulk-import-bench.js', import.meta.url);

function isFigureLike(value: unknown): value is Omit<BenchFigure, 'section'> & { section?: string } {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.name === 'string' && typeof candidate.value === 'number' && typeof candidate.unit === 'string';
}

/**
 * Runs `bench/bulk-import-bench.ts` when it has been built and exports a function (preferably
 * `runBulkImportBench(options)`); figures it returns (`{ name, value, unit, target?, met?, note? }`, alone or
 * in an array or under `figures`) join the table, anything else goes to the JSON report as is.
 */
export async function runBulkImportBenchIfPresent(options: {
  quick: boolean;
  dataDir: string;
  log: (line: string) => void;
}): Promise<BulkImportOutcome> {
  if (!existsSync(fileURLToPath(BULK_IMPORT_JS)))
    return { figures: [], details: { skipped: 'bench/bulk-import-bench.ts does not exist (yet)' } };
  const module = (await import(BULK_IMPORT_JS.href)) as Record<string, unknown>;
  const exported = module.runBulkImportBench ?? module.default ?? Object.values(module).find((value) => typeof value === 'function');
  if (typeof exported !== 'function') return { figures: [], details: { skipped: 'bench/bulk-import-bench.ts exports no function' } };
  options.log('bulk import: running bench/bulk-import-bench…');
  const result: unknown = await (exported as (options: unknown) => unknown)(options);
  const candidates: unknown[] = Array.isArray(result)
    ? result
    : typeof result === 'object' && result !== null && Array.isArray((result as { figures?: unknown }).figures)
      ? (result as { figures: unknown[] }).figures
      : [result];
  const figures = candidates.filter(isFigureLike).map((f): BenchFigure => ({ ...f, section: 'bulk-import' }));
  return { figures, details: result };
}
