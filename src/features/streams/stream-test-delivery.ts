import type { StreamsConfig } from '../../config.js';
import { newId } from '../../core/ids.js';
import { leafHash } from '../../events/leaf-hash.js';
import type { AttestStore } from '../../store/attest-store.js';
import { streamCredentialKey, type StreamDestinationRow, type StreamedEventRow } from '../../store/stream-destination-queries.js';
import { senderForDestination } from './senders/sender-for-destination.js';

/** The answer of "Send test event": whether the destination accepted it, and why not. */
export interface TestDeliveryResult {
  delivered: boolean;
  error: string | null;
  durationMs: number;
}

/**
 * A test event shaped like a record (`logId`, `orgId`, `type`, …, `leafHash`) but not in the log: `seq` is -1
 * and `test` is true, so a receiver can recognise it and drop it.
 */
export function streamTestEvent(orgId: string, streamId: string, nowMs: number): StreamedEventRow {
  // Keys in sorted order and plain strings and numbers: JSON.stringify writes RFC 8785 canonical JSON here.
  const record = JSON.stringify({
    activity: 'Audit log stream test',
    description: `Test event for stream ${streamId}`,
    logId: newId(nowMs),
    occurredAt: new Date(nowMs).toISOString(),
    orgId,
    product: 'AuditLogs',
    seq: -1,
    test: true,
    type: 'audit_log.stream.test',
  });
  return { seq: -1, type: 'audit_log.stream.test', action: 'Create', security: 0, occurred_at: nowMs, record, leaf_hash: leafHash(record) };
}

/** Sends one test event to the destination now, outside its cursor, and reports how it went. */
export async function sendStreamTestEvent(
  store: AttestStore,
  config: StreamsConfig,
  row: StreamDestinationRow,
): Promise<TestDeliveryResult> {
  const started = performance.now();
  const now = store.clock.now();
  try {
    const sender = senderForDestination(row, await streamCredentialKey(store.db, now), config, () => store.clock.now());
    await sender.send({ deliveryId: `${row.id}.test-${newId(now)}`, events: [streamTestEvent(row.org_id, row.id, now)] });
    return { delivered: true, error: null, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      delivered: false,
      error: error instanceof Error ? error.message : String(error),
      durationMs: Math.round(performance.now() - started),
    };
  }
}
