import type { ProductAreaCatalog } from './event-catalog.js';

/** Events Attest records about the audit log itself (PRODUCT.md §3). */
export const auditLogsCatalog: ProductAreaCatalog = {
  product: 'AuditLogs',
  displayName: 'Audit Logs',
  eventTypes: [
    { type: 'audit_log.viewed', product: 'AuditLogs', activity: 'Audit logs viewed', action: 'View', securityAction: false, entityType: 'audit_log', descriptionTemplate: '{actor} viewed the audit logs' },
    { type: 'audit_log.exported', product: 'AuditLogs', activity: 'Audit logs exported', action: 'Export', securityAction: true, entityType: 'audit_log', descriptionTemplate: '{actor} exported the audit logs' },
  ],
};
