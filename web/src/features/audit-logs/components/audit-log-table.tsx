import { useEffect, useLayoutEffect, useRef, type KeyboardEvent } from 'react';
import type { AuditEvent } from '../../../lib/api-types.js';
import { formatDateTime } from '../../../lib/time-zone.js';
import { productDisplayName, type Catalog } from '../api/get-catalog.js';

interface Props {
  events: AuditEvent[];
  /** How many of `events` (at the top) arrived live; when it grows, the rows being read must not move. */
  liveCount: number;
  zone: string;
  catalog: Catalog | undefined;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => unknown;
  onOpen: (event: AuditEvent) => void;
}

/** `user_access` → `user access`: entity types are machine names, people read words. */
function humanize(value: string): string {
  return value.replaceAll('_', ' ');
}

/**
 * The audit log table, newest first. More rows load as the bottom comes into view (the keyset cursor makes
 * each page start exactly after the previous one). Live rows are inserted at the top; when the person has
 * scrolled down, the scroll position grows by the inserted height so the rows they read stay put.
 */
export function AuditLogTable({ events, liveCount, zone, catalog, hasMore, loadingMore, onLoadMore, onOpen }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const seen = useRef({ liveCount, height: 0 });

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const grewAtTop = liveCount > seen.current.liveCount;
    if (grewAtTop && el.scrollTop > 0) el.scrollTop += el.scrollHeight - seen.current.height;
    seen.current = { liveCount, height: el.scrollHeight };
  });

  useEffect(() => {
    const target = sentinel.current;
    if (!target || !hasMore) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !loadingMore) onLoadMore();
    }, { root: scroller.current, rootMargin: '200px' });
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasMore, loadingMore, onLoadMore]);

  const onRowKey = (event: KeyboardEvent<HTMLTableRowElement>, record: AuditEvent) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onOpen(record);
    }
  };

  return (
    <div className="table-scroller" ref={scroller} tabIndex={-1}>
      <table className="audit-table" aria-label="Audit log" aria-rowcount={-1}>
        <thead>
          <tr>
            <th scope="col">Date and Time</th>
            <th scope="col">Activity</th>
            <th scope="col">Entity</th>
            <th scope="col">Performed By</th>
            <th scope="col"><span className="visually-hidden">Security action</span></th>
          </tr>
        </thead>
        <tbody>
          {events.map((record, index) => (
            <tr
              key={record.logId}
              className={index < liveCount ? 'audit-row live-row' : 'audit-row'}
              tabIndex={0}
              data-log-id={record.logId}
              data-event-type={record.type}
              aria-label={`${record.action}: ${record.description}. Open details`}
              onClick={() => onOpen(record)}
              onKeyDown={(e) => onRowKey(e, record)}
            >
              <td className="cell-time"><time dateTime={record.occurredAt}>{formatDateTime(record.occurredAt, zone)}</time></td>
              <td className="cell-activity">
                <span className="action-badge">{record.action}</span>
                <span className="cell-primary">{record.description}</span>
              </td>
              <td className="cell-entity">
                <span className="cell-primary">{record.entity.name ?? record.entity.id}</span>
                <span className="cell-secondary">{humanize(record.entity.type)} · {productDisplayName(catalog, record.entity.product)}</span>
              </td>
              <td className="cell-actor">
                <span className="cell-primary">{record.actor.name ?? record.actor.email ?? record.actor.id}</span>
                <span className="cell-secondary">{record.actor.email ?? record.actor.type}</span>
              </td>
              <td className="cell-security">{record.securityAction ? <span className="security-tag">Security action</span> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div ref={sentinel} className="table-footer" aria-live="polite">
        {loadingMore ? 'Loading more events…' : hasMore ? <button type="button" className="link-button" onClick={() => void onLoadMore()}>Load more events</button> : events.length > 0 ? 'You have reached the oldest event of this range.' : null}
      </div>
    </div>
  );
}
