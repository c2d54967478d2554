import { useEffect, type ReactNode } from 'react';
import { Link } from '../components/ui/link.js';
import { InvitationsPanel } from '../features/auth/components/invitations-panel.js';
import { USER_TYPE_LABELS, type Me, type Membership } from '../lib/api-types.js';
import { navigate } from '../lib/router.js';

/** The page the shell frames; Streams sits under Audit Logs. */
export type Section = 'users' | 'audit-logs' | 'streams';

const SECTION_TITLES: Record<Section, string> = { users: 'Users', 'audit-logs': 'Audit Logs', streams: 'Streams' };
const SECTION_PATHS: Record<Section, string> = { users: 'users', 'audit-logs': 'audit-logs', streams: 'audit-logs/streams' };

/** The frame of every signed-in page: product name, organization switcher, the User Management nav, sign out. */
export function AppShell({
  me,
  org,
  section,
  onSignOut,
  children,
}: {
  me: Me;
  org: Membership;
  section: Section;
  onSignOut: () => void;
  children: ReactNode;
}) {
  useEffect(() => {
    document.title = `${SECTION_TITLES[section]} · ${org.orgName} · Attest`;
  }, [section, org.orgName]);
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Attest</span>
        <label className="org-switcher">
          <span className="visually-hidden">Organization</span>
          <select className="select" value={org.orgId} onChange={(e) => navigate(`/orgs/${e.target.value}/${SECTION_PATHS[section]}`)}>
            {me.organizations.map((o) => (
              <option key={o.orgId} value={o.orgId}>
                {o.orgName}
                {o.viaProxy ? ' (proxy)' : ''}
              </option>
            ))}
          </select>
        </label>
        <span className="topbar-spacer" />
        <span className="topbar-user">
          {me.user.name} <span className="muted">· {USER_TYPE_LABELS[org.userType]}</span>
        </span>
        <button type="button" className="button button-small" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <div className="shell-body">
        <nav className="sidenav" aria-label="User Management">
          <p className="sidenav-title">User Management</p>
          <Link href={`/orgs/${org.orgId}/users`} className="sidenav-link" aria-current={section === 'users' ? 'page' : undefined}>
            Users
          </Link>
          {/* Only owners may read the log (PRODUCT.md §2); a direct link still gets the no-access page. */}
          {org.userType === 'owner' ? (
            <>
              <Link
                href={`/orgs/${org.orgId}/audit-logs`}
                className="sidenav-link"
                aria-current={section === 'audit-logs' ? 'page' : undefined}
              >
                Audit Logs
              </Link>
              <Link
                href={`/orgs/${org.orgId}/audit-logs/streams`}
                className="sidenav-link sidenav-sublink"
                aria-current={section === 'streams' ? 'page' : undefined}
              >
                Streams
              </Link>
            </>
          ) : null}
        </nav>
        <main className="content" id="main">
          <InvitationsPanel invitations={me.invitations} />
          {children}
        </main>
      </div>
    </div>
  );
}
