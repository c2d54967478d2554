import { useState } from 'react';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog.js';
import { MutationFeedback } from '../../../components/ui/mutation-feedback.js';
import { LoadFailedMessage } from '../../../components/ui/load-failed-message.js';
import { StatusMessage } from '../../../components/ui/status-message.js';
import { USER_TYPE_LABELS, type UserType } from '../../../lib/api-types.js';
import { useChangeUserType, useMembers, useRemoveUser, type Member } from '../api/users-api.js';
import { AccessDialog } from './access-dialog.js';

/** The members table: search, change a user's type, edit their permissions, remove them. */
export function MembersSection({ orgId, myUserId, assignableTypes }: { orgId: string; myUserId: string; assignableTypes: UserType[] }) {
  const [q, setQ] = useState('');
  const members = useMembers(orgId, q);
  const changeType = useChangeUserType(orgId);
  const removeUser = useRemoveUser(orgId);
  const [editing, setEditing] = useState<Member | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);

  return (
    <section className="card" aria-labelledby="members-title">
      <div className="card-header">
        <h2 id="members-title" className="card-title">
          Users
        </h2>
        <input
          className="input input-search"
          type="search"
          aria-label="Search users"
          placeholder="Search by email or name"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
      </div>
      <MutationFeedback
        error={changeType.error ?? removeUser.error}
        success={changeType.isSuccess || removeUser.isSuccess}
        successText="Saved. The change is recorded in the Audit Logs."
      />
      {members.isPending ? (
        <StatusMessage kind="loading" title="Loading users…" />
      ) : members.isError ? (
        <LoadFailedMessage title="The users could not be loaded." error={members.error} onRetry={() => void members.refetch()} />
      ) : members.data.length === 0 ? (
        <StatusMessage kind="empty" title={q ? 'No user matches this search.' : 'No users yet.'}>
          {q ? 'Try part of the email or name.' : 'Add one below.'}
        </StatusMessage>
      ) : (
        <table className="data-table" aria-label="Users">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">User type</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.data.map((member) => (
              <tr key={member.id} data-email={member.email}>
                <td>
                  {member.name}
                  {member.viaProxy ? <span className="pill">proxy</span> : null}
                </td>
                <td>{member.email}</td>
                <td>
                  <select
                    className="select"
                    aria-label={`User type of ${member.email}`}
                    value={member.userType}
                    disabled={member.id === myUserId || changeType.isPending}
                    onChange={(e) => changeType.mutate({ userId: member.id, userType: e.target.value as UserType })}
                  >
                    {(['owner', 'admin', 'standard'] as const).map((type) => (
                      <option key={type} value={type} disabled={!assignableTypes.includes(type)}>
                        {USER_TYPE_LABELS[type]}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <div className="row-actions">
                    <button
                      type="button"
                      className="button button-small"
                      onClick={() => setEditing(member)}
                      aria-label={`Permissions of ${member.email}`}
                    >
                      Permissions
                    </button>
                    <button
                      type="button"
                      className="button button-small button-danger"
                      disabled={member.id === myUserId}
                      onClick={() => setRemoving(member)}
                      aria-label={`Remove ${member.email}`}
                    >
                      Remove
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing ? <AccessDialog orgId={orgId} member={editing} onClose={() => setEditing(null)} /> : null}
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        title="Remove user?"
        confirmLabel="Yes, remove"
        onConfirm={() => {
          if (removing) removeUser.mutate(removing.id);
          setRemoving(null);
        }}
      >
        <p>
          {removing?.name} ({removing?.email}) will lose access to this organization.
        </p>
      </ConfirmDialog>
    </section>
  );
}
