import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../src/config.js';
import type { PreparedEvent } from '../src/events/audit-event.js';
import type { EventFilter, EventPosition } from '../src/store/event-log-reader.js';
import { authHeaders, buildTestApp, createTenancy, variedEvent, type TestTenancy } from './support/audit-fixtures.js';
import { seededRandom } from './support/seeded-random.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

/**
 * LARGE TEST (about 40 s of CPU: ~25 s to insert the rows, ~15 s to export them; longer on a busy machine): an
 * export of 500,000 events (132 MiB of CSV) streams through a real HTTP port in constant memory. The server's
 * heap and RSS are sampled during the download and must stay far below the size of the CSV; a client that stops
 * reading for a while must hold the server back (backpressure) instead of making it read the log ahead into
 * memory.
 *
 * Why 500,000 rows prove constant memory as a million did: the bounds are fractions of the CSV (heap growth under
 * an eighth of it, RSS growth under half), and an implementation whose memory grew with the rows would hold at
 * least each row's CSV text, i.e. grow by the whole CSV, so it fails at any size. A constant-memory one grows by
 * a fixed amount, measured at 250,000, 500,000 and a million rows alike: 1.5–2 MiB of heap, and 0 to 45 MiB of RSS.
 * That fixed RSS is what sets the size: the CSV must stay well over twice it, or the RSS bound fails a correct
 * export (at 250,000 rows the bound is 33 MiB); here it is 66 MiB. The backpressure check does not depend on the
 * size: 400,000 rows still remain when the client pauses, more than a server without backpressure reads in the
 * two seconds of the pause (some 130,000 at the export's quiet speed). Speed at scale (millions of rows) is
 * measured by `npm run bench`, not here.
 */

const ROWS = 500_000;
const INSERT_CHUNK = 5000;
const MB = 1024 * 1024;

// A collectable baseline needs gc(); vitest does not start workers with --expose-gc, so enable it here.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

let testStore: TestStore;
let app: FastifyInstance;
let tenancy: TestTenancy;
let port: number;
/** Rows the server has read from the store so far (the real reader, counted on its way out). */
let rowsReadByServer = 0;

beforeAll(async () => {
  testStore = await createTestStore('sqlite');
  const { store } = testStore;
  tenancy = await createTenancy(store);
  const now = Date.now();
  const random = seededRandom(1).next;
  // Inserted straight through the store in bulk: 500,000 events over the last 29 days.
  const stepMs = Math.floor((29 * DAY_MS) / ROWS);
  const insertStarted = performance.now();
  for (let start = 0; start < ROWS; start += INSERT_CHUNK) {
    const events: PreparedEvent[] = [];
    for (let i = start; i < start + INSERT_CHUNK; i += 1) events.push(variedEvent(tenancy.org.id, now - 60_000 - i * stepMs, i, random));
    await store.appendEvents(events);
  }
  console.log(`inserted ${ROWS} events in ${((performance.now() - insertStarted) / 1000).toFixed(1)} s`);
  const findPage = store.events.findPage.bind(store.events);
  store.events.findPage = async (filter: EventFilter, limit: number, after?: EventPosition) => {
    const page = await findPage(filter, limit, after);
    rowsReadByServer += page.length;
    return page;
  };
  ({ app } = await buildTestApp(store));
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
}, 600_000);

afterAll(async () => {
  await app?.close();
  await testStore?.dispose();
});

describe('export of 500,000 rows [LARGE]', () => {
  it('streams in constant memory and honours a slow client', async () => {
    collectGarbage();
    const baseline = process.memoryUsage();
    let peakHeap = baseline.heapUsed;
    let peakRss = baseline.rss;
    // Live memory, not garbage V8 has not collected yet: collect, then sample.
    const sampler = setInterval(() => {
      collectGarbage();
      const usage = process.memoryUsage();
      peakHeap = Math.max(peakHeap, usage.heapUsed);
      peakRss = Math.max(peakRss, usage.rss);
    }, 1000);

    let bytes = 0;
    let newlines = 0;
    let serverRowsAtPauseEnd = 0;
    let bytesAtPauseEnd = 0;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: `/api/v1/orgs/${tenancy.org.id}/audit-logs/export?scope=all`,
          headers: authHeaders(tenancy.owner),
        },
        (res) => {
          let paused = false;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) newlines += 1;
            if (!paused && rowsReadByServer > ROWS / 5) {
              // A slow client: stop reading for two seconds, then note how far the server got meanwhile.
              paused = true;
              res.pause();
              setTimeout(() => {
                serverRowsAtPauseEnd = rowsReadByServer;
                bytesAtPauseEnd = bytes;
                res.resume();
              }, 2000);
            }
          });
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
    clearInterval(sampler);

    // Rows the client had received when it resumed, from the average row size of the whole file.
    const leadWhilePaused = serverRowsAtPauseEnd - Math.round(bytesAtPauseEnd / (bytes / ROWS));
    const heapGrowth = peakHeap - baseline.heapUsed;
    const rssGrowth = peakRss - baseline.rss;
    console.log(
      `export of ${ROWS} rows: ${(bytes / MB).toFixed(0)} MiB of CSV; heap growth ${(heapGrowth / MB).toFixed(1)} MiB, RSS growth ${(rssGrowth / MB).toFixed(1)} MiB; server lead while the client paused ${leadWhilePaused} rows`,
    );
    expect(status).toBe(200);
    expect(rowsReadByServer).toBe(ROWS);
    expect(newlines).toBeGreaterThan(ROWS);
    expect(serverRowsAtPauseEnd).toBeGreaterThan(0);
    // The CSV is ~265 bytes a row (132 MiB for 500,000); a buffering implementation would grow by at least that.
    expect(bytes).toBeGreaterThan(ROWS * 200);
    expect(heapGrowth).toBeLessThan(bytes / 8);
    expect(rssGrowth).toBeLessThan(bytes / 2);
    // Socket buffers hold some 20k rows; without backpressure the server would race through the whole log.
    expect(leadWhilePaused).toBeLessThan(60_000);
  }, 400_000);
});
