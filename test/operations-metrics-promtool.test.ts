import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { newTraceId } from '../src/core/trace-context.js';
import { createStream } from '../src/features/streams/stream-commands.js';
import { createIngestHarness, incomingEvent, type IngestHarness } from './support/ingest-harness.js';

/**
 * `/metrics` as Prometheus itself reads it: `promtool check metrics` (Debian package `prometheus`) finds no
 * problem in what a busy app exports. Without promtool the test fails under CI=true and is skipped loudly
 * elsewhere.
 */

const PROMTOOL = process.env.ATTEST_PROMTOOL ?? 'promtool';

function promtoolAvailable(): boolean {
  if (spawnSync(PROMTOOL, ['--version'], { stdio: 'ignore' }).status === 0) return true;
  if (process.env.CI === 'true') throw new Error(`promtool is required in CI but ${PROMTOOL} was not found (apt-get install prometheus).`);
  console.warn(`\n!!! SKIPPING the promtool check: no ${PROMTOOL} on PATH (apt-get install prometheus) !!!\n`);
  return false;
}

const runs = promtoolAvailable();

describe.skipIf(!runs)('/metrics under promtool check metrics', () => {
  let h: IngestHarness;

  beforeAll(async () => {
    h = await createIngestHarness('sqlite');
    // A paused stream destination, so the per-destination gauges (lag in events and in seconds) carry samples.
    const store = h.testStore.store;
    await createStream(
      {
        store,
        config: loadConfig({ ATTEST_STREAMS_ALLOW_PRIVATE: 'true' }).streams,
        actor: { id: 'test', name: null, email: null, type: 'system' },
        orgId: h.orgId,
        nowMs: store.clock.now(),
        retentionDays: 90,
        traceId: newTraceId(),
      },
      { kind: 'webhook', url: 'http://127.0.0.1:9/hook', enabled: false },
    );
    // Some traffic first, so request histograms and counters carry samples.
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { authorization: `Bearer ${h.userManagementKey}` },
      payload: { events: [incomingEvent(h.orgId)] },
    });
    await h.app.inject({ method: 'GET', url: '/healthz' });
  });
  afterAll(async () => h?.dispose());

  it('passes, with no gauge carrying a counter suffix', async () => {
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('attest_ingested_events_total');
    expect(metrics.body).toMatch(/^attest_stream_lag_events\{stream_id="[^"]+",org_id="[^"]+"\} 2$/m);
    expect(metrics.body).toMatch(/^attest_stream_lag_seconds\{stream_id="[^"]+",org_id="[^"]+"\} \d/m);
    // promtool exits non-zero and names each problem on stderr; execFileSync throws with that output.
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: metrics.body, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
    const gauges = [...metrics.body.matchAll(/^# TYPE (\S+) gauge$/gm)].map((m) => m[1]);
    expect(gauges.filter((name) => name?.endsWith('_total'))).toEqual([]);
    expect(gauges).toContain('attest_nodejs_active_handles');
  });

  it('would catch a gauge named like a counter (the check is not vacuous)', () => {
    const bad = '# HELP bad_total A gauge.\n# TYPE bad_total gauge\nbad_total 1\n';
    expect(() => execFileSync(PROMTOOL, ['check', 'metrics'], { input: bad, stdio: 'pipe' })).toThrow(
      /non-counter metrics should not have "_total" suffix/,
    );
  });
});
