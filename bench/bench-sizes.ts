import type { QueryDatasetShape } from './dataset/query-dataset.js';

/** The parts `--only` can pick. */
export type BenchPart = 'ingest' | 'query' | 'export' | 'streams' | 'live-feed' | 'integrity' | 'bundle';

/** The command-line options as commander hands them over (strings until resolved). */
export interface BenchCliOptions {
  quick: boolean;
  events?: string;
  bigOrgShare: string;
  smallOrgs: string;
  only?: BenchPart;
  store?: 'sqlite' | 'postgres';
  duration?: string;
  batchConcurrency: string;
  singleConcurrency: string;
  rawEvents?: string;
  rounds?: string;
  bundleEvents?: string;
  proofLeaves?: string;
  profile: boolean;
  keep: boolean;
}

/** Every size of a run, resolved from the options and the `--quick` defaults. */
export interface BenchSizes {
  quick: boolean;
  only: BenchPart | undefined;
  /** The store of the phases that run on either (`--store`; so far the live feed across processes). */
  store: 'sqlite' | 'postgres';
  profile: boolean;
  keep: boolean;
  dataset: QueryDatasetShape;
  ingest: { warmupMs: number; durationMs: number; batchConcurrency: number; singleConcurrency: number; orgs: number; rawEvents: number };
  query: { rounds: number; logIdLookups: number };
  /** Records of the verifiable export bundle that `attest verify` checks. */
  bundle: { events: number };
  liveFeed: { events: number; ratePerSecond: number };
  /** `proofLeaves`: leaves of the synthetic tree the proof lookups at the size are timed on (0: none). */
  integrity: { proofLookups: number; proofLeaves: number };
}

function parseNumber(name: string, raw: string | undefined, fallback: number, { min, integer }: { min: number; integer: boolean }): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.replaceAll('_', '').replaceAll(',', ''));
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} of at least ${min} (got "${raw}")`);
  }
  return value;
}

/**
 * Resolves the sizes of a run. `--quick` shrinks every default so the whole run takes a minute or two; an
 * explicit option always wins.
 *
 * @example
 * resolveBenchSizes({ quick: true, bigOrgShare: '0.5', smallOrgs: '100', ... }).dataset.events; // 200000
 */
export function resolveBenchSizes(options: BenchCliOptions): BenchSizes {
  const quick = options.quick;
  const int = (name: string, raw: string | undefined, full: number, small: number, min = 1) =>
    parseNumber(name, raw, quick ? small : full, { min, integer: true });
  const share = parseNumber('big-org-share', options.bigOrgShare, 0.5, { min: 0, integer: false });
  if (share > 1) throw new Error(`--big-org-share must be between 0 and 1 (got "${options.bigOrgShare}")`);
  return {
    quick,
    only: options.only,
    store: options.store ?? 'sqlite',
    profile: options.profile,
    keep: options.keep,
    dataset: {
      events: int('events', options.events, 10_000_000, 200_000),
      bigOrgShare: share,
      smallOrgs: int('small-orgs', options.smallOrgs, 100, 100, 0),
    },
    ingest: {
      warmupMs: quick ? 1000 : 3000,
      durationMs: int('duration', options.duration, 20, 5) * 1000,
      batchConcurrency: int('batch-concurrency', options.batchConcurrency, 16, 16),
      singleConcurrency: int('single-concurrency', options.singleConcurrency, 32, 32),
      orgs: 10,
      rawEvents: int('raw-events', options.rawEvents, 500_000, 50_000),
    },
    query: { rounds: int('rounds', options.rounds, 5, 2), logIdLookups: quick ? 100 : 500 },
    bundle: { events: int('bundle-events', options.bundleEvents, 1_000_000, 100_000) },
    liveFeed: { events: quick ? 200 : 1000, ratePerSecond: 40 },
    integrity: { proofLookups: quick ? 500 : 2000, proofLeaves: int('proof-leaves', options.proofLeaves, 10_000_000, 1_000_000, 0) },
  };
}
