import { describe, expect, it } from 'vitest';
import { resolveBenchSizes, type BenchCliOptions } from '../../bench/bench-sizes.js';

const defaults: BenchCliOptions = {
  quick: false,
  bigOrgShare: '0.5',
  smallOrgs: '100',
  batchConcurrency: '16',
  singleConcurrency: '32',
  profile: false,
  keep: false,
};

describe('resolveBenchSizes', () => {
  it('uses the issue sizes by default: 10 million events, half in one organization, 100 others', () => {
    const sizes = resolveBenchSizes(defaults);
    expect(sizes.dataset).toEqual({ events: 10_000_000, bigOrgShare: 0.5, smallOrgs: 100 });
    expect(sizes.ingest.durationMs).toBe(20_000);
  });

  it('shrinks every default with --quick, while explicit options still win', () => {
    const quick = resolveBenchSizes({ ...defaults, quick: true });
    expect(quick.dataset.events).toBe(200_000);
    expect(quick.ingest.durationMs).toBe(5_000);
    expect(quick.ingest.rawEvents).toBe(50_000);
    expect(resolveBenchSizes({ ...defaults, quick: true, events: '2_000_000' }).dataset.events).toBe(2_000_000);
  });

  it('names the flag and the value it refuses', () => {
    expect(() => resolveBenchSizes({ ...defaults, events: 'many' })).toThrow('--events must be an integer of at least 1 (got "many")');
    expect(() => resolveBenchSizes({ ...defaults, bigOrgShare: '1.5' })).toThrow('--big-org-share must be between 0 and 1');
    expect(() => resolveBenchSizes({ ...defaults, batchConcurrency: '0' })).toThrow('--batch-concurrency');
  });
});
