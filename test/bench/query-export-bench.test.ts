import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openOrBuildQueryDataset, type QueryDataset } from '../../bench/dataset/query-dataset.js';
import { runExportBench } from '../../bench/export/export-bench.js';
import { runQueryBench } from '../../bench/query/query-bench.js';
import { closeHttpClient } from '../../bench/server/http-client.js';
import { openStore } from '../../src/store/open-store.js';

// The HTTP parts run the real server as a child process (dist/src/main.js): `npm run build` first.
const dataDir = mkdtempSync(join(tmpdir(), 'attest-query-bench-'));
afterAll(() => {
  closeHttpClient();
  rmSync(dataDir, { recursive: true, force: true });
});
const shape = { events: 3000, bigOrgShare: 0.5, smallOrgs: 3 };
const log = () => undefined;

async function countEvents(dataset: QueryDataset, orgId: string): Promise<number> {
  const store = await openStore(`sqlite:${dataset.path}`);
  try {
    const row = await store.db
      .selectFrom('audit_events')
      .where('org_id', '=', orgId)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  } finally {
    await store.close();
  }
}

describe('query dataset, query and export benchmarks', () => {
  let dataset: QueryDataset;

  it('builds the dataset once through appendEvents and reuses the cached file on the next run', async () => {
    dataset = await openOrBuildQueryDataset(dataDir, shape, log);
    expect(dataset.builtNow).toBe(true);
    expect(dataset.smallOrgIds).toHaveLength(3);
    expect(await countEvents(dataset, dataset.bigOrgId)).toBe(dataset.bigOrgEvents);
    expect(dataset.bigOrgEvents).toBeGreaterThan(1200);
    expect(dataset.bigOrgEvents).toBeLessThan(1800);

    const again = await openOrBuildQueryDataset(dataDir, shape, log);
    expect(again.builtNow).toBe(false);
    expect(again.path).toBe(dataset.path);
    const otherShape = await openOrBuildQueryDataset(dataDir, { ...shape, smallOrgs: 2 }, log);
    expect(otherShape.builtNow).toBe(true);
    dataset = otherShape;
  });

  it('times first page, total, next page and log-id lookups at store level and over HTTP', async () => {
    const result = await runQueryBench(dataset, { rounds: 1, logIdLookups: 20, serverNodeArgs: [], log });
    expect(result.details.store.firstPage.count).toBe(result.details.cases);
    expect(result.details.store.total.count).toBe(result.details.cases);
    expect(result.details.store.logId.count).toBe(20);
    expect(result.details.store.nextPage.count).toBeGreaterThan(0);
    expect(result.details.httpSkipped).toBeUndefined();
    expect(result.details.http?.firstPage.count).toBe(result.details.cases);
    expect(result.details.http?.logId.count).toBe(20);
    const names = result.figures.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining(['first page p95 (store level)', 'total p95 (store level)', 'HTTP next page p95', 'HTTP log-id lookup p95']),
    );
    for (const figure of result.figures) expect(Number.isFinite(figure.value)).toBe(true);
  });

  it('exports the big organization twice, cold then warm, from a fresh server child and reads its peak RSS', async () => {
    const before = await countEvents(dataset, dataset.bigOrgId);
    const result = await runExportBench(dataset, { serverNodeArgs: [], log });
    if ('skipped' in result.details) throw new Error(result.details.skipped);
    const { cold, warm } = result.details;
    // Every event of the organization, plus at most the exports' own audit_log.exported events.
    expect(cold.rows).toBeGreaterThanOrEqual(before);
    expect(cold.rows).toBeLessThanOrEqual(before + 1);
    expect(warm.rows).toBeGreaterThanOrEqual(cold.rows);
    expect(warm.rows).toBeLessThanOrEqual(cold.rows + 1);
    expect(warm.peakRssMb).toBeGreaterThanOrEqual(cold.baselineRssMb);
    expect(warm.peakRssMb).toBeGreaterThan(20);
    expect(result.figures.map((f) => f.unit)).toEqual(['rows/s', 'rows/s', 'MB']);
  });
});
