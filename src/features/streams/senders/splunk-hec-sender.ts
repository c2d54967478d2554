import { storedRecordJson } from '../../../store/event-rows.js';
import { limitedPost, requireAccepted } from './limited-http-post.js';
import type { OutgoingBatch, SenderTarget, SendLimits, StreamSender } from './stream-sender.js';

const HEC_EVENT_PATH = '/services/collector/event';

/** The collector URL of a destination: its URL with `/services/collector/event` unless it already ends so. */
export function hecEventUrl(base: string): URL {
  const url = new URL(base);
  if (!url.pathname.endsWith(HEC_EVENT_PATH)) url.pathname = `${url.pathname.replace(/\/+$/, '')}${HEC_EVENT_PATH}`;
  return url;
}

/** Splunk HEC's batch format: one JSON object per event, newline-separated, the record as `event`. */
export function hecBody(batch: OutgoingBatch): string {
  return batch.events
    .map((e) => `{"time":${Number(e.occurred_at) / 1000},"source":"attest","sourcetype":"attest:audit","event":${storedRecordJson(e)}}`)
    .join('\n');
}

/** Sends batches to a Splunk HTTP Event Collector with `Authorization: Splunk <token>`. */
export function splunkHecSender(target: SenderTarget, limits: SendLimits, now: () => number): StreamSender {
  const url = hecEventUrl(target.url);
  const token = target.credential;
  if (!token) throw new Error(`splunk-hec destination ${target.streamId} has no token`);
  return {
    async send(batch) {
      const answer = await limitedPost(
        url,
        hecBody(batch),
        { 'content-type': 'application/json', authorization: `Splunk ${token}`, 'x-splunk-request-channel': target.streamId },
        limits,
      );
      requireAccepted(answer, now());
    },
  };
}
