import { createHmac } from 'node:crypto';
import { storedRecordJson } from '../../../store/event-rows.js';
import { limitedPost, requireAccepted } from './limited-http-post.js';
import type { OutgoingBatch, SenderTarget, SendLimits, StreamSender } from './stream-sender.js';

/**
 * `attest-signature` (PRODUCT.md §9): `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. The
 * timestamp is signed with the body so a receiver can refuse an old request replayed (README: a five-minute
 * window).
 */
export function webhookSignature(secret: string, unixSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** The webhook body: `{ "events": [records…] }`, each the stored canonical record with `leafHash`, unparsed. */
export function webhookBody(batch: OutgoingBatch): string {
  return `{"events":[${batch.events.map(storedRecordJson).join(',')}]}`;
}

/** Sends batches as signed JSON POSTs; a 2xx answer accepts the batch. */
export function webhookSender(target: SenderTarget, limits: SendLimits, now: () => number): StreamSender {
  const url = new URL(target.url);
  const secret = target.credential;
  if (!secret) throw new Error(`webhook destination ${target.streamId} has no secret`);
  return {
    async send(batch) {
      const body = webhookBody(batch);
      const answer = await limitedPost(
        url,
        body,
        {
          'content-type': 'application/json',
          'user-agent': 'Attest-Streams/1',
          'attest-delivery-id': batch.deliveryId,
          'attest-signature': webhookSignature(secret, Math.floor(now() / 1000), body),
        },
        limits,
      );
      requireAccepted(answer, now());
    },
  };
}
