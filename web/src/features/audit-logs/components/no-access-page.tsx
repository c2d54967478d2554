import { USER_TYPE_LABELS, type UserType } from '../../../lib/api-types.js';

/** What admins and standard users see instead of the log: why, and what to do about it. */
export function NoAccessPage({ orgName, userType }: { orgName: string; userType: UserType }) {
  return (
    <section className="no-access" role="alert" aria-labelledby="no-access-title">
      <svg
        className="no-access-icon"
        aria-hidden="true"
        width="36"
        height="36"
        viewBox="0 0 24 24"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
      >
        <rect x="4" y="11" width="16" height="10" rx="2" />
        <path d="M8 11V7a4 4 0 0 1 8 0v4" />
      </svg>
      <h1 id="no-access-title">Only organization owners can see audit logs</h1>
      <p>
        You are {userType === 'admin' ? 'an' : 'a'} <strong>{USER_TYPE_LABELS[userType]}</strong> in {orgName}. Audit logs record every
        user-management action, so they are limited to the organization&apos;s owners.
      </p>
      <p className="muted">If you need to see them, ask an organization owner to export the logs for you or to change your user type.</p>
    </section>
  );
}
