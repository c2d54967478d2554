import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { useState } from 'react';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog.js';
import { downloadExport, type ExportScope } from '../api/export-audit-logs.js';
import type { AuditLogParams } from '../api/audit-log-api-types.js';

/**
 * "Export Logs" at the top right: Export all logs (everything retained, 90 days) or Export filtered logs (the
 * current range and filters; disabled until a filter is applied), each confirmed before the CSV downloads.
 */
export function ExportMenu({ orgId, params, filtered }: { orgId: string; params: AuditLogParams; filtered: boolean }) {
  const [scope, setScope] = useState<ExportScope | null>(null);
  const confirm = () => {
    if (scope) downloadExport(orgId, scope, params);
    setScope(null);
  };
  return (
    <>
      <DropdownMenu.Root>
        <DropdownMenu.Trigger className="button button-primary">Export Logs ▾</DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content className="menu" align="end" sideOffset={6}>
            <DropdownMenu.Item className="menu-item" onSelect={() => setScope('all')}>Export all logs</DropdownMenu.Item>
            <DropdownMenu.Item className="menu-item" disabled={!filtered} onSelect={() => setScope('filtered')}>
              Export filtered logs
              {filtered ? null : <span className="menu-hint">Apply a filter first</span>}
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
      <ConfirmDialog
        open={scope !== null}
        onOpenChange={(open) => !open && setScope(null)}
        title={scope === 'filtered' ? 'Export filtered logs?' : 'Export all logs?'}
        confirmLabel="Yes, export"
        onConfirm={confirm}
      >
        {scope === 'filtered' ? (
          <p>The CSV will hold the events of the selected date range that match the applied filters.</p>
        ) : (
          <p>The CSV will hold every retained event of the organization (the last 90 days), whatever the filters.</p>
        )}
        <p className="muted">The export is itself recorded in the audit log.</p>
      </ConfirmDialog>
    </>
  );
}
