import { hostname } from 'node:os';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { storedRecordJson } from '../../../store/event-rows.js';
import type { StreamedEventRow } from '../../../store/stream-destination-queries.js';
import { assertPublicHost, publicOnlyLookup } from '../private-address-guard.js';
import { DeliveryFailure, type SenderTarget, type SendLimits, type StreamSender } from './stream-sender.js';

/** RFC 5424 facility 13, "log audit"; severity notice, or warning for a security action. */
const FACILITY_LOG_AUDIT = 13;
const SEVERITY_NOTICE = 5;
const SEVERITY_WARNING = 4;
/** Our structured-data id: a name `@` a private enterprise number (RFC 5424 §7.2.2). */
const SD_ID = 'attest@32473';
const HOSTNAME =
  hostname()
    .replace(/[^\x21-\x7e]/g, '')
    .slice(0, 255) || '-';

/** An SD-PARAM value with `"`, `\` and `]` escaped (RFC 5424 §6.3.3). */
function sdValue(value: string | number): string {
  return String(value).replace(/["\\\]]/g, (c) => `\\${c}`);
}

/**
 * One event as an RFC 5424 message: APP-NAME `attest`, MSGID the event type, structured data with logId, seq
 * and org, MSG the record's JSON.
 */
export function syslogMessage(event: StreamedEventRow): string {
  const record = storedRecordJson(event);
  const { logId, orgId, occurredAt } = JSON.parse(event.record) as { logId: string; orgId: string; occurredAt: string };
  const pri = FACILITY_LOG_AUDIT * 8 + (event.security ? SEVERITY_WARNING : SEVERITY_NOTICE);
  const msgId = event.type.replace(/[^\x21-\x7e]/g, '_').slice(0, 32);
  const sd = `[${SD_ID} logId="${sdValue(logId)}" seq="${sdValue(Number(event.seq))}" org="${sdValue(orgId)}"]`;
  return `<${pri}>1 ${occurredAt} ${HOSTNAME} attest ${process.pid} ${msgId} ${sd} ${record}`;
}

/** RFC 6587 §3.4.1 octet counting: the message's length in bytes, a space, the message. */
export function octetCounted(message: string): string {
  return `${Buffer.byteLength(message)} ${message}`;
}

/**
 * Sends each batch over a TCP (or TLS) connection of its own: the frames, then a close. The batch counts as
 * accepted once the receiver has taken every byte and closed its side in turn; syslog has no acknowledgement,
 * so that is as far as a sender can know.
 */
export function syslogSender(target: SenderTarget, limits: SendLimits): StreamSender {
  const { host, port, tls } = target.endpoint;
  return {
    async send(batch) {
      if (!limits.allowPrivate && isIP(host) !== 0) await assertPublicHost(host);
      const payload = batch.events.map((e) => octetCounted(syslogMessage(e))).join('');
      await new Promise<void>((resolve, reject) => {
        const guard = limits.allowPrivate ? {} : { lookup: publicOnlyLookup };
        const socket: Socket = tls
          ? tlsConnect({
              host,
              port,
              servername: isIP(host) === 0 ? host : undefined,
              ...guard,
              ...(limits.caBundle ? { ca: limits.caBundle } : {}),
            })
          : netConnect({ host, port, ...guard });
        const timer = setTimeout(
          () => socket.destroy(new DeliveryFailure(`syslog exchange not done within ${limits.timeoutMs} ms`)),
          limits.timeoutMs,
        );
        let failed: Error | undefined;
        socket.on('error', (error) => {
          failed = error;
        });
        socket.on(tls ? 'secureConnect' : 'connect', () => socket.end(payload));
        // Whatever the receiver sends is not read: a syslog receiver sends nothing.
        socket.on('data', () => undefined);
        socket.on('close', () => {
          clearTimeout(timer);
          if (failed) reject(failed instanceof DeliveryFailure ? failed : new DeliveryFailure(failed.message));
          else resolve();
        });
      });
    },
  };
}
