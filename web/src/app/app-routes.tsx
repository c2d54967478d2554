import { lazy, Suspense, useEffect } from 'react';
import { LoadFailedMessage } from '../components/ui/load-failed-message.js';
import { StatusMessage } from '../components/ui/status-message.js';
import { useLogout, useMe } from '../features/auth/api/session.js';
import { InvitationsPanel } from '../features/auth/components/invitations-panel.js';
import { JoinPage } from '../features/auth/components/join-page.js';
import { LoginPage } from '../features/auth/components/login-page.js';
import { WelcomePage } from '../features/auth/components/welcome-page.js';
import type { Me } from '../lib/api-types.js';
import { navigate, useLocation } from '../lib/router.js';
import { AppShell, type Section } from './app-shell.js';

// Each area is its own chunk: the login page does not wait for the calendar, and Users not for the log.
const AuditLogsPage = lazy(async () => ({ default: (await import('../features/audit-logs/components/audit-logs-page.js')).AuditLogsPage }));
const UsersPage = lazy(async () => ({ default: (await import('../features/users/components/users-page.js')).UsersPage }));
const StreamsPage = lazy(async () => ({ default: (await import('../features/streams/components/streams-page.js')).StreamsPage }));

const ORG_ROUTE = /^\/orgs\/([^/]+)\/(users|audit-logs|audit-logs\/streams)\/?$/;
const JOIN_ROUTE = /^\/join\/([^/]+)\/?$/;
const WELCOME_ROUTE = /^\/welcome\/([^/]+)\/?$/;

/** Where `/` leads: the first organization, to its Audit Logs when the user owns it, else to Users. */
function homeOf(me: Me): string | null {
  const org = me.organizations.find((o) => o.userType === 'owner') ?? me.organizations[0];
  return org ? `/orgs/${org.orgId}/${org.userType === 'owner' ? 'audit-logs' : 'users'}` : null;
}

/** The shell's section for the route's path segment. */
function sectionOf(segment: string | undefined): Section {
  return segment === 'users' ? 'users' : segment === 'audit-logs/streams' ? 'streams' : 'audit-logs';
}

/** Picks the screen for the URL: the login page when signed out, else the organization page it names. */
export function AppRoutes() {
  const me = useMe();
  const logout = useLogout();
  const { pathname } = useLocation();
  const match = ORG_ROUTE.exec(pathname);
  const home = me.data ? homeOf(me.data) : null;
  const welcome = WELCOME_ROUTE.exec(pathname);

  useEffect(() => {
    if (me.data && !match && !welcome && home) navigate(home, { replace: true });
  }, [me.data, match, welcome, home]);

  if (me.isPending) return <StatusMessage kind="loading" title="Loading Attest…" />;
  if (me.isError) {
    return <LoadFailedMessage title="Attest could not be reached." error={me.error} onRetry={() => void me.refetch()} />;
  }
  if (welcome?.[1]) return <WelcomePage token={decodeURIComponent(welcome[1])} me={me.data} />;
  const join = JOIN_ROUTE.exec(pathname);
  if (!me.data) return join?.[1] ? <JoinPage token={decodeURIComponent(join[1])} /> : <LoginPage />;
  if (!home) {
    return (
      <main className="content">
        <InvitationsPanel invitations={me.data.invitations} />
        <StatusMessage kind="info" title="You are not a member of any organization.">
          Ask an organization owner to add you, then sign in again.
        </StatusMessage>
      </main>
    );
  }
  if (!match) return <StatusMessage kind="loading" title="Opening your organization…" />;

  const [, orgId, section] = match;
  const org = me.data.organizations.find((o) => o.orgId === orgId);
  const signOut = () => logout.mutate(undefined, { onSettled: () => navigate('/', { replace: true }) });
  if (!org) {
    return (
      <StatusMessage
        kind="error"
        title="Organization not found."
        action={
          <button type="button" className="button" onClick={() => navigate(home)}>
            Go to your organization
          </button>
        }
      >
        It does not exist, or you are not a member of it.
      </StatusMessage>
    );
  }
  return (
    <AppShell me={me.data} org={org} section={sectionOf(section)} onSignOut={signOut}>
      <Suspense fallback={<StatusMessage kind="loading" title="Loading…" />}>
        {section === 'users' ? (
          <UsersPage key={org.orgId} membership={org} me={me.data} />
        ) : section === 'audit-logs/streams' ? (
          <StreamsPage key={org.orgId} membership={org} />
        ) : (
          <AuditLogsPage key={org.orgId} membership={org} />
        )}
      </Suspense>
    </AppShell>
  );
}
