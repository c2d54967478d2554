import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
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

/** Rows a Page Up / Page Down moves the focus by. */
const PAGE_STEP = 10;

/** Where a key moves the focus from row `index` of `count`, or null for a key the table does not handle. */
function targetRow(key: string, index: number, count: number): number | null {
  if (key === 'ArrowDown') return Math.min(index + 1, count - 1);
  if (key === 'ArrowUp') return Math.max(index - 1, 0);
  if (key === 'PageDown') return Math.min(index + PAGE_STEP, count - 1);
  if (key === 'PageUp') return Math.max(index - PAGE_STEP, 0);
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  return null;
}

/**
 * The audit log table, newest first. More rows load as the bottom comes into view (the keyset cursor makes
 * each page start exactly after the previous one). Live rows are inserted at the top; when the person has
 * scrolled down, the scroll position grows by the inserted height so the rows they read stay put.
 *
 * The table is one tab stop (a roving tabindex, WAI-ARIA APG): the last row focused, else the first, takes
 * the tab; arrow keys, Page Up/Down, Home and End move between rows; Enter or Space opens one. Long names and
 * emails are cut with an ellipsis so the table never scrolls sideways; the full text is in the tooltip and
 * in the details.
 */
export function AuditLogTable({ events, liveCount, zone, catalog, hasMore, loadingMore, onLoadMore, onOpen }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const seen = useRef({ liveCount, height: 0 });
  const [activeId, setActiveId] = useState<string | null>(null);
  const tabStopId = events.some((e) => e.logId === activeId) ? activeId : (events[0]?.logId ?? null);

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
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting) && !loadingMore) onLoadMore();
      },
      { root: scroller.current, rootMargin: '200px' },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasMore, loadingMore, onLoadMore]);

  const onRowKey = (event: KeyboardEvent<HTMLTableRowElement>, record: AuditEvent, index: number) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onOpen(record);
      return;
    }
    const target = targetRow(event.key, index, events.length);
    if (target === null) return;
    event.preventDefault();
    const rows = scroller.current?.querySelectorAll<HTMLTableRowElement>('tbody tr.audit-row');
    rows?.[target]?.focus();
  };

  return (
    <div className="table-scroller" ref={scroller} tabIndex={-1}>
      <table className="audit-table" aria-label="Audit log" aria-rowcount={-1}>
        <colgroup>
          <col className="col-time" />
          <col className="col-activity" />
          <col className="col-entity" />
          <col className="col-actor" />
          <col className="col-security" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Date and Time</th>
            <th scope="col">Activity</th>
            <th scope="col">Entity</th>
            <th scope="col">Performed By</th>
            <th scope="col">
              <span className="visually-hidden">Security action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {events.map((record, index) => {
            const entityName = record.entity.name ?? record.entity.id;
            const entityKind = `${humanize(record.entity.type)} · ${productDisplayName(catalog, record.entity.product)}`;
            const actorName = record.actor.name ?? record.actor.email ?? record.actor.id;
            const actorDetail = record.actor.email ?? record.actor.type;
            return (
              <tr
                key={record.logId}
                className={index < liveCount ? 'audit-row live-row' : 'audit-row'}
                tabIndex={record.logId === tabStopId ? 0 : -1}
                data-log-id={record.logId}
                data-event-type={record.type}
                aria-label={`${record.action}: ${record.description}. Open details`}
                onClick={() => onOpen(record)}
                onFocus={() => setActiveId(record.logId)}
                onKeyDown={(e) => onRowKey(e, record, index)}
              >
                <td className="cell-time">
                  <time dateTime={record.occurredAt}>{formatDateTime(record.occurredAt, zone)}</time>
                </td>
                <td className="cell-activity">
                  <span className="action-badge">{record.action}</span>
                  <span className="cell-primary">{record.description}</span>
                </td>
                <td className="cell-entity">
                  <span className="cell-primary cell-truncate" title={entityName}>
                    {entityName}
                  </span>
                  <span className="cell-secondary cell-truncate" title={entityKind}>
                    {entityKind}
                  </span>
                </td>
                <td className="cell-actor">
                  <span className="cell-primary cell-truncate" title={actorName}>
                    {actorName}
                  </span>
                  <span className="cell-secondary cell-truncate" title={actorDetail}>
                    {actorDetail}
                  </span>
                </td>
                <td className="cell-security">{record.securityAction ? <span className="security-tag">Security action</span> : null}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div ref={sentinel} className="table-footer" aria-live="polite">
        {loadingMore ? (
          'Loading more events…'
        ) : hasMore ? (
          <button type="button" className="link-button" onClick={() => void onLoadMore()}>
            Load more events
          </button>
        ) : events.length > 0 ? (
          'You have reached the oldest event of this range.'
        ) : null}
      </div>
    </div>
  );
}
