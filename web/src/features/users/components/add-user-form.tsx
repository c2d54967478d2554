import { useState, type FormEvent } from 'react';
import { CopyButton } from '../../../components/ui/copy-button.js';
import { errorMessage } from '../../../lib/api-client.js';
import { USER_TYPE_LABELS, type UserType } from '../../../lib/api-types.js';
import { useAddUser } from '../api/users-api.js';

/**
 * Adds one user: email, name and user type. Nobody sets another person's password: the answer is a one-time
 * welcome link, shown here once, that the adder hands to the person.
 */
export function AddUserForm({ orgId, assignableTypes }: { orgId: string; assignableTypes: UserType[] }) {
  const addUser = useAddUser(orgId);
  const [form, setForm] = useState({ email: '', name: '', userType: 'standard' as UserType });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    addUser.mutate(
      { email: form.email.trim(), name: form.name.trim(), userType: form.userType },
      { onSuccess: () => setForm({ email: '', name: '', userType: 'standard' }) },
    );
  };
  const added = addUser.data;
  // The API answers a path (it cannot know the public host); people copy a full address.
  const link = added ? new URL(added.welcomeLink.url, window.location.origin).href : '';
  return (
    <form className="card form-grid" onSubmit={submit} aria-labelledby="add-user-title">
      <h2 id="add-user-title" className="card-title">
        Add user
      </h2>
      <label className="field">
        <span className="field-label">Email</span>
        <input
          className="input"
          type="email"
          name="email"
          required
          value={form.email}
          onChange={(e) => setForm({ ...form, email: e.target.value })}
        />
      </label>
      <label className="field">
        <span className="field-label">Name</span>
        <input
          className="input"
          type="text"
          name="name"
          required
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
        />
      </label>
      <label className="field">
        <span className="field-label">User type</span>
        <select
          className="select"
          name="userType"
          value={form.userType}
          onChange={(e) => setForm({ ...form, userType: e.target.value as UserType })}
        >
          {assignableTypes.map((type) => (
            <option key={type} value={type}>
              {USER_TYPE_LABELS[type]}
            </option>
          ))}
        </select>
      </label>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={addUser.isPending}>
          Add user
        </button>
      </div>
      {addUser.isError ? (
        <p className="form-error" role="alert">
          {errorMessage(addUser.error)}
        </p>
      ) : null}
      {added ? (
        <div className="form-success" role="status">
          <p>
            {added.status === 'pending'
              ? `User invited. ${added.email} joins once they open this link and accept, signed in with their own account.`
              : `User added. ${added.email} chooses their own password at this link.`}{' '}
            The link works once, until {new Date(added.welcomeLink.expiresAt).toLocaleString()}, and is shown only now. The change is
            recorded in the Audit Logs.
          </p>
          <div className="inline-form">
            <input className="input" readOnly aria-label="Welcome link" value={link} />
            <CopyButton text={link} label="Copy welcome link" />
          </div>
        </div>
      ) : null}
    </form>
  );
}
