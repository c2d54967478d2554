import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../../lib/api-client.js';
import { USER_TYPE_LABELS, type Invitation } from '../../../lib/api-types.js';
import { navigate } from '../../../lib/router.js';
import { tokenOfWelcomeLink, useAcceptInvitation, useDeclineInvitation } from '../api/account.js';

/**
 * The signed-in person's pending invitations, each with Accept and Decline. Accepting takes the invitation link the
 * organization sent: signing in alone is not proof that the invitation reached the right person.
 */
export function InvitationsPanel({ invitations }: { invitations: Invitation[] }) {
  if (invitations.length === 0) return null;
  return (
    <section className="card invitations" aria-labelledby="invitations-title">
      <h2 id="invitations-title" className="card-title">
        Pending invitations
      </h2>
      <ul className="plain-list">
        {invitations.map((invitation) => (
          <InvitationRow key={invitation.orgId} invitation={invitation} />
        ))}
      </ul>
    </section>
  );
}

function InvitationRow({ invitation }: { invitation: Invitation }) {
  const accept = useAcceptInvitation();
  const decline = useDeclineInvitation();
  const [accepting, setAccepting] = useState(false);
  const [link, setLink] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    accept.mutate(tokenOfWelcomeLink(link), {
      onSuccess: (joined) => navigate(`/orgs/${joined.orgId}/${joined.userType === 'owner' ? 'audit-logs' : 'users'}`),
    });
  };
  return (
    <li data-invitation-org={invitation.orgId}>
      <p>
        <strong>{invitation.orgName}</strong> invited you as {USER_TYPE_LABELS[invitation.userType]}.
      </p>
      {accepting ? (
        <form className="inline-form" onSubmit={submit}>
          <input
            className="input"
            aria-label={`Invitation link from ${invitation.orgName}`}
            placeholder="Paste the invitation link you were sent"
            required
            value={link}
            onChange={(e) => setLink(e.target.value)}
          />
          <button type="submit" className="button button-primary" disabled={accept.isPending}>
            Accept
          </button>
        </form>
      ) : (
        <div className="row-actions">
          <button type="button" className="button button-primary button-small" onClick={() => setAccepting(true)}>
            Accept
          </button>
          <button
            type="button"
            className="button button-small"
            disabled={decline.isPending}
            onClick={() => decline.mutate(invitation.orgId)}
          >
            Decline
          </button>
        </div>
      )}
      {accept.isError ? (
        <p className="form-error" role="alert">
          {errorMessage(accept.error)}
        </p>
      ) : null}
      {decline.isError ? (
        <p className="form-error" role="alert">
          {errorMessage(decline.error)}
        </p>
      ) : null}
    </li>
  );
}
