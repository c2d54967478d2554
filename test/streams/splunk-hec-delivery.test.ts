import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedRecordJson } from '../../src/store/event-rows.js';
import { createTestStore, type TestStore } from '../support/test-stores.js';
import { range, seqsOf, streamHarness, type StreamHarness } from './stream-harness.js';
import { WebhookReceiver } from './webhook-receiver.js';

/** Splunk HTTP Event Collector delivery to a real HTTP receiver of HEC's shape (PRODUCT.md §9). */

describe('Splunk HEC delivery', () => {
  let ts: TestStore;
  let h: StreamHarness;
  const collector = new WebhookReceiver('splunk-hec');

  beforeAll(async () => {
    await collector.start();
    ts = await createTestStore('sqlite');
    h = await streamHarness(ts);
  });
  afterAll(async () => {
    await h?.close();
    await ts?.dispose();
    await collector.stop();
  });

  it('POSTs newline-separated HEC events to /services/collector/event with the token, every event in order', async () => {
    let refusedOnce = false;
    collector.behave = (req, res) => {
      // A collector refuses a wrong token with 403; and one busy answer shows the batch is sent again.
      if (req.headers.authorization !== 'Splunk hec-token-123') return Boolean(res.writeHead(403).end('{"text":"Invalid token","code":4}'));
      if (!refusedOnce) {
        refusedOnce = true;
        return Boolean(res.writeHead(503).end('{"text":"Server is busy","code":9}'));
      }
      return false;
    };
    const stream = await h.createStream({ kind: 'splunk-hec', url: `${collector.url}/`, token: 'hec-token-123' });
    expect(stream).not.toHaveProperty('secret');
    expect(JSON.stringify(stream)).not.toContain('hec-token-123');
    const last = await h.append(150);
    await expect.poll(async () => (await h.readStream(stream.id)).lastDeliveredSeq, { timeout: 20_000 }).toBe(last);

    expect(seqsOf(collector.accepted)).toEqual(range(stream.lastDeliveredSeq + 1, last));
    expect(collector.refused).toHaveLength(1);
    const stored = await ts.store.db
      .selectFrom('audit_events')
      .select(['seq', 'occurred_at', 'record', 'leaf_hash'])
      .where('org_id', '=', h.t.org.id)
      .where('seq', '>', stream.lastDeliveredSeq)
      .orderBy('seq')
      .execute();
    const lines = collector.accepted.flatMap((b) => {
      expect(b.path).toBe('/services/collector/event');
      expect(b.headers['content-type']).toBe('application/json');
      return b.body.split('\n');
    });
    lines.forEach((line, i) => {
      const row = stored[i];
      expect(line).toBe(
        `{"time":${Number(row?.occurred_at) / 1000},"source":"attest","sourcetype":"attest:audit","event":${row ? storedRecordJson(row) : ''}}`,
      );
    });
  });
});
