import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { runIngestBench } from '../../bench/ingest/ingest-bench.js';
import { measureSqliteInsertFloor } from '../../bench/ingest/sqlite-insert-floor.js';

// Runs the real server (dist/src/main.js) and the real load generator (dist/bench/…) as child processes,
// so it needs `npm run build` first (`npm test` builds).
const dataDir = mkdtempSync(join(tmpdir(), 'attest-ingest-bench-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function byNameOf(figures: ReadonlyArray<{ name: string; value: number }>, name: string) {
  return figures.find((f) => f.name === name);
}

describe('ingest benchmark', () => {
  it('drives a real server child from a second process and finds exactly the acknowledged events in the store', async () => {
    const result = await runIngestBench({
      dataDir,
      warmupMs: 200,
      durationMs: 800,
      batchConcurrency: 4,
      singleConcurrency: 8,
      orgs: 2,
      rawEvents: 2000,
      serverNodeArgs: [],
      keepFiles: false,
      log: () => undefined,
    });
    const { batches, comparison, clientCpuAlone, singles, responsiveness, raw, floor, storedEvents, acknowledgedEvents } = result.details;
    expect(batches.errors).toBe(0);
    expect(singles.errors).toBe(0);
    const { raw: rawBatches, 'raw-keyed': keyedBatches, sdk: sdkBatches } = comparison;
    for (const compared of [rawBatches, keyedBatches, sdkBatches]) {
      expect(compared.errors).toBe(0);
      // Interleaved: every client ran once in each of the 3 rounds.
      expect(compared.rounds).toHaveLength(3);
      expect(compared.events).toBeGreaterThan(0);
      expect(compared.events % 100).toBe(0);
      expect(compared.clientCpuMicrosPerEvent).toBeGreaterThan(0);
      expect(compared.serverCpuMicrosPerEvent).toBeGreaterThan(0);
    }
    for (const client of ['raw', 'raw-keyed', 'sdk'] as const) {
      expect(clientCpuAlone[client].rounds).toHaveLength(5);
      expect(clientCpuAlone[client].medianMicrosPerEvent).toBeGreaterThan(0);
    }
    expect(byNameOf(result.figures, 'client CPU per event against an instant server, SDK batches')?.value).toBe(
      clientCpuAlone.sdk.medianMicrosPerEvent,
    );
    expect(batches.events).toBeGreaterThan(0);
    expect(batches.events % 100).toBe(0);
    expect(singles.events).toBeGreaterThan(0);
    expect(batches.latency.count).toBe(batches.requests);
    expect(acknowledgedEvents).toBe(
      batches.acceptedEvents + rawBatches.acceptedEvents + keyedBatches.acceptedEvents + sdkBatches.acceptedEvents + singles.acceptedEvents,
    );
    expect(storedEvents).toBe(acknowledgedEvents);
    // The server was probed while the measured batches ran (800 ms, a probe every 10 ms or so).
    expect(responsiveness.count).toBeGreaterThan(5);
    expect(responsiveness.p99).toBeGreaterThan(0);
    expect(raw.events).toBe(2000);
    expect(raw.eventsPerSecond).toBeGreaterThan(0);
    expect(floor.events).toBe(2000);

    const byName = new Map(result.figures.map((f) => [f.name, f]));
    expect(byName.get('HTTP batches of 100')).toMatchObject({ unit: 'events/s', target: '≥ 50,000', value: batches.eventsPerSecond });
    expect(byName.get('HTTP single events, p99 latency')).toMatchObject({ unit: 'ms', value: singles.latency.p99 });
    expect(byName.get('GET /healthz during the batches, p99 latency')).toMatchObject({ unit: 'ms', value: responsiveness.p99 });
    expect(byName.get('acknowledged events missing from the store')).toMatchObject({ value: 0, met: true });
    expect(byName.get('SDK batches of 100 / HTTP batches of 100')?.value).toBeCloseTo(
      sdkBatches.eventsPerSecond / rawBatches.eventsPerSecond,
    );
    expect(byName.get('SDK batches / raw batches with idempotency keys')?.value).toBeCloseTo(
      sdkBatches.eventsPerSecond / keyedBatches.eventsPerSecond,
    );
    expect(byName.get('client CPU per event, SDK batches')).toMatchObject({ unit: 'µs', value: sdkBatches.clientCpuMicrosPerEvent });
    expect(byName.get('HTTP batches / raw store limit')?.value).toBeCloseTo(batches.eventsPerSecond / raw.eventsPerSecond);
    expect(byName.get('SQLite insert floor: prebuilt rows, all indexes')).toMatchObject({ unit: 'rows/s', value: floor.withIndexes });
    // The ingest files are removed unless --keep.
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('measures the SQLite insert floor on real files: every row stored, once with the indexes and once without the secondary ones', async () => {
    const dir = mkdtempSync(join(dataDir, 'floor-'));
    const floor = await measureSqliteInsertFloor(dir, 1200, 3);
    expect(floor.withIndexes).toBeGreaterThan(0);
    expect(floor.withoutSecondaryIndexes).toBeGreaterThan(0);
    expect(floor.rowBuildMicros).toBeGreaterThan(0);
    const inspect = (file: string) => {
      const db = new Database(join(dir, file), { readonly: true });
      try {
        const rows = db.prepare('select count(*) from audit_events').pluck().get();
        const perOrg = db.prepare('select count(distinct org_id) from audit_events').pluck().get();
        const indexes = db
          .prepare("select count(*) from sqlite_schema where type = 'index' and tbl_name = 'audit_events' and sql is not null")
          .pluck()
          .get();
        return { rows, perOrg, indexes };
      } finally {
        db.close();
      }
    };
    const indexed = inspect('insert-floor-indexed.db');
    const bare = inspect('insert-floor-bare.db');
    expect(indexed).toMatchObject({ rows: 1200, perOrg: 3 });
    expect(indexed.indexes).toBeGreaterThanOrEqual(5);
    expect(bare).toEqual({ rows: 1200, perOrg: 3, indexes: 0 });
  });
});
