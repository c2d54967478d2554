import { useState, type FormEvent } from 'react';
import { MutationFeedback } from '../../../components/ui/mutation-feedback.js';
import {
  useChangeStream,
  useCreateStream,
  useFilterChoices,
  type StreamChangeInput,
  type StreamDestination,
  type StreamFilter,
  type StreamKind,
  type StreamWithSecret,
} from '../api/streams-api.js';
import { KIND_LABELS, URL_PLACEHOLDERS } from './stream-text.js';

interface Draft {
  kind: StreamKind;
  url: string;
  secret: string;
  token: string;
  security: boolean;
  actions: string[];
  types: string[];
  /** PEM certificates to trust instead of the system CAs; empty keeps what is set. */
  caBundle: string;
  /** Drop the destination's CA bundle and trust the system CAs again. */
  dropCaBundle: boolean;
}

function draftOf(stream: StreamDestination | undefined): Draft {
  return {
    kind: stream?.kind ?? 'webhook',
    url: stream?.url ?? '',
    secret: '',
    token: '',
    security: stream?.filter.security === true,
    actions: stream?.filter.actions ?? [],
    types: stream?.filter.types ?? [],
    caBundle: '',
    dropCaBundle: false,
  };
}

/** The filter as the API takes it: only the criteria chosen (none: every event). */
function filterOf(draft: Draft): StreamFilter {
  return {
    ...(draft.types.length > 0 ? { types: draft.types } : {}),
    ...(draft.actions.length > 0 ? { actions: draft.actions } : {}),
    ...(draft.security ? { security: true as const } : {}),
  };
}

const toggle = (list: string[], value: string, on: boolean) => (on ? [...list, value] : list.filter((v) => v !== value));

/**
 * Adding a destination (kind, URL, its credential, a filter) or changing one (URL, credential, filter). Kind
 * by kind it asks only what that kind uses: a webhook's secret (generated when left empty), a Splunk HEC token,
 * nothing for syslog. The server's reason for refusing is shown under the form.
 */
export function StreamForm({
  orgId,
  stream,
  onSaved,
}: {
  orgId: string;
  /** The destination to change; absent to add one. */
  stream?: StreamDestination;
  onSaved: (saved: StreamWithSecret) => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(stream));
  const create = useCreateStream(orgId);
  const change = useChangeStream(orgId);
  const choices = useFilterChoices();
  const saving = create.isPending || change.isPending;
  const kind = stream?.kind ?? draft.kind;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const filter = filterOf(draft);
    const url = draft.url.trim();
    if (!stream) {
      create.mutate(
        {
          kind,
          url,
          filter,
          ...(kind === 'webhook' && draft.secret ? { secret: draft.secret } : {}),
          ...(kind === 'splunk-hec' ? { token: draft.token } : {}),
          ...(draft.caBundle.trim() ? { caBundle: draft.caBundle } : {}),
        },
        { onSuccess: onSaved },
      );
      return;
    }
    const changes: StreamChangeInput = { filter };
    if (url !== stream.url) changes.url = url;
    if (kind === 'webhook' && draft.secret) changes.secret = draft.secret;
    if (kind === 'splunk-hec' && draft.token) changes.token = draft.token;
    if (draft.caBundle.trim()) changes.caBundle = draft.caBundle;
    else if (draft.dropCaBundle) changes.caBundle = null;
    change.mutate({ id: stream.id, change: changes }, { onSuccess: onSaved });
  };

  return (
    <form onSubmit={submit} aria-label={stream ? 'Change destination' : 'Add destination'} className="stream-form">
      {stream ? (
        <p className="muted">{KIND_LABELS[stream.kind]} destination. Its kind cannot change; add another destination for another kind.</p>
      ) : (
        <label className="field">
          <span className="field-label">Kind</span>
          <select
            className="select"
            name="kind"
            value={draft.kind}
            onChange={(e) => setDraft({ ...draft, kind: e.target.value as StreamKind })}
          >
            {(Object.keys(KIND_LABELS) as StreamKind[]).map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
      )}

      <label className="field">
        <span className="field-label">{kind === 'syslog' ? 'Address' : 'URL'}</span>
        <input
          className="input"
          name="url"
          required
          placeholder={URL_PLACEHOLDERS[kind]}
          value={draft.url}
          onChange={(e) => setDraft({ ...draft, url: e.target.value })}
        />
        <span className="muted small">
          {kind === 'syslog'
            ? 'tls://host:port, or tcp://host:port on a trusted network. RFC 5424 messages, octet-counted.'
            : kind === 'splunk-hec'
              ? 'The HTTP Event Collector’s base URL; events go to /services/collector/event.'
              : 'Each batch of up to 100 events is POSTed here as JSON, signed with the secret.'}
        </span>
      </label>

      {kind === 'webhook' ? (
        <label className="field">
          <span className="field-label">{stream ? 'New signing secret (optional)' : 'Signing secret (optional)'}</span>
          <input
            className="input"
            name="secret"
            type="password"
            autoComplete="off"
            value={draft.secret}
            onChange={(e) => setDraft({ ...draft, secret: e.target.value })}
          />
          <span className="muted small">
            {stream ? 'Leave empty to keep the current secret.' : 'Leave empty and Attest generates one, shown to you once.'}
          </span>
        </label>
      ) : null}
      {kind === 'splunk-hec' ? (
        <label className="field">
          <span className="field-label">{stream ? 'New HEC token (optional)' : 'HEC token'}</span>
          <input
            className="input"
            name="token"
            type="password"
            autoComplete="off"
            required={!stream}
            value={draft.token}
            onChange={(e) => setDraft({ ...draft, token: e.target.value })}
          />
          {stream ? <span className="muted small">Leave empty to keep the current token.</span> : null}
        </label>
      ) : null}

      <details className="stream-ca" open={stream?.hasCaBundle === true || draft.caBundle !== ''}>
        <summary>Private certificate authority{stream?.hasCaBundle ? ' (set)' : ''}</summary>
        <label className="field">
          <span className="field-label">CA certificates (PEM)</span>
          <textarea
            className="input textarea"
            name="caBundle"
            rows={4}
            spellCheck={false}
            placeholder={'-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----'}
            value={draft.caBundle}
            onChange={(e) => setDraft({ ...draft, caBundle: e.target.value })}
          />
          <span className="muted small">
            {stream?.hasCaBundle
              ? 'This destination trusts its own CA bundle. Paste certificates to replace it; leave empty to keep it.'
              : 'Only when the receiver’s certificate is signed by your own CA: its certificates are trusted instead of the system’s. Never paste a private key.'}
          </span>
        </label>
        {stream?.hasCaBundle ? (
          <label className="checkbox">
            <input
              type="checkbox"
              name="dropCaBundle"
              checked={draft.dropCaBundle}
              disabled={draft.caBundle.trim() !== ''}
              onChange={(e) => setDraft({ ...draft, dropCaBundle: e.target.checked })}
            />
            Remove it and trust the system CAs again
          </label>
        ) : null}
      </details>

      <fieldset className="fieldset">
        <legend className="field-label">Which events</legend>
        <p className="muted small">With nothing chosen, every event is sent. Choices combine: an event must meet each of them.</p>
        <label className="checkbox">
          <input
            type="checkbox"
            name="securityOnly"
            checked={draft.security}
            onChange={(e) => setDraft({ ...draft, security: e.target.checked })}
          />
          Security actions only
        </label>
        <fieldset className="fieldset">
          <legend className="small">Action types</legend>
          <div className="checkbox-grid">
            {(choices.data?.actionTypes ?? []).map((action) => (
              <label key={action} className="checkbox">
                <input
                  type="checkbox"
                  checked={draft.actions.includes(action)}
                  onChange={(e) => setDraft({ ...draft, actions: toggle(draft.actions, action, e.target.checked) })}
                />
                {action}
              </label>
            ))}
          </div>
        </fieldset>
        <details className="stream-types" open={draft.types.length > 0}>
          <summary>Event types{draft.types.length > 0 ? ` (${draft.types.length} chosen)` : ''}</summary>
          <div className="checkbox-grid">
            {(choices.data?.eventTypes ?? []).map((t) => (
              <label key={t.type} className="checkbox" title={t.type}>
                <input
                  type="checkbox"
                  checked={draft.types.includes(t.type)}
                  onChange={(e) => setDraft({ ...draft, types: toggle(draft.types, t.type, e.target.checked) })}
                />
                {t.activity}
              </label>
            ))}
          </div>
        </details>
      </fieldset>

      <MutationFeedback error={create.error ?? change.error} success={false} successText="" />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving}>
          {saving ? 'Saving…' : stream ? 'Save changes' : 'Add destination'}
        </button>
      </div>
    </form>
  );
}
