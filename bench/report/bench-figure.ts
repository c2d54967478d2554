/** The part of the benchmark a figure belongs to. */
export type BenchSection = 'dataset' | 'ingest' | 'query' | 'export' | 'bulk-import' | 'streams' | 'live-feed' | 'integrity' | 'bundle';

/**
 * One measured figure of a benchmark run: what it is, its value and the target the issue sets for it. The
 * benchmark reports targets, it does not assert them; `met` is absent when a figure has no target.
 *
 * @example
 * { section: 'ingest', name: 'HTTP batches of 100', value: 61234, unit: 'events/s', target: '≥ 50000', met: true }
 */
export interface BenchFigure {
  section: BenchSection;
  name: string;
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
  note?: string;
}

/** A figure with an "at least" target. */
export function atLeast(figure: Omit<BenchFigure, 'target' | 'met'>, target: number): BenchFigure {
  return { ...figure, target: `≥ ${formatNumber(target)}`, met: figure.value >= target };
}

/** A figure with an "at most" target. */
export function atMost(figure: Omit<BenchFigure, 'target' | 'met'>, target: number): BenchFigure {
  return { ...figure, target: `≤ ${formatNumber(target)}`, met: figure.value <= target };
}

/** A number as the table shows it: integers with thousands separators, small values with two decimals. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) || Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(2);
}
