import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttestStore } from '../../src/store/attest-store.js';
import { openPostgresStoreDialect } from '../../src/store/postgres/postgres-store-dialect.js';
import { buildTestApp, variedEvent } from '../support/audit-fixtures.js';
import { postgresAvailable, createTestStore, TEST_POSTGRES_URL, type TestStore } from '../support/test-stores.js';
import { QUICK_RETRIES, range, seqsOf, streamHarness, type StreamHarness } from './stream-harness.js';
import { WebhookReceiver } from './webhook-receiver.js';

/**
 * Several Attest services on one PostgreSQL each run a delivery engine; the lease makes exactly one of them
 * deliver for a destination at a time, so a healthy receiver gets every event once, in order, not once per
 * service. Three engines here: the harness's app and two more over their own connections to the same schema.
 */

const available = await postgresAvailable();

describe.skipIf(!available)('stream delivery with several services on one PostgreSQL', () => {
  let ts: TestStore;
  let h: StreamHarness;
  const others: Array<{ store: AttestStore; close: () => Promise<void> }> = [];
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    await receiver.start();
    ts = await createTestStore('postgres');
    h = await streamHarness(ts);
    for (let i = 0; i < 2; i += 1) {
      const store = await AttestStore.open(
        openPostgresStoreDialect({ connectionString: TEST_POSTGRES_URL, schema: ts.env.ATTEST_POSTGRES_SCHEMA ?? '', maxConnections: 3 }),
      );
      const { app } = await buildTestApp(store, QUICK_RETRIES);
      others.push({
        store,
        close: async () => {
          await app.close();
          await store.close();
        },
      });
    }
  });
  afterAll(async () => {
    for (const other of others) await other.close();
    await h?.close();
    await ts?.dispose();
    await receiver.stop();
  });

  it('one service delivers each batch: every event exactly once, in seq order, whichever service committed it', async () => {
    receiver.secret = 'lease-test-secret-0123456789';
    const stream = await h.createStream({ kind: 'webhook', url: `${receiver.url}/hook`, secret: receiver.secret });
    // Every engine finds the new destination on its next scan (every 5 s); from then on all three compete.
    await sleep(5500);
    receiver.acceptDelayMs = 50;
    let last = -1;
    for (let round = 0; round < 6; round += 1) {
      last = await h.append(40);
      for (const other of others) {
        const [appended] = await other.store.appendEvents([variedEvent(h.t.org.id, Date.now(), round)]);
        last = appended?.seq ?? last;
      }
    }
    await expect.poll(async () => (await h.readStream(stream.id)).lastDeliveredSeq, { timeout: 30_000 }).toBe(last);
    expect(seqsOf(receiver.accepted)).toEqual(range(stream.lastDeliveredSeq + 1, last));
    expect(receiver.signatureFailures).toEqual([]);
  });
});
