import { openStore } from '../../src/store/open-store.js';
import type { QueryDataset } from '../dataset/query-dataset.js';
import { createBenchOwnerToken } from '../dataset/seed-tenancy.js';
import { atLeast, atMost, type BenchFigure } from '../report/bench-figure.js';
import { httpGet } from '../server/http-client.js';
import { startServerChild } from '../server/server-child.js';

const RSS_SAMPLE_INTERVAL_MS = 50;
const NEWLINE = 0x0a;

/** Options of the export benchmark. */
export interface ExportBenchOptions {
  serverNodeArgs: string[];
  log: (line: string) => void;
}

/** What one export measured. */
export interface ExportMeasurement {
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  /** Server RSS just before the export started. */
  baselineRssMb: number;
  /** Highest VmRSS sampled during the export. */
  peakSampledRssMb: number;
  /** VmHWM after the export: the server's peak since it started (a fresh process per export). */
  peakRssMb: number;
}

/** Figures plus the raw measurement, or why the export was skipped. */
export interface ExportBenchResult {
  figures: BenchFigure[];
  details: ExportMeasurement | { skipped: string };
}

/**
 * Exports the big organization (`GET …/audit-logs/export?scope=all`, streamed CSV) from a freshly started
 * server child, reading and discarding the stream, while sampling the server's RSS from `/proc/<pid>/status`.
 * Rows are the CSV's newline-terminated records minus the header (the synthetic data has no line breaks inside
 * fields).
 */
export async function runExportBench(dataset: QueryDataset, options: ExportBenchOptions): Promise<ExportBenchResult> {
  const databaseUrl = `sqlite:${dataset.path}`;
  const store = await openStore(databaseUrl);
  const token = await createBenchOwnerToken(store).finally(() => store.close());
  const server = await startServerChild({ databaseUrl, nodeArgs: options.serverNodeArgs });
  try {
    const baselineRssMb = server.memory().rssMb;
    let peakSampledRssMb = baselineRssMb;
    const sampler = setInterval(() => {
      peakSampledRssMb = Math.max(peakSampledRssMb, server.memory().rssMb);
    }, RSS_SAMPLE_INTERVAL_MS);
    options.log(`export: ${dataset.bigOrgEvents.toLocaleString('en-US')} events of the big organization, scope=all…`);
    const started = performance.now();
    let bytes = 0;
    let lines = 0;
    let status = 0;
    let failure = '';
    try {
      const response = await httpGet(`${server.url}/api/v1/orgs/${dataset.bigOrgId}/audit-logs/export?scope=all`, { authorization: `Bearer ${token}` });
      status = response.statusCode ?? 0;
      for await (const chunk of response) {
        const buffer = chunk as Buffer;
        bytes += buffer.length;
        if (status !== 200) failure += buffer.toString('utf8');
        else for (let i = buffer.indexOf(NEWLINE); i !== -1; i = buffer.indexOf(NEWLINE, i + 1)) lines += 1;
      }
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - started) / 1000;
    if (status !== 200) {
      const reason = `GET …/audit-logs/export?scope=all answered ${status}: ${failure.slice(0, 200)}`;
      options.log(`export: skipped — ${reason}`);
      return { figures: [], details: { skipped: reason } };
    }
    const memory = server.memory();
    const rows = Math.max(0, lines - 1);
    const measurement: ExportMeasurement = { rows, bytes, seconds, rowsPerSecond: rows / seconds, baselineRssMb, peakSampledRssMb: Math.max(peakSampledRssMb, memory.rssMb), peakRssMb: memory.peakRssMb };
    return {
      figures: [
        atLeast({ section: 'export', name: 'export scope=all (big organization)', value: measurement.rowsPerSecond, unit: 'rows/s', note: `${rows.toLocaleString('en-US')} rows, ${(bytes / 1_048_576).toFixed(0)} MiB in ${seconds.toFixed(1)} s` }, 150_000),
        atMost({ section: 'export', name: 'server peak RSS during export (VmHWM)', value: measurement.peakRssMb, unit: 'MB', note: `baseline ${baselineRssMb.toFixed(0)} MB, highest sampled ${measurement.peakSampledRssMb.toFixed(0)} MB` }, 250),
      ],
      details: measurement,
    };
  } finally {
    await server.stop();
  }
}
