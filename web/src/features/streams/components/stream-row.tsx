import { errorMessage } from '../../../lib/api-client.js';
import { useChangeStream, useSendTestEvent, type StreamDestination, type StreamWithSecret } from '../api/streams-api.js';
import { formatDateTime } from '../../../lib/date-time-format.js';
import { KIND_LABELS, lagText, STATE_LABELS } from './stream-text.js';

/** Why a destination is in its state, in a few words beside the state's name. */
function stateDetail(stream: StreamDestination, zone: string): string | null {
  if (stream.state === 'paused') return 'Nothing is sent until it is resumed; it then catches up.';
  if (stream.state === 'failing')
    return `Failing since ${stream.failingSince ? formatDateTime(stream.failingSince, zone) : 'over a day'}; tried again hourly.`;
  if (stream.state === 'retrying') return stream.nextAttemptAt ? `Next attempt ${formatDateTime(stream.nextAttemptAt, zone)}.` : null;
  return null;
}

/**
 * One destination: what it is, its state in words, how far it has got, its last error, and its actions. What an
 * action answered (a test event's result, a refused change) is shown in this row, where it was asked.
 */
export function StreamRow({
  orgId,
  stream,
  zone,
  onEdit,
  onDelete,
  onSecret,
}: {
  orgId: string;
  stream: StreamDestination;
  zone: string;
  onEdit: () => void;
  onDelete: () => void;
  onSecret: (saved: StreamWithSecret) => void;
}) {
  const change = useChangeStream(orgId);
  const test = useSendTestEvent(orgId);
  const detail = stateDetail(stream, zone);
  const label = `${KIND_LABELS[stream.kind]} ${stream.url}`;

  return (
    <tr data-stream-id={stream.id} aria-label={label}>
      <td>
        <span className="cell-primary">{KIND_LABELS[stream.kind]}</span>
        <span className="cell-secondary stream-url" title={stream.url}>
          {stream.url}
        </span>
      </td>
      <td>
        <span className={`stream-state stream-state-${stream.state}`} data-testid="stream-state">
          <span className="stream-state-dot" aria-hidden="true" />
          {STATE_LABELS[stream.state]}
        </span>
        {detail ? <span className="cell-secondary">{detail}</span> : null}
      </td>
      <td data-testid="stream-last-delivered">
        {stream.lastDeliveredAt ? (
          <>
            <span className="cell-primary">{formatDateTime(stream.lastDeliveredAt, zone)}</span>
            <span className="cell-secondary">up to event #{stream.lastDeliveredSeq}</span>
          </>
        ) : (
          <span className="muted">Nothing yet</span>
        )}
      </td>
      <td data-testid="stream-lag">{lagText(stream)}</td>
      <td data-testid="stream-last-error">
        {stream.lastError ? <span className="stream-error">{stream.lastError}</span> : <span className="muted">None</span>}
      </td>
      <td>
        <div className="row-actions stream-actions">
          <button
            type="button"
            className="button button-small"
            disabled={change.isPending}
            onClick={() => change.mutate({ id: stream.id, change: { enabled: !stream.enabled } })}
          >
            {stream.enabled ? 'Pause' : 'Resume'}
          </button>
          <button type="button" className="button button-small" disabled={test.isPending} onClick={() => test.mutate(stream.id)}>
            {test.isPending ? 'Sending…' : 'Send test event'}
          </button>
          <button type="button" className="button button-small" onClick={onEdit}>
            Edit
          </button>
          {stream.kind === 'webhook' ? (
            <button
              type="button"
              className="button button-small"
              disabled={change.isPending}
              onClick={() => change.mutate({ id: stream.id, change: { rotateSecret: true } }, { onSuccess: onSecret })}
            >
              Rotate secret
            </button>
          ) : null}
          <button type="button" className="button button-small button-danger" onClick={onDelete}>
            Delete
          </button>
        </div>
        <div className="stream-feedback" data-testid="stream-feedback">
          {change.error ? (
            <p className="form-error" role="alert">
              {errorMessage(change.error)}
            </p>
          ) : null}
          {test.error ? (
            <p className="form-error" role="alert">
              {errorMessage(test.error)}
            </p>
          ) : test.data ? (
            test.data.delivered ? (
              <p className="form-success" role="status">
                Test event accepted by the receiver in {test.data.durationMs} ms.
              </p>
            ) : (
              <p className="form-error" role="alert">
                Test event not accepted: {test.data.error ?? 'no reason given'}
              </p>
            )
          ) : null}
        </div>
      </td>
    </tr>
  );
}
