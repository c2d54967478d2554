import type { ProductAreaCatalog } from './event-catalog.js';

/** Events Attest records about the audit log itself (PRODUCT.md §3). */
export const auditLogsCatalog: ProductAreaCatalog = {
  product: 'AuditLogs',
  displayName: 'Audit Logs',
  eventTypes: [
    { type: 'audit_log.viewed', product: 'AuditLogs', activity: 'Audit logs viewed', action: 'View', securityAction: false, entityType: 'audit_log', descriptionTemplate: '{actor} viewed the audit logs' },
    { type: 'audit_log.exported', product: 'AuditLogs', activity: 'Audit logs exported', action: 'Export', securityAction: true, entityType: 'audit_log', descriptionTemplate: '{actor} exported the audit logs' },
    // Where the log is streamed to is a security setting: a changed destination could leak every event.
    { type: 'audit_log.stream.created', product: 'AuditLogs', activity: 'Audit log stream created', action: 'Create', securityAction: true, entityType: 'stream', descriptionTemplate: '{actor} created the stream {entity}' },
    { type: 'audit_log.stream.updated', product: 'AuditLogs', activity: 'Audit log stream changed', action: 'Update', securityAction: true, entityType: 'stream', descriptionTemplate: '{actor} changed the stream {entity}' },
    { type: 'audit_log.stream.paused', product: 'AuditLogs', activity: 'Audit log stream paused', action: 'Update', securityAction: true, entityType: 'stream', descriptionTemplate: '{actor} paused the stream {entity}' },
    { type: 'audit_log.stream.resumed', product: 'AuditLogs', activity: 'Audit log stream resumed', action: 'Update', securityAction: true, entityType: 'stream', descriptionTemplate: '{actor} resumed the stream {entity}' },
    { type: 'audit_log.stream.secret_rotated', product: 'AuditLogs', activity: 'Audit log stream secret rotated', action: 'Update', securityAction: true, entityType: 'stream', descriptionTemplate: '{actor} rotated the secret of the stream {entity}' },
    { type: 'audit_log.stream.deleted', product: 'AuditLogs', activity: 'Audit log stream deleted', action: 'Delete', securityAction: true, entityType: 'stream', descriptionTemplate: '{actor} deleted the stream {entity}' },
  ],
};
