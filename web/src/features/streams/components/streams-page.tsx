import { useRef, useState } from 'react';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog.js';
import { SidePanel } from '../../../components/ui/side-panel.js';
import { LoadFailedMessage } from '../../../components/ui/load-failed-message.js';
import { StatusMessage } from '../../../components/ui/status-message.js';
import { ApiError, errorMessage } from '../../../lib/api-client.js';
import type { Membership } from '../../../lib/api-types.js';
import { navigate } from '../../../lib/router.js';
import { useDeleteStream, useStreams, type StreamDestination, type StreamWithSecret } from '../api/streams-api.js';
import { SecretNotice } from './secret-notice.js';
import { StreamForm } from './stream-form.js';
import { StreamRow } from './stream-row.js';
import { StreamsNoAccess } from './streams-no-access.js';
import { KIND_LABELS } from './stream-text.js';
import './streams.css';

/** User Management > Audit Logs > Streams: owners manage where the log is sent; others see why they cannot. */
export function StreamsPage({ membership }: { membership: Membership }) {
  if (membership.userType !== 'owner') return <StreamsNoAccess orgName={membership.orgName} userType={membership.userType} />;
  return <OwnerStreams membership={membership} />;
}

type Panel = { mode: 'add' } | { mode: 'edit'; stream: StreamDestination } | null;

function OwnerStreams({ membership }: { membership: Membership }) {
  const { orgId, timeZone: zone } = membership;
  const streams = useStreams(orgId);
  const remove = useDeleteStream(orgId);
  const [panel, setPanel] = useState<Panel>(null);
  const [secret, setSecret] = useState<{ secret: string; url: string } | null>(null);
  const [deleting, setDeleting] = useState<StreamDestination | null>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  // The panel opens from a button (Add, or a row's Edit); closing it returns focus there.
  const opener = useRef<HTMLElement | null>(null);
  const openPanel = (next: Exclude<Panel, null>) => {
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setPanel(next);
  };

  const showSecret = (saved: StreamWithSecret) => {
    if (saved.secret) setSecret({ secret: saved.secret, url: saved.url });
  };

  if (streams.error instanceof ApiError && streams.error.status === 403) {
    return <StreamsNoAccess orgName={membership.orgName} userType={membership.userType} />;
  }

  return (
    <section className="streams-page" aria-labelledby="streams-title">
      <header className="page-header">
        <div>
          <nav aria-label="Breadcrumb" className="breadcrumb">
            User Management <span aria-hidden="true">›</span>{' '}
            <a
              href={`/orgs/${orgId}/audit-logs`}
              onClick={(event) => {
                // A plain click stays in the app; a modified one opens a new tab as usual.
                if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
                event.preventDefault();
                navigate(`/orgs/${orgId}/audit-logs`);
              }}
            >
              Audit Logs
            </a>{' '}
            <span aria-hidden="true">›</span> Streams
          </nav>
          <h1 id="streams-title" className="page-title">
            Streams
          </h1>
        </div>
        <button type="button" className="button button-primary" ref={addButton} onClick={() => openPanel({ mode: 'add' })}>
          Add destination
        </button>
      </header>
      <p className="muted stream-intro">
        Every audit event of {membership.orgName} committed after a destination is added is sent to it, at least once and in order, signed.
        Receivers should drop an event whose Log ID they already have.
      </p>

      {secret ? <SecretNotice secret={secret.secret} url={secret.url} onDone={() => setSecret(null)} /> : null}
      {remove.error ? (
        <p className="form-error" role="alert">
          {errorMessage(remove.error)}
        </p>
      ) : null}

      {streams.isPending ? (
        <StatusMessage kind="loading" title="Loading streams…" />
      ) : streams.isError ? (
        <LoadFailedMessage title="The streams could not be loaded." error={streams.error} onRetry={() => void streams.refetch()} />
      ) : streams.data.length === 0 ? (
        <StatusMessage
          kind="empty"
          title="No destinations yet."
          action={
            <button type="button" className="button" onClick={() => openPanel({ mode: 'add' })}>
              Add destination
            </button>
          }
        >
          Send this organization&apos;s audit events to a SIEM, a webhook or syslog.
        </StatusMessage>
      ) : (
        <div className="table-scroller">
          <table className="data-table streams-table" aria-label="Stream destinations">
            <thead>
              <tr>
                <th scope="col">Destination</th>
                <th scope="col">State</th>
                <th scope="col">Last delivered</th>
                <th scope="col">Lag</th>
                <th scope="col">Last error</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {streams.data.map((stream) => (
                <StreamRow
                  key={stream.id}
                  orgId={orgId}
                  stream={stream}
                  zone={zone}
                  onEdit={() => openPanel({ mode: 'edit', stream })}
                  onDelete={() => setDeleting(stream)}
                  onSecret={showSecret}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}

      <SidePanel
        open={panel !== null}
        onOpenChange={(open) => (open ? undefined : setPanel(null))}
        returnFocus={() => (opener.current?.isConnected ? opener.current : addButton.current)}
        title={panel?.mode === 'edit' ? 'Change destination' : 'Add destination'}
        description={
          panel?.mode === 'edit'
            ? `${KIND_LABELS[panel.stream.kind]} ${panel.stream.url}`
            : 'Where to send the audit events, and which ones.'
        }
      >
        {panel ? (
          <StreamForm
            key={panel.mode === 'edit' ? panel.stream.id : 'new'}
            orgId={orgId}
            stream={panel.mode === 'edit' ? panel.stream : undefined}
            onSaved={(saved) => {
              setPanel(null);
              showSecret(saved);
            }}
          />
        ) : null}
      </SidePanel>

      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => (open ? undefined : setDeleting(null))}
        title="Delete this destination?"
        confirmLabel="Yes, delete"
        onConfirm={() => {
          if (deleting) remove.mutate(deleting.id, { onSettled: () => addButton.current?.focus() });
          setDeleting(null);
        }}
      >
        {deleting ? (
          <p>
            {KIND_LABELS[deleting.kind]} <span className="stream-url">{deleting.url}</span> will receive no more events. Events already sent
            stay where they are. This cannot be undone.
          </p>
        ) : null}
      </ConfirmDialog>
    </section>
  );
}
