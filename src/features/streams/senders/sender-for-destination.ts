import type { Agent as HttpAgent } from 'node:http';
import type { StreamsConfig } from '../../../config.js';
import type { StreamDestinationRow } from '../../../store/stream-destination-queries.js';
import { decryptCredential } from '../stream-credentials.js';
import { parseStreamUrl } from '../stream-destination.js';
import { splunkHecSender } from './splunk-hec-sender.js';
import type { StreamSender } from './stream-sender.js';
import { syslogSender } from './syslog-sender.js';
import { webhookSender } from './webhook-sender.js';

/** The sender of a destination's kind, with its credential decrypted under the deployment's stream key. */
export function senderForDestination(
  row: StreamDestinationRow,
  credentialKey: Buffer,
  config: StreamsConfig,
  now: () => number,
  agent?: HttpAgent,
): StreamSender {
  const target = {
    streamId: row.id,
    url: row.url,
    endpoint: parseStreamUrl(row.kind, row.url, true),
    credential: row.credential === null ? undefined : decryptCredential(credentialKey, row.id, row.credential),
  };
  const limits = { timeoutMs: config.timeoutMs, allowPrivate: config.allowPrivate, caBundle: row.ca_bundle ?? undefined, agent };
  switch (row.kind) {
    case 'webhook':
      return webhookSender(target, limits, now);
    case 'splunk-hec':
      return splunkHecSender(target, limits, now);
    case 'syslog':
      return syslogSender(target, limits);
  }
}
