import { useState, type FormEvent } from 'react';
import { MutationFeedback } from '../../../components/ui/mutation-feedback.js';
import { USER_TYPE_LABELS, type UserType } from '../../../lib/api-types.js';
import { useAddUser } from '../api/users-api.js';

/** Adds one user: email, name, user type and (for a new account) a password. */
export function AddUserForm({ orgId, assignableTypes }: { orgId: string; assignableTypes: UserType[] }) {
  const addUser = useAddUser(orgId);
  const [form, setForm] = useState({ email: '', name: '', userType: 'standard' as UserType, password: '' });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input = { email: form.email.trim(), name: form.name.trim(), userType: form.userType, ...(form.password ? { password: form.password } : {}) };
    addUser.mutate(input, { onSuccess: () => setForm({ email: '', name: '', userType: 'standard', password: '' }) });
  };
  return (
    <form className="card form-grid" onSubmit={submit} aria-labelledby="add-user-title">
      <h2 id="add-user-title" className="card-title">Add user</h2>
      <label className="field">
        <span className="field-label">Email</span>
        <input className="input" type="email" name="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
      </label>
      <label className="field">
        <span className="field-label">Name</span>
        <input className="input" type="text" name="name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
      </label>
      <label className="field">
        <span className="field-label">User type</span>
        <select className="select" name="userType" value={form.userType} onChange={(e) => setForm({ ...form, userType: e.target.value as UserType })}>
          {assignableTypes.map((type) => <option key={type} value={type}>{USER_TYPE_LABELS[type]}</option>)}
        </select>
      </label>
      <label className="field">
        <span className="field-label">Password (new accounts, optional)</span>
        <input className="input" type="password" name="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
      </label>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={addUser.isPending}>Add user</button>
      </div>
      <MutationFeedback error={addUser.error} success={addUser.isSuccess} successText="User added. The change is recorded in the Audit Logs." />
    </form>
  );
}
