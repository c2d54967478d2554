import { useState, type FormEvent } from 'react';
import { CopyButton } from '../../../components/ui/copy-button.js';
import { MutationFeedback } from '../../../components/ui/mutation-feedback.js';
import { errorMessage } from '../../../lib/api-client.js';
import { USER_TYPE_LABELS, type Membership, type UserType } from '../../../lib/api-types.js';
import {
  useGrantProxyAccess,
  useInviteLink,
  useMultiOrgVisibility,
  useProxyGrants,
  useRegenerateInviteLink,
  userListExportUrl,
  useSetMultiOrgVisibility,
} from '../api/org-settings-api.js';

/** The invite link (shown, copyable, regenerable) and the user-list export. */
export function InviteAndExportSection({ orgId }: { orgId: string }) {
  const link = useInviteLink(orgId);
  const regenerate = useRegenerateInviteLink(orgId);
  // The API answers a path (it cannot know the public host); people copy a full address.
  const url = link.data?.url ? new URL(link.data.url, window.location.origin).href : '';
  return (
    <section className="card" aria-labelledby="invite-title">
      <h2 id="invite-title" className="card-title">
        Invite link and user list
      </h2>
      {link.isError ? (
        <p className="form-error" role="alert">
          {errorMessage(link.error)}
        </p>
      ) : null}
      <div className="inline-form">
        <input
          className="input"
          readOnly
          aria-label="Invite link"
          value={link.isPending ? 'Loading…' : url || 'Shown only when made: regenerate it to get a link to share'}
        />
        {url ? <CopyButton text={url} label="Copy invite link" /> : null}
        <button type="button" className="button" onClick={() => regenerate.mutate(undefined)} disabled={regenerate.isPending}>
          Regenerate invite link
        </button>
        <a className="button" href={userListExportUrl(orgId)} download>
          Export user list
        </a>
      </div>
      <MutationFeedback
        error={regenerate.error}
        success={regenerate.isSuccess}
        successText="A new invite link was made; the old one no longer works."
      />
    </section>
  );
}

function VisibilityForm({
  others,
  saved,
  saving,
  onSave,
}: {
  others: Membership[];
  saved: string[];
  saving: boolean;
  onSave: (ids: string[]) => void;
}) {
  const [draft, setDraft] = useState(saved);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSave(draft);
  };
  return (
    <form onSubmit={submit} aria-label="Multiple organization user visibility">
      <fieldset className="fieldset">
        <legend className="field-label">Users of these organizations are visible here</legend>
        {others.length === 0 ? <p className="muted small">You belong to no other organization.</p> : null}
        {others.map((o) => (
          <label key={o.orgId} className="checkbox">
            <input
              type="checkbox"
              checked={draft.includes(o.orgId)}
              onChange={(e) => setDraft(e.target.checked ? [...draft, o.orgId] : draft.filter((id) => id !== o.orgId))}
            />
            {o.orgName}
          </label>
        ))}
      </fieldset>
      {others.length > 0 ? (
        <button type="submit" className="button" disabled={saving}>
          Save visibility
        </button>
      ) : null}
    </form>
  );
}

/** Owner settings: which other organizations' users are visible here, and proxy access for outside users. */
export function OwnerSettingsSection({ orgId, organizations }: { orgId: string; organizations: Membership[] }) {
  const visibility = useMultiOrgVisibility(orgId);
  const setVisibility = useSetMultiOrgVisibility(orgId);
  const grants = useProxyGrants(orgId);
  const grant = useGrantProxyAccess(orgId);
  const [proxy, setProxy] = useState({ email: '', userType: 'standard' as UserType, expiresAt: '' });
  // Only organizations the owner belongs to in their own right can be made visible.
  const others = organizations.filter((o) => o.orgId !== orgId && !o.viaProxy);

  const submitProxy = (event: FormEvent) => {
    event.preventDefault();
    const input = {
      email: proxy.email.trim(),
      userType: proxy.userType,
      ...(proxy.expiresAt ? { expiresAt: new Date(proxy.expiresAt).toISOString() } : {}),
    };
    grant.mutate(input, { onSuccess: () => setProxy({ email: '', userType: 'standard', expiresAt: '' }) });
  };

  return (
    <section className="card" aria-labelledby="owner-settings-title">
      <h2 id="owner-settings-title" className="card-title">
        Multiple organizations
      </h2>
      {visibility.isSuccess ? (
        // Keyed by the saved list, so the draft starts again from what the server holds after each save.
        <VisibilityForm
          key={visibility.data.visibleOrgIds.join()}
          others={others}
          saved={visibility.data.visibleOrgIds}
          saving={setVisibility.isPending}
          onSave={(ids) => setVisibility.mutate(ids)}
        />
      ) : null}
      <MutationFeedback error={visibility.error ?? setVisibility.error} success={setVisibility.isSuccess} successText="Visibility saved." />

      <h3 className="section-title">Proxy access</h3>
      <ul className="plain-list">
        {(grants.data ?? []).map((g) => (
          <li key={g.userId} className="plain-list-item">
            <span>
              {g.name}{' '}
              <span className="muted">
                {g.email} · {USER_TYPE_LABELS[g.userType]}
                {g.expiresAt ? ` · until ${g.expiresAt.slice(0, 10)}` : ''}
              </span>
            </span>
          </li>
        ))}
      </ul>
      <form className="inline-form" onSubmit={submitProxy} aria-label="Grant proxy access">
        <input
          className="input"
          type="email"
          name="proxyEmail"
          aria-label="Proxy user email"
          placeholder="Email of a user in another organization"
          required
          value={proxy.email}
          onChange={(e) => setProxy({ ...proxy, email: e.target.value })}
        />
        <select
          className="select"
          aria-label="Proxy user type"
          value={proxy.userType}
          onChange={(e) => setProxy({ ...proxy, userType: e.target.value as UserType })}
        >
          {(['admin', 'standard'] as const).map((t) => (
            <option key={t} value={t}>
              {USER_TYPE_LABELS[t]}
            </option>
          ))}
        </select>
        <input
          className="input"
          type="date"
          aria-label="Access expires on (optional)"
          value={proxy.expiresAt}
          onChange={(e) => setProxy({ ...proxy, expiresAt: e.target.value })}
        />
        <button type="submit" className="button">
          Grant proxy access
        </button>
      </form>
      <MutationFeedback error={grant.error ?? grants.error} success={grant.isSuccess} successText="Proxy access granted." />
    </section>
  );
}
