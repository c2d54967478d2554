import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { LoadFailedMessage } from '../../../components/ui/load-failed-message.js';
import { StatusMessage } from '../../../components/ui/status-message.js';
import { ApiError } from '../../../lib/api-client.js';
import type { AuditEvent, Membership } from '../../../lib/api-types.js';
import { navigate, useLocation } from '../../../lib/router.js';
import { zoneOffsetLabel } from '../../../lib/time-zone.js';
import { useAuditLogs } from '../api/get-audit-logs.js';
import { useCatalog } from '../api/get-catalog.js';
import { useLiveAuditEvents, type LiveStatus } from '../api/use-live-audit-events.js';
import { apiParams, defaultView, hasFilters, includesNow, parseView, viewToSearch, type AuditLogView } from '../utils/audit-log-view.js';
import { ActivityChart } from './activity-chart.js';
import { ActivityDetailsPanel } from './activity-details-panel.js';
import { AuditLogTable } from './audit-log-table.js';
import { DateRangePicker } from './date-range-picker.js';
import { ExportMenu } from './export-menu.js';
import { FilterChips } from './filter-chips.js';
import { FiltersPanel } from './filters-panel.js';
import { NoAccessPage } from './no-access-page.js';

const LIVE_LABELS: Record<LiveStatus, string> = {
  off: 'Live feed off (the range ends before today)',
  connecting: 'Connecting to the live feed…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

/** User Management > Audit Logs: owners see the log; admins and standard users see why they cannot. */
export function AuditLogsPage({ membership }: { membership: Membership }) {
  if (membership.userType !== 'owner') return <NoAccessPage orgName={membership.orgName} userType={membership.userType} />;
  return <OwnerAuditLogs membership={membership} />;
}

function OwnerAuditLogs({ membership }: { membership: Membership }) {
  const { orgId, timeZone: zone } = membership;
  const location = useLocation();
  const view = parseView(location.search, zone);
  const setView = (next: AuditLogView, replace = false) => navigate(`${location.pathname}${viewToSearch(next, zone)}`, { replace });
  // "Clear all" (in the panel and beside the chips) is the default view: the last 30 days, no filter chosen.
  const clearAll = () => setView(defaultView(zone));
  const filtersButton = useRef<HTMLButtonElement>(null);

  // React Query hashes keys by value, so a fresh params object per render is fine; the key string tells views apart.
  const params = apiParams(view, view.filters, zone);
  const paramsKey = JSON.stringify(params);
  const list = useAuditLogs(orgId, params);
  const catalog = useCatalog();
  const queryClient = useQueryClient();

  // Live events belong to one view: a new range or filter starts from an empty live list.
  const [live, setLive] = useState<{ key: string; events: AuditEvent[] }>({ key: paramsKey, events: [] });
  const liveEvents = live.key === paramsKey ? live.events : [];
  // The stream hook keeps the latest handler in a ref, so this need not be memoized.
  const onLiveEvent = (event: AuditEvent) => {
    const at = Date.parse(event.occurredAt);
    if (at < Date.parse(String(params.from)) || at >= Date.parse(String(params.to))) return;
    setLive((current) => {
      const events = current.key === paramsKey ? current.events : [];
      return events.some((e) => e.logId === event.logId) ? current : { key: paramsKey, events: [event, ...events] };
    });
    void queryClient.invalidateQueries({ queryKey: ['audit-logs', orgId, 'count'] });
  };
  const pages = list.data?.pages ?? [];
  const liveOn = includesNow(view.to, zone);
  // The stream opens once the first page is in, resuming after the log's head when it was read (see useLiveAuditEvents).
  const afterSeq = pages[0]?.lastSeq ?? null;
  const streamStatus = useLiveAuditEvents(orgId, params, afterSeq, liveOn && list.isSuccess, onLiveEvent);
  // While the list is not in, the feed cannot start: say so truthfully rather than "off".
  const liveStatus: LiveStatus = !liveOn ? 'off' : list.isSuccess ? streamStatus : list.isError ? 'reconnecting' : 'connecting';

  const pageRows = pages.flatMap((page) => page.data);
  const pageIds = new Set(pageRows.map((e) => e.logId));
  const freshLive = liveEvents.filter((e) => !pageIds.has(e.logId));
  const rows = [...freshLive, ...pageRows];
  const total = (pages[0]?.total ?? 0) + freshLive.length;
  const warnings = pages[0]?.warnings ?? [];
  const filtered = hasFilters(view.filters);
  // Stable across renders (a method of the query observer), so the table's scroll observer is not rebuilt.
  const loadMore = list.fetchNextPage;

  if (list.error instanceof ApiError && list.error.code === 'AUDIT_LOGS_OWNER_ONLY') {
    return <NoAccessPage orgName={membership.orgName} userType={membership.userType} />;
  }

  return (
    <section className="audit-logs-page" aria-labelledby="audit-logs-title">
      <header className="page-header">
        <div>
          <nav aria-label="Breadcrumb" className="breadcrumb">
            User Management <span aria-hidden="true">›</span> Audit Logs
          </nav>
          <h1 id="audit-logs-title" className="page-title">
            Audit Logs
          </h1>
        </div>
        <ExportMenu orgId={orgId} params={params} filtered={filtered} />
      </header>

      <div className="toolbar" role="group" aria-label="Date range and filters">
        <DateRangePicker from={view.from} to={view.to} zone={zone} onApply={(range) => setView({ ...view, ...range, logId: null })} />
        <FiltersPanel
          orgId={orgId}
          filters={view.filters}
          onApply={(filters) => setView({ ...view, filters, logId: null })}
          onClearAll={clearAll}
          triggerRef={filtersButton}
        />
        <span className="muted small">
          Times in {zone} ({zoneOffsetLabel(zone)})
        </span>
        <span className={`live-indicator live-${liveStatus}`} role="status" aria-live="polite">
          <span className="live-dot" aria-hidden="true" /> {LIVE_LABELS[liveStatus]}
        </span>
        {list.isSuccess ? (
          <span className="result-count" aria-live="polite">
            {total} {total === 1 ? 'event' : 'events'}
          </span>
        ) : null}
      </div>

      <FilterChips
        orgId={orgId}
        range={view}
        zone={zone}
        filters={view.filters}
        onChange={(filters) => setView({ ...view, filters, logId: null })}
        onClearAll={clearAll}
        filtersButton={filtersButton}
      />

      {warnings.map((warning) => (
        <p key={warning.code} className="banner banner-warning" role="note" data-warning-code={warning.code}>
          {warning.message}
        </p>
      ))}

      {/* A refused view is explained once, by the list below; the chart would only repeat the reason. */}
      {list.isError ? null : (
        <ActivityChart
          orgId={orgId}
          params={params}
          from={view.from}
          to={view.to}
          zone={zone}
          onSelectRange={(range) => setView({ ...view, ...range, logId: null })}
        />
      )}

      {list.isPending ? (
        <StatusMessage kind="loading" title="Loading audit logs…" />
      ) : list.isError ? (
        <LoadFailedMessage
          title="The audit logs could not be loaded."
          error={list.error}
          onRetry={() => void list.refetch()}
          moreActions={
            <button type="button" className="button" onClick={clearAll}>
              Reset to the last 30 days
            </button>
          }
        />
      ) : rows.length === 0 ? (
        <StatusMessage
          kind="empty"
          title={filtered ? 'No events match these filters.' : 'No events in this date range.'}
          action={
            filtered ? (
              <button type="button" className="button" onClick={clearAll}>
                Clear all filters
              </button>
            ) : null
          }
        >
          {filtered
            ? 'Remove a filter or choose a wider date range.'
            : liveOn
              ? 'New events will appear here as they happen. You can also choose an earlier date range.'
              : 'Choose another date range (up to 30 days).'}
        </StatusMessage>
      ) : (
        <AuditLogTable
          events={rows}
          liveCount={freshLive.length}
          zone={zone}
          catalog={catalog.data}
          hasMore={list.hasNextPage}
          loadingMore={list.isFetchingNextPage}
          onLoadMore={loadMore}
          onOpen={(event) => setView({ ...view, logId: event.logId })}
        />
      )}

      <ActivityDetailsPanel
        orgId={orgId}
        logId={view.logId}
        fromTable={rows.find((e) => e.logId === view.logId)}
        zone={zone}
        catalog={catalog.data}
        onClose={() => setView({ ...view, logId: null }, true)}
      />
    </section>
  );
}
