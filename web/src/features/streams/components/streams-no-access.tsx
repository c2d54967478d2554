import { USER_TYPE_LABELS, type UserType } from '../../../lib/api-types.js';

/** What admins and standard users see on a direct link to Streams: why, and whom to ask. */
export function StreamsNoAccess({ orgName, userType }: { orgName: string; userType: UserType }) {
  return (
    <section className="no-access" role="alert" aria-labelledby="streams-no-access-title">
      <h1 id="streams-no-access-title">Only organization owners can manage streams</h1>
      <p>
        You are {userType === 'admin' ? 'an' : 'a'} <strong>{USER_TYPE_LABELS[userType]}</strong> in {orgName}. Streams send every audit
        event of the organization to another system, so only the organization&apos;s owners can see and change them.
      </p>
      <p className="muted">If a stream needs to be added or changed, ask an organization owner.</p>
    </section>
  );
}
