import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { apiRequest, errorMessage } from '../../../lib/api-client.js';
import { useLogin } from '../api/session.js';

/**
 * Where an invite link leads (`/join/{token}`): the person names themselves and chooses a password, joins the
 * organization as a standard user (`POST /api/v1/invites/{token}/join`) and is signed in.
 */
export function JoinPage({ token }: { token: string }) {
  const login = useLogin();
  const join = useMutation({
    mutationFn: (input: { email: string; name: string; password: string }) =>
      apiRequest<{ orgId: string; userId: string }>(`/api/v1/invites/${encodeURIComponent(token)}/join`, { method: 'POST', json: input }),
  });
  const [form, setForm] = useState({ email: '', name: '', password: '' });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input = { email: form.email.trim(), name: form.name.trim(), password: form.password };
    join.mutate(input, { onSuccess: () => login.mutate({ email: input.email, password: input.password }) });
  };
  const error = join.error ?? login.error;
  return (
    <main className="login-page">
      <form className="login-card" onSubmit={submit} aria-labelledby="join-title">
        <h1 id="join-title" className="login-title">Join your organization</h1>
        <p className="muted">You were invited to Attest. You will join as a standard user.</p>
        <label className="field">
          <span className="field-label">Email</span>
          <input className="input" type="email" autoComplete="username" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
        </label>
        <label className="field">
          <span className="field-label">Name</span>
          <input className="input" type="text" autoComplete="name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label className="field">
          <span className="field-label">Password (at least 8 characters)</span>
          <input className="input" type="password" autoComplete="new-password" minLength={8} required value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
        </label>
        {error ? <p className="form-error" role="alert">{errorMessage(error)}</p> : null}
        <button type="submit" className="button button-primary button-block" disabled={join.isPending || login.isPending}>Join</button>
      </form>
    </main>
  );
}
