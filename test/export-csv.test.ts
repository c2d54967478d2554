import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../src/config.js';
import { FixedClock } from '../src/core/clock.js';
import type { AuditEventRecord } from '../src/events/audit-event.js';
import { rowToRecord } from '../src/store/event-rows.js';
import type { AttestStore } from '../src/store/attest-store.js';
import { authHeaders, buildTestApp, createTenancy, seedVariedEvents, type TestTenancy } from './support/audit-fixtures.js';
import { createTestStore, type TestStore } from './support/test-stores.js';
import { expectedCsvHeader } from './support/expected-csv-header.js';

/**
 * The CSV export (API and `attest export`): parsed back with csv-parse it equals the list's results, row for
 * row and column for column; formula-looking cells are neutralised; scopes and their rules; every export is
 * recorded as `audit_log.exported`.
 */

const ZONE = 'America/New_York';
const NOW = Date.now();
const HEADER = expectedCsvHeader(ZONE);
const execFileAsync = promisify(execFile);

let testStore: TestStore;
let store: AttestStore;
let app: FastifyInstance;
let tenancy: TestTenancy;
let base: string;

/** What each row must say, computed from the JSON record independently of the export code. */
function expectedRow(e: AuditEventRecord): string[] {
  const cells = [
    e.logId,
    DateTime.fromMillis(Date.parse(e.occurredAt), { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm:ss.SSS ZZ'),
    e.occurredAt,
    e.action,
    e.activity,
    e.description,
    e.securityAction ? 'Yes' : 'No',
    e.entity.name ?? '',
    e.entity.type,
    e.entity.id,
    e.product,
    e.actor.name ?? '',
    e.actor.email ?? '',
    e.traceId,
  ];
  return cells.map((c) => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c));
}

function parseCsv(text: string): string[][] {
  return parse(text, { bom: true }) as string[][];
}

async function listAll(query: string): Promise<AuditEventRecord[]> {
  const events: AuditEventRecord[] = [];
  let cursor: string | null = null;
  do {
    const response = await app.inject({
      url: `${base}?${query}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      headers: authHeaders(tenancy.owner),
    });
    expect(response.statusCode).toBe(200);
    const page = response.json() as { data: AuditEventRecord[]; nextCursor: string | null };
    events.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return events;
}

async function exportedEvents(orgId = tenancy.org.id): Promise<AuditEventRecord[]> {
  const rows = await store.db
    .selectFrom('audit_events')
    .select(['record', 'leaf_hash'])
    .where('org_id', '=', orgId)
    .where('type', '=', 'audit_log.exported')
    .orderBy('seq')
    .execute();
  return rows.map(rowToRecord);
}

beforeAll(async () => {
  testStore = await createTestStore('sqlite', new FixedClock(NOW));
  store = testStore.store;
  tenancy = await createTenancy(store, ZONE);
  await seedVariedEvents(store, tenancy.org.id, 4500, NOW, { days: 60, seed: 11 });
  await seedVariedEvents(store, tenancy.otherOrg.id, 50, NOW, { days: 10, seed: 12 });
  ({ app } = await buildTestApp(store));
  base = `/api/v1/orgs/${tenancy.org.id}/audit-logs`;
});

afterAll(async () => {
  await app?.close();
  await testStore?.dispose();
});

describe('CSV export', () => {
  const from = new Date(NOW - 25 * DAY_MS).toISOString();
  const to = new Date(NOW - DAY_MS).toISOString();
  const filtered = `from=${from}&to=${to}&action=Create&action=Update&action=Delete`;

  it('filtered: parsed back, equals the query results in the same order with every column', async () => {
    const response = await app.inject({ url: `${base}/export?scope=filtered&${filtered}`, headers: authHeaders(tenancy.owner) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    const day = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toFormat('yyyy-MM-dd');
    // The range ends before `to`, exclusive.
    const lastDay = DateTime.fromISO(to, { zone: ZONE }).minus({ milliseconds: 1 }).toFormat('yyyy-MM-dd');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="audit-logs-acme-corp-filtered-${day(from)}-to-${lastDay}.csv"`,
    );
    const [header, ...rows] = parseCsv(response.body);
    expect(header).toEqual(HEADER);
    const listed = await listAll(filtered);
    // Over 1000 rows, so the export crossed keyset pages.
    expect(listed.length).toBeGreaterThan(1000);
    expect(rows).toEqual(listed.map(expectedRow));
  });

  it('all: everything retained, whatever filters are passed', async () => {
    // The reference is taken first: the export's own audit_log.exported comes after its last row.
    const all = (await store.db.selectFrom('audit_events').select(['record', 'leaf_hash']).where('org_id', '=', tenancy.org.id).execute())
      .map(rowToRecord)
      .filter((e) => Date.parse(e.occurredAt) >= NOW - 90 * DAY_MS)
      .sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt) || b.seq - a.seq);
    expect(all.length).toBeGreaterThan(4500);
    const response = await app.inject({
      url: `${base}/export?scope=all&action=Login&security=true`,
      headers: authHeaders(tenancy.owner, 'bearer'),
    });
    expect(response.statusCode).toBe(200);
    const today = DateTime.fromMillis(NOW, { zone: ZONE });
    const oldest = DateTime.fromMillis(NOW - 90 * DAY_MS, { zone: ZONE }).toFormat('yyyy-MM-dd');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="audit-logs-acme-corp-all-${oldest}-to-${today.toFormat('yyyy-MM-dd')}.csv"`,
    );
    const [, ...rows] = parseCsv(response.body);
    expect(rows).toEqual(all.map(expectedRow));
  });

  it('neutralises cells a spreadsheet would run as a formula, and keeps quotes, commas and newlines intact', async () => {
    const response = await app.inject({ url: `${base}/export?scope=all`, headers: authHeaders(tenancy.owner) });
    const [, ...rows] = parseCsv(response.body);
    const cells = rows.flat();
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
    expect(cells).toContain(`'=HYPERLINK("http://evil")`);
    expect(cells.some((c) => c.startsWith("'-2+3 formula-looking"))).toBe(true);
    expect(cells).toContain(`'@entity, "quoted"\nline`);
  });

  it('rejects scope=filtered without a filter (a range alone is not one), a missing scope, and a range over 30 days', async () => {
    for (const query of ['scope=filtered', `scope=filtered&from=${from}&to=${to}`]) {
      const response = await app.inject({ url: `${base}/export?${query}`, headers: authHeaders(tenancy.owner) });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'FILTER_REQUIRED', errors: [{ field: 'scope' }] });
    }
    const missing = await app.inject({ url: `${base}/export?action=Create`, headers: authHeaders(tenancy.owner) });
    expect(missing.statusCode).toBe(400);
    const tooLong = await app.inject({
      url: `${base}/export?scope=filtered&action=Create&from=${new Date(NOW - 40 * DAY_MS).toISOString()}`,
      headers: authHeaders(tenancy.owner),
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()).toMatchObject({ code: 'RANGE_TOO_LONG' });
  });

  it('records audit_log.exported with the scope, filters and row count of every export', async () => {
    const before = (await exportedEvents()).length;
    const response = await app.inject({
      url: `${base}/export?scope=filtered&${filtered}&actor=ANN@example.com`,
      headers: authHeaders(tenancy.owner),
      remoteAddress: '203.0.113.9',
    });
    const [, ...rows] = parseCsv(response.body);
    const events = await exportedEvents();
    expect(events.length).toBe(before + 1);
    const recorded = events[events.length - 1];
    expect(recorded).toMatchObject({
      product: 'AuditLogs',
      action: 'Export',
      securityAction: true,
      actor: { id: tenancy.owner.id, email: tenancy.owner.email, type: 'user' },
      entity: { id: tenancy.org.id, type: 'audit_log' },
      metadata: {
        scope: 'filtered',
        rowCount: rows.length,
        completed: true,
        from,
        to,
        filters: { action: ['Create', 'Delete', 'Update'], actor: 'ann@example.com', security: false },
      },
    });
    expect(rows.length).toBeGreaterThan(0);
  });

  it('attest export writes the same CSV to a file and records the export as the system actor cli', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attest-export-'));
    try {
      const out = join(dir, 'out.csv');
      const { stderr } = await execFileAsync(
        process.execPath,
        [
          'bin/attest.js',
          'export',
          '--org',
          tenancy.org.id,
          '--from',
          from,
          '--to',
          to,
          '--action',
          'Create',
          'Update',
          'Delete',
          '--out',
          out,
        ],
        { env: { ...process.env, ATTEST_DATABASE_URL: testStore.databaseUrl, ...testStore.env } },
      );
      expect(stderr).toMatch(/exported \d+ events to/);
      const fromCli = parseCsv(readFileSync(out, 'utf8'));
      const fromApi = parseCsv(
        (await app.inject({ url: `${base}/export?scope=filtered&${filtered}`, headers: authHeaders(tenancy.owner) })).body,
      );
      expect(fromCli).toEqual(fromApi);
      const cliEvents = (await exportedEvents()).filter((e) => e.actor.id === 'cli');
      expect(cliEvents.length).toBe(1);
      expect(cliEvents[0]).toMatchObject({
        actor: { type: 'system', id: 'cli' },
        metadata: { scope: 'filtered', rowCount: fromCli.length - 1, completed: true },
      });

      const refused = await execFileAsync(
        process.execPath,
        ['bin/attest.js', 'export', '--org', tenancy.org.id, '--scope', 'filtered', '--out', join(dir, 'none.csv')],
        {
          env: { ...process.env, ATTEST_DATABASE_URL: testStore.databaseUrl, ...testStore.env },
        },
      ).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(refused?.code).toBe(1);
      expect(refused?.stderr).toMatch(/--scope filtered needs at least one/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an export of an empty selection is the header alone, and is still recorded', async () => {
    const before = (await exportedEvents()).length;
    const response = await app.inject({
      url: `${base}/export?scope=filtered&type=org.proxy_access.granted&actor=nobody@example.com`,
      headers: authHeaders(tenancy.owner),
    });
    expect(parseCsv(response.body)).toEqual([HEADER]);
    expect((await exportedEvents()).length).toBe(before + 1);
  });

  it('a download the client abandons is still recorded, as not completed, with the rows handed out', async () => {
    // An organization whose CSV (~10 MiB) is far larger than what socket buffers hold.
    const big = await createTenancy(store);
    await seedVariedEvents(store, big.org.id, 40_000, NOW, { days: 20, seed: 13 });
    const exportedOfBig = async () => (await exportedEvents(big.org.id)).filter((e) => e.type === 'audit_log.exported');
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const before = (await exportedOfBig()).length;
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: `/api/v1/orgs/${big.org.id}/audit-logs/export?scope=all`, headers: authHeaders(big.owner) },
        (res) => {
          res.once('data', () => {
            res.destroy();
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    const deadline = Date.now() + 10_000;
    let events = await exportedOfBig();
    while (events.length === before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      events = await exportedOfBig();
    }
    expect(events.length).toBe(before + 1);
    const recorded = events[events.length - 1];
    expect(recorded?.metadata).toMatchObject({ scope: 'all', completed: false });
    expect(recorded?.actor.id).toBe(big.owner.id);
    expect(Number(recorded?.metadata?.rowCount)).toBeGreaterThan(0);
    expect(Number(recorded?.metadata?.rowCount)).toBeLessThan(40_000);
  });
});
