import { useEffect, useRef } from 'react';
import { CopyButton } from '../../../components/ui/copy-button.js';
import { SidePanel } from '../../../components/ui/side-panel.js';
import { StatusMessage } from '../../../components/ui/status-message.js';
import { errorMessage } from '../../../lib/api-client.js';
import type { AuditEvent, JsonValue } from '../../../lib/api-types.js';
import { formatDateTime, zoneOffsetLabel } from '../../../lib/time-zone.js';
import { useAuditLog } from '../api/get-audit-log.js';
import { productDisplayName, type Catalog } from '../api/get-catalog.js';
import { ProofStatus } from './proof-status.js';

function showValue(value: JsonValue): string {
  if (value === null) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function Details({ orgId, record, zone, catalog }: { orgId: string; record: AuditEvent; zone: string; catalog: Catalog | undefined }) {
  return (
    <>
      <dl className="details-list">
        <dt>Activity</dt>
        <dd>
          <span className="action-badge">{record.action}</span> {record.activity}
          {record.securityAction ? <span className="security-tag">Security action</span> : null}
        </dd>
        <dt>Description</dt>
        <dd>{record.description}</dd>
        <dt>Date and time</dt>
        <dd>
          {formatDateTime(record.occurredAt, zone)}{' '}
          <span className="muted">
            ({zone}, {zoneOffsetLabel(zone, Date.parse(record.occurredAt))})
          </span>
        </dd>
        <dt>Performed by</dt>
        <dd>
          {record.actor.name ?? record.actor.id}
          {record.actor.email ? <span className="muted"> · {record.actor.email}</span> : null}
        </dd>
        <dt>Entity</dt>
        <dd>
          {record.entity.name ?? record.entity.id} <span className="muted">({record.entity.type.replaceAll('_', ' ')})</span>
        </dd>
        <dt>Product</dt>
        <dd>{productDisplayName(catalog, record.product)}</dd>
        <dt>Event type</dt>
        <dd data-testid="event-type">
          <code>{record.type}</code>
          {/* Version 1 is implied when absent: records written before a type changed shape keep theirs. */}
          <span className="muted"> · version {record.typeVersion ?? 1}</span>
        </dd>
        <dt>Sent by</dt>
        <dd data-testid="producer">
          {record.producer ? (
            <>
              producer key {record.producer.name}{' '}
              <span className="muted">
                · <code>{record.producer.id}</code>
              </span>
            </>
          ) : (
            'Attest'
          )}
        </dd>
        <dt>Log ID</dt>
        <dd className="log-id-row">
          <code data-testid="log-id">{record.logId}</code>
          <CopyButton text={record.logId} label="Copy Log ID" />
        </dd>
      </dl>
      <ProofStatus orgId={orgId} record={record} />
      {record.changes && record.changes.length > 0 ? (
        <section aria-labelledby="changes-title">
          <h3 id="changes-title" className="section-title">
            Changes
          </h3>
          <table className="changes-table">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {record.changes.map((change) => (
                <tr key={change.field}>
                  <td>{change.field}</td>
                  <td>{showValue(change.from)}</td>
                  <td>{showValue(change.to)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <section aria-labelledby="json-title">
        <div className="section-title-row">
          <h3 id="json-title" className="section-title">
            Activity Details (JSON)
          </h3>
          <CopyButton text={JSON.stringify(record, null, 2)} label="Copy JSON" />
        </div>
        <pre className="json-block" data-testid="activity-json" tabIndex={0} aria-label="Activity details as JSON">
          {JSON.stringify(record, null, 2)}
        </pre>
      </section>
    </>
  );
}

/**
 * The Activity Details panel a row opens: the record in words, whether this browser can prove it is in the
 * signed log, its before/after changes and the full JSON.
 */
export function ActivityDetailsPanel({
  orgId,
  logId,
  fromTable,
  zone,
  catalog,
  onClose,
}: {
  orgId: string;
  logId: string | null;
  fromTable: AuditEvent | undefined;
  zone: string;
  catalog: Catalog | undefined;
  onClose: () => void;
}) {
  const event = useAuditLog(orgId, logId, fromTable);
  // The panel has no trigger: on closing, focus goes back to the row it showed (its logId is null by then).
  const shownLogId = useRef(logId);
  useEffect(() => {
    if (logId !== null) shownLogId.current = logId;
  }, [logId]);
  const rowOfPanel = () =>
    shownLogId.current ? document.querySelector<HTMLElement>(`tr.audit-row[data-log-id="${CSS.escape(shownLogId.current)}"]`) : null;
  return (
    <SidePanel open={logId !== null} onOpenChange={(open) => !open && onClose()} title="Activity Details" returnFocus={rowOfPanel}>
      {event.data ? (
        <Details orgId={orgId} record={event.data} zone={zone} catalog={catalog} />
      ) : event.isError ? (
        <StatusMessage kind="error" title="This event could not be shown.">
          {errorMessage(event.error)} Check the Log ID, or close the panel and pick a row.
        </StatusMessage>
      ) : (
        <StatusMessage kind="loading" title="Loading the event…" />
      )}
    </SidePanel>
  );
}
