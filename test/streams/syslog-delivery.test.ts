import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedRecordJson } from '../../src/store/event-rows.js';
import { createTestStore, type TestStore } from '../support/test-stores.js';
import { RsyslogReceiver, rsyslogAvailable } from './rsyslog-receiver.js';
import { range, streamHarness, type StreamHarness } from './stream-harness.js';

/**
 * Syslog delivery to a real rsyslog (Debian's, imtcp): RFC 5424 messages with RFC 6587 octet counting that
 * rsyslog parses into APP-NAME `attest`, MSGID the event type, structured data with logId, seq and org, and
 * MSG the record's JSON, byte for byte the stored record with its leafHash.
 */

describe.skipIf(!rsyslogAvailable())('syslog delivery to rsyslog', () => {
  let ts: TestStore;
  let h: StreamHarness;
  const rsyslog = new RsyslogReceiver();

  beforeAll(async () => {
    await rsyslog.start();
    ts = await createTestStore('sqlite');
    h = await streamHarness(ts);
  });
  afterAll(async () => {
    await h?.close();
    await ts?.dispose();
    await rsyslog.stop();
  });

  it('every event arrives in seq order, parsed by rsyslog into the fields PRODUCT.md §9 names', async () => {
    const stream = await h.createStream({ kind: 'syslog', url: `tcp://127.0.0.1:${rsyslog.port}` });
    expect(stream).not.toHaveProperty('secret');
    const last = await h.append(230);
    await expect.poll(async () => (await h.readStream(stream.id)).lastDeliveredSeq, { timeout: 20_000 }).toBe(last);
    await expect.poll(() => rsyslog.lines().length, { timeout: 10_000 }).toBe(last - stream.lastDeliveredSeq);

    const stored = await ts.store.db
      .selectFrom('audit_events')
      .select(['seq', 'log_id', 'type', 'record', 'leaf_hash'])
      .where('org_id', '=', h.t.org.id)
      .where('seq', '>', stream.lastDeliveredSeq)
      .orderBy('seq')
      .execute();
    const lines = rsyslog.lines();
    expect(stored.map((r) => Number(r.seq))).toEqual(range(stream.lastDeliveredSeq + 1, last));
    lines.forEach((line, i) => {
      const row = stored[i];
      expect(line).toEqual({
        appName: 'attest',
        msgId: row?.type,
        structuredData: `[attest@32473 logId="${row?.log_id}" seq="${row?.seq}" org="${h.t.org.id}"]`,
        msg: row ? storedRecordJson(row) : '',
      });
    });
  });
});
