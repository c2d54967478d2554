import { useEffect, useRef, useState } from 'react';
import { queryString } from '../../../lib/api-client.js';
import type { AuditEvent } from '../../../lib/api-types.js';
import { auditLogsPath, type AuditLogParams } from './audit-log-api-types.js';

/** How the live feed is doing, shown next to the table so a person knows whether new rows can appear. */
export type LiveStatus = 'off' | 'connecting' | 'live' | 'reconnecting';

/**
 * Follows `GET …/audit-logs/stream` (server-sent events) while `enabled`: each `audit-event` message is a
 * new event matching the filters. It starts after `afterSeq` (the newest seq the list already holds), so
 * nothing committed between loading the list and opening the stream is missed; the browser's EventSource
 * reconnects by itself and sends `Last-Event-ID`, so a dropped connection resumes without gaps either. Events
 * are handed to `onEvent` in arrival order; the caller merges them above the rows it shows, skipping repeats.
 */
export function useLiveAuditEvents(orgId: string, params: AuditLogParams, afterSeq: number | null, enabled: boolean, onEvent: (event: AuditEvent) => void): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>('off');
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  }, [onEvent]);
  const streamUrl = `${auditLogsPath(orgId)}/stream${queryString({ action: params.action ?? null, actor: params.actor ?? null, security: params.security ?? null, lastEventId: afterSeq })}`;

  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource(streamUrl);
    const setLater = (next: LiveStatus) => queueMicrotask(() => setStatus(next));
    setLater('connecting');
    source.addEventListener('open', () => setStatus('live'));
    source.addEventListener('error', () => setStatus(source.readyState === EventSource.CLOSED ? 'off' : 'reconnecting'));
    source.addEventListener('audit-event', (message) => {
      try {
        handler.current(JSON.parse((message as MessageEvent<string>).data) as AuditEvent);
      } catch {
        // A malformed message is skipped; the next page load shows the event from the store anyway.
      }
    });
    return () => {
      source.close();
      setLater('off');
    };
  }, [enabled, streamUrl]);

  return enabled ? status : 'off';
}
