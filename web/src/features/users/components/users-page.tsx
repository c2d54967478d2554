import type { Me, Membership, UserType } from '../../../lib/api-types.js';
import { AddUserForm } from './add-user-form.js';
import { BulkUploadSection } from './bulk-upload-section.js';
import { MembersSection } from './members-section.js';
import { InviteAndExportSection, OwnerSettingsSection } from './org-settings-section.js';
import { PermissionSetsSection } from './permission-sets-section.js';

/** Which types a user of this type may give: owners any, admins admin or standard (the server checks too). */
function assignableTypes(userType: UserType): UserType[] {
  return userType === 'owner' ? ['owner', 'admin', 'standard'] : userType === 'admin' ? ['admin', 'standard'] : [];
}

/** User Management > Users: every catalogued action, plainly laid out, so each can be done and then found in the log. */
export function UsersPage({ membership, me }: { membership: Membership; me: Me }) {
  const { orgId, userType } = membership;
  if (userType === 'standard') {
    return (
      <section className="card" aria-labelledby="users-title">
        <h1 id="users-title" className="page-title">
          Users
        </h1>
        <p>Standard users cannot manage users. Ask an admin or an organization owner.</p>
      </section>
    );
  }
  return (
    <div className="users-page">
      <header className="page-header">
        <div>
          <nav aria-label="Breadcrumb" className="breadcrumb">
            User Management <span aria-hidden="true">›</span> Users
          </nav>
          <h1 className="page-title">Users</h1>
        </div>
      </header>
      <MembersSection orgId={orgId} myUserId={me.user.id} assignableTypes={assignableTypes(userType)} />
      <div className="card-grid">
        <AddUserForm orgId={orgId} assignableTypes={assignableTypes(userType)} />
        <PermissionSetsSection orgId={orgId} />
        <BulkUploadSection orgId={orgId} />
        <InviteAndExportSection orgId={orgId} />
        {userType === 'owner' ? <OwnerSettingsSection orgId={orgId} organizations={me.organizations} /> : null}
      </div>
    </div>
  );
}
