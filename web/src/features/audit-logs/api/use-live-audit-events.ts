import { useEffect, useRef, useState } from 'react';
import { queryString } from '../../../lib/api-client.js';
import type { AuditEvent } from '../../../lib/api-types.js';
import { auditLogsPath, type AuditLogParams } from './audit-log-api-types.js';

/** How the live feed is doing, shown next to the table so a person knows whether new rows can appear. */
export type LiveStatus = 'off' | 'connecting' | 'live' | 'reconnecting';

/** The first retry waits this long; each failed one doubles it, up to {@link MAX_RETRY_MS}. */
export const FIRST_RETRY_MS = 1000;
export const MAX_RETRY_MS = 30_000;

/** The wait before retry number `attempt` (0-based): doubling, capped, with jitter so clients spread out. */
function retryDelay(attempt: number): number {
  const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Follows `GET …/audit-logs/stream` (server-sent events) while `enabled`: each `audit-event` message is a
 * new event matching the filters. It starts after `afterSeq` (the newest seq the list already holds), so
 * nothing committed between loading the list and opening the stream is missed.
 *
 * The browser's own EventSource reconnection is not relied on: it gives up for good once a reconnection gets
 * an HTTP error (a restarting server or its proxy answering 502), and the page then never recovered. Instead
 * any error closes the stream, and a new one opens after a backoff (1 s doubling to 30 s, with jitter),
 * resuming after the last seq received, so nothing is missed or repeated. The status says "reconnecting"
 * from the first error until a stream is open again, and "live" only while one is.
 */
export function useLiveAuditEvents(
  orgId: string,
  params: AuditLogParams,
  afterSeq: number | null,
  enabled: boolean,
  onEvent: (event: AuditEvent) => void,
): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  }, [onEvent]);
  const filters = {
    action: params.action ?? null,
    actor: params.actor ?? null,
    security: params.security ?? null,
    excludeType: params.excludeType ?? null,
  };
  const streamBase = `${auditLogsPath(orgId)}/stream`;
  const filterKey = JSON.stringify(filters);

  useEffect(() => {
    if (!enabled) return;
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let lastSeq = afterSeq;
    const setLater = (next: LiveStatus) => queueMicrotask(() => setStatus(next));

    const connect = () => {
      const stream = new EventSource(`${streamBase}${queryString({ ...(JSON.parse(filterKey) as AuditLogParams), lastEventId: lastSeq })}`);
      source = stream;
      stream.addEventListener('open', () => {
        attempt = 0;
        setStatus('live');
      });
      stream.addEventListener('audit-event', (message) => {
        const seq = Number((message as MessageEvent<string>).lastEventId);
        if (Number.isInteger(seq)) lastSeq = seq;
        try {
          handler.current(JSON.parse((message as MessageEvent<string>).data) as AuditEvent);
        } catch {
          // A malformed message is skipped; the next page load shows the event from the store anyway.
        }
      });
      stream.addEventListener('error', () => {
        stream.close();
        if (source !== stream) return;
        setStatus('reconnecting');
        retryTimer = setTimeout(connect, retryDelay(attempt));
        attempt += 1;
      });
    };

    setLater('connecting');
    connect();
    return () => {
      clearTimeout(retryTimer);
      const open = source;
      source = null;
      open?.close();
    };
  }, [enabled, streamBase, filterKey, afterSeq]);

  return enabled ? status : 'off';
}
