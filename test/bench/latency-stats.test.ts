import { describe, expect, it } from 'vitest';
import { summarizeLatencies } from '../../bench/report/latency-stats.js';

describe('summarizeLatencies', () => {
  it('takes nearest-rank percentiles, which are always measured values', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted on purpose
    expect(summarizeLatencies(samples)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100, mean: 50.5 });
  });

  it('lets one slow sample in twenty decide p99 but not p95', () => {
    const samples = [...Array.from({ length: 19 }, () => 1), 40];
    const summary = summarizeLatencies(samples);
    expect(summary.p95).toBe(1);
    expect(summary.p99).toBe(40);
  });

  it('reports NaN, not zero, when nothing was measured', () => {
    const summary = summarizeLatencies([]);
    expect(summary.count).toBe(0);
    expect(summary.p95).toBeNaN();
  });
});
