/**
 * The built-in permissions a permission set may hold. An organization adds its own with custom permissions;
 * a permission set may hold either, by key (built-in) or by name (custom).
 */
export const BUILT_IN_PERMISSIONS = [
  'users.view',
  'users.manage',
  'permission_sets.manage',
  'loyalty.campaigns.view',
  'loyalty.campaigns.manage',
  'engage.messages.send',
  'insights.reports.view',
  'insights.reports.export',
  'stores.settings.manage',
  'orders.refund',
] as const;
