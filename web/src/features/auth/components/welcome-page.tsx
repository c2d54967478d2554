import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../../lib/api-client.js';
import type { Me } from '../../../lib/api-types.js';
import { navigate } from '../../../lib/router.js';
import { useAcceptInvitation, useActivateAccount } from '../api/account.js';
import { LoginPage } from './login-page.js';

/**
 * Where a welcome link leads (`/welcome/{token}`). A new user chooses their own password here (activation). Someone
 * who already has an account signs in first, then accepts the invitation the link carries: their password alone
 * never joins them to an organization that added their email.
 */
export function WelcomePage({ token, me }: { token: string; me: Me | null }) {
  const [mode, setMode] = useState<'activate' | 'sign-in'>('activate');
  if (me) return <AcceptInvitation token={token} me={me} />;
  if (mode === 'sign-in') {
    return (
      <>
        <LoginPage />
        <p className="login-switch">
          <button type="button" className="button button-small" onClick={() => setMode('activate')}>
            New to Attest? Choose a password instead
          </button>
        </p>
      </>
    );
  }
  return <ChoosePassword token={token} onHaveAccount={() => setMode('sign-in')} />;
}

function ChoosePassword({ token, onHaveAccount }: { token: string; onHaveAccount: () => void }) {
  const activate = useActivateAccount();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const mismatch = repeat.length > 0 && repeat !== password;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (mismatch) return;
    activate.mutate({ token, password }, { onSuccess: () => navigate('/', { replace: true }) });
  };
  return (
    <main className="login-page">
      <form className="login-card" onSubmit={submit} aria-labelledby="welcome-title">
        <h1 id="welcome-title" className="login-title">
          Welcome to Attest
        </h1>
        <p className="muted">Choose the password for your new account. Nobody else knows it, not even whoever added you.</p>
        <label className="field">
          <span className="field-label">New password (at least 8 characters)</span>
          <input
            className="input"
            type="password"
            autoComplete="new-password"
            minLength={8}
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field-label">Repeat the password</span>
          <input
            className="input"
            type="password"
            autoComplete="new-password"
            minLength={8}
            required
            value={repeat}
            onChange={(e) => setRepeat(e.target.value)}
          />
        </label>
        {mismatch ? (
          <p className="form-error" role="alert">
            The two passwords differ.
          </p>
        ) : null}
        {activate.isError ? (
          <p className="form-error" role="alert">
            {errorMessage(activate.error)}
          </p>
        ) : null}
        <button type="submit" className="button button-primary button-block" disabled={activate.isPending}>
          Set password and sign in
        </button>
        <button type="button" className="button button-block" onClick={onHaveAccount}>
          I already have an Attest account
        </button>
      </form>
    </main>
  );
}

function AcceptInvitation({ token, me }: { token: string; me: Me }) {
  const accept = useAcceptInvitation();
  return (
    <main className="login-page">
      <section className="login-card" aria-labelledby="accept-title">
        <h1 id="accept-title" className="login-title">
          Accept the invitation
        </h1>
        <p className="muted">
          You are signed in as {me.user.email}. Accepting adds this account to the organization that sent you this link.
        </p>
        {accept.isError ? (
          <p className="form-error" role="alert">
            {errorMessage(accept.error)}
          </p>
        ) : null}
        <button
          type="button"
          className="button button-primary button-block"
          disabled={accept.isPending}
          onClick={() =>
            accept.mutate(token, {
              onSuccess: (joined) =>
                navigate(`/orgs/${joined.orgId}/${joined.userType === 'owner' ? 'audit-logs' : 'users'}`, { replace: true }),
            })
          }
        >
          Accept invitation
        </button>
        <button type="button" className="button button-block" onClick={() => navigate('/', { replace: true })}>
          Not now
        </button>
      </section>
    </main>
  );
}
