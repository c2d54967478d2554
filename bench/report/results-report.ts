import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatNumber, type BenchFigure } from './bench-figure.js';

function verdict(figure: BenchFigure): string {
  if (figure.met === undefined) return '';
  return figure.met ? 'met' : 'MISSED';
}

/** The figures as a plain-text table for the terminal, one row per figure, notes in the last column. */
export function formatFigureTable(figures: readonly BenchFigure[]): string {
  const header = ['section', 'figure', 'value', 'unit', 'target', 'verdict', 'note'];
  const rows = figures.map((f) => [f.section, f.name, formatNumber(f.value), f.unit, f.target ?? '', verdict(f), f.note ?? '']);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
  // The note column is not padded: it is last and may be long.
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : column === 2 ? cell.padStart(widths[column] as number) : cell.padEnd(widths[column] as number),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((w, column) => '-'.repeat(column === widths.length - 1 ? Math.min(w, 40) : w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Writes the whole run (options, machine, figures, details) as `bench/results/<timestamp>.json`; returns the path. */
export function writeResultsJson(resultsDir: string, startedAt: Date, report: Record<string, unknown>): string {
  mkdirSync(resultsDir, { recursive: true });
  const path = join(resultsDir, `${startedAt.toISOString().replaceAll(':', '-')}.json`);
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}
