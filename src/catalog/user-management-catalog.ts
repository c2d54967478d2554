import type { EventTypeDefinition, ProductAreaCatalog } from './event-catalog.js';

const product = 'UserManagement';

function userManagementEvent(def: Omit<EventTypeDefinition, 'product'>): EventTypeDefinition {
  return { ...def, product };
}

/** User Management events of PRODUCT.md §3, plus the session, organization and invitation events Attest adds. */
export const userManagementCatalog: ProductAreaCatalog = {
  product,
  displayName: 'User Management',
  eventTypes: [
    userManagementEvent({ type: 'user.standard.added', activity: 'Standard user added to organization', action: 'Create', securityAction: false, entityType: 'user', descriptionTemplate: 'Added standard user {entity}' }),
    userManagementEvent({ type: 'user.standard.removed', activity: 'Standard user removed from organization', action: 'Delete', securityAction: false, entityType: 'user', descriptionTemplate: 'Removed standard user {entity}' }),
    userManagementEvent({ type: 'user.privileged.added', activity: 'Organization owner or admin added', action: 'Create', securityAction: true, entityType: 'user', descriptionTemplate: 'Added organization owner/admin {entity}' }),
    userManagementEvent({ type: 'user.privileged.removed', activity: 'Organization owner or admin removed', action: 'Delete', securityAction: true, entityType: 'user', descriptionTemplate: 'Removed organization owner/admin {entity}' }),
    userManagementEvent({ type: 'user.type.made_privileged', activity: 'User type changed to organization owner or admin', action: 'Update', securityAction: true, entityType: 'user', descriptionTemplate: 'Made organization owner/admin: {entity}' }),
    userManagementEvent({ type: 'user.type.made_standard', activity: 'User type changed to standard user', action: 'Update', securityAction: true, entityType: 'user', descriptionTemplate: 'Made standard user: {entity}' }),
    userManagementEvent({ type: 'user.standard.access_updated', activity: 'Standard user permissions or accessible entities updated', action: 'Update', securityAction: false, entityType: 'user', descriptionTemplate: 'Updated permissions or accessible entities of {entity}' }),
    userManagementEvent({ type: 'user.admin.access_updated', activity: 'Admin user permissions or accessible entities updated', action: 'Update', securityAction: true, entityType: 'user', descriptionTemplate: 'Updated permissions or accessible entities of admin {entity}' }),
    userManagementEvent({ type: 'permission_set.created', activity: 'Permission set created', action: 'Create', securityAction: false, entityType: 'permission_set', descriptionTemplate: 'Created permission set {entity}' }),
    userManagementEvent({ type: 'permission_set.updated', activity: 'Permission set updated', action: 'Update', securityAction: false, entityType: 'permission_set', descriptionTemplate: 'Updated permission set {entity}' }),
    userManagementEvent({ type: 'permission_set.deleted', activity: 'Permission set deleted', action: 'Delete', securityAction: false, entityType: 'permission_set', descriptionTemplate: 'Deleted permission set {entity}' }),
    userManagementEvent({ type: 'custom_permission.created', activity: 'Custom permissions created', action: 'Create', securityAction: false, entityType: 'custom_permission', descriptionTemplate: 'Created custom permission {entity}' }),
    userManagementEvent({ type: 'users.bulk_added', activity: 'Users added in bulk', action: 'Create', securityAction: false, entityType: 'organization', descriptionTemplate: 'Added users in bulk to {entity}' }),
    userManagementEvent({ type: 'users.bulk_updated.append', activity: 'Users updated in bulk (append mode)', action: 'Update', securityAction: false, entityType: 'organization', descriptionTemplate: 'Updated users in bulk (append mode) in {entity}' }),
    userManagementEvent({ type: 'users.bulk_updated.overwrite', activity: 'Users updated in bulk (overwrite mode)', action: 'Update', securityAction: false, entityType: 'organization', descriptionTemplate: 'Updated users in bulk (overwrite mode) in {entity}' }),
    userManagementEvent({ type: 'invite_link.regenerated', activity: 'Invite link regenerated', action: 'Invite link', securityAction: false, entityType: 'invite_link', descriptionTemplate: 'Regenerated the invite link of {entity}' }),
    userManagementEvent({ type: 'user_list.exported', activity: 'User list exported', action: 'Export', securityAction: true, entityType: 'organization', descriptionTemplate: 'Exported the user list of {entity}' }),
    userManagementEvent({ type: 'org.multi_org_visibility.updated', activity: 'Multiple organization user visibility configuration updated', action: 'Update', securityAction: true, entityType: 'organization', descriptionTemplate: 'Updated multiple organization user visibility of {entity}' }),
    userManagementEvent({ type: 'org.proxy_access.granted', activity: 'Proxy organization access granted', action: 'Create', securityAction: true, entityType: 'user', descriptionTemplate: 'Granted proxy organization access to {entity}' }),
    // Added by Attest with organizations for platforms and pending memberships (issue 12).
    userManagementEvent({ type: 'org.created', activity: 'Organization created', action: 'Create', securityAction: true, entityType: 'organization', descriptionTemplate: 'Created organization {entity}' }),
    userManagementEvent({ type: 'user.invitation.accepted', activity: 'Invitation to the organization accepted', action: 'Approve', securityAction: true, entityType: 'user', descriptionTemplate: 'Accepted the invitation to the organization: {entity}' }),
    userManagementEvent({ type: 'session.login.succeeded', activity: 'User logged in', action: 'Login', securityAction: false, entityType: 'user', descriptionTemplate: '{actor} logged in' }),
    userManagementEvent({ type: 'session.login.failed', activity: 'Login failed', action: 'Login', securityAction: true, entityType: 'user', descriptionTemplate: 'Failed login for {entity}' }),
  ],
};
