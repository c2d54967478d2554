import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { apiRequest, errorMessage } from '../../../lib/api-client.js';
import { useAcceptInvitation } from '../api/account.js';
import { useLogin } from '../api/session.js';

/**
 * Where an invite link leads (`/join/{token}`): the person names themselves and chooses a password, joins the
 * organization as a standard user (`POST /api/v1/invites/{token}/join`) and is signed in. The server answers the
 * same whether or not the email has an account; with an existing account the person signs in with its own
 * password, and the page then accepts the pending membership with the same link.
 */
export function JoinPage({ token }: { token: string }) {
  const login = useLogin();
  const accept = useAcceptInvitation();
  const join = useMutation({
    mutationFn: (input: { email: string; name: string; password: string }) =>
      apiRequest<{ orgId: string; userId: string }>(`/api/v1/invites/${encodeURIComponent(token)}/join`, { method: 'POST', json: input }),
  });
  const [form, setForm] = useState({ email: '', name: '', password: '' });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input = { email: form.email.trim(), name: form.name.trim(), password: form.password };
    join.mutate(input, {
      onSuccess: () =>
        login.mutate(
          { email: input.email, password: input.password },
          {
            // A new account is a member already (404 here); an existing one has a pending membership to accept.
            onSuccess: () => accept.mutate(token, { onError: () => undefined }),
          },
        ),
    });
  };
  const error = join.error ?? login.error;
  return (
    <main className="login-page">
      <form className="login-card" onSubmit={submit} aria-labelledby="join-title">
        <h1 id="join-title" className="login-title">
          Join your organization
        </h1>
        <p className="muted">You were invited to Attest. You will join as a standard user.</p>
        <label className="field">
          <span className="field-label">Email</span>
          <input
            className="input"
            type="email"
            autoComplete="username"
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
            autoComplete="name"
            required
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
          />
        </label>
        <label className="field">
          <span className="field-label">Password (at least 8 characters)</span>
          <input
            className="input"
            type="password"
            autoComplete="new-password"
            minLength={8}
            required
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
          />
        </label>
        {error ? (
          <p className="form-error" role="alert">
            {errorMessage(error)}
          </p>
        ) : null}
        <button type="submit" className="button button-primary button-block" disabled={join.isPending || login.isPending}>
          Join
        </button>
      </form>
    </main>
  );
}
