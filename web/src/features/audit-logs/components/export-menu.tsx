import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { useState } from 'react';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog.js';
import { errorMessage } from '../../../lib/api-client.js';
import { checkExport, downloadExport, type ExportFormat, type ExportScope } from '../api/export-audit-logs.js';
import type { AuditLogParams } from '../api/audit-log-api-types.js';

type ExportState =
  | { kind: 'idle' }
  | { kind: 'checking' }
  | { kind: 'started'; scope: ExportScope; format: ExportFormat }
  | { kind: 'failed'; message: string };

const FORMATS: { value: ExportFormat; label: string; hint: string }[] = [
  { value: 'csv', label: 'CSV', hint: 'a spreadsheet of the events' },
  {
    value: 'bundle',
    label: 'Verifiable bundle (.zip)',
    hint: 'the CSV with the signed records and their proofs, for an auditor to check offline with attest verify',
  },
];

/**
 * "Export Logs" at the top right: Export all logs (everything retained, 90 days) or Export filtered logs (the
 * current range and filters; disabled until a filter is applied), each confirmed before the file downloads, as
 * CSV or as the verifiable bundle chosen in the dialog. Whether it started or why it could not is said right
 * under the button.
 */
export function ExportMenu({ orgId, params, filtered }: { orgId: string; params: AuditLogParams; filtered: boolean }) {
  const [scope, setScope] = useState<ExportScope | null>(null);
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [state, setState] = useState<ExportState>({ kind: 'idle' });
  const confirm = async () => {
    const chosen = scope;
    const chosenFormat = format;
    setScope(null);
    if (!chosen) return;
    setState({ kind: 'checking' });
    try {
      await checkExport(orgId, chosen, params);
    } catch (error) {
      setState({ kind: 'failed', message: errorMessage(error) });
      return;
    }
    downloadExport(orgId, chosen, params, chosenFormat);
    setState({ kind: 'started', scope: chosen, format: chosenFormat });
  };
  return (
    <div className="export-area">
      <DropdownMenu.Root>
        <DropdownMenu.Trigger className="button button-primary" disabled={state.kind === 'checking'}>
          Export Logs ▾
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content className="menu" align="end" sideOffset={6}>
            <DropdownMenu.Item className="menu-item" onSelect={() => setScope('all')}>
              Export all logs
            </DropdownMenu.Item>
            <DropdownMenu.Item className="menu-item" disabled={!filtered} onSelect={() => setScope('filtered')}>
              Export filtered logs
              {filtered ? null : <span className="menu-hint">Apply a filter first</span>}
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
      <div className="export-status" aria-live="polite">
        {state.kind === 'checking' ? <p className="small muted">Preparing the export…</p> : null}
        {state.kind === 'started' ? (
          <p className="small form-success">
            {state.scope === 'all' ? 'All logs' : 'Filtered logs'}
            {state.format === 'bundle' ? ' (verifiable bundle)' : ''}: your download has started.
          </p>
        ) : null}
        {state.kind === 'failed' ? (
          <p className="small form-error" role="alert">
            The export could not start. {state.message}{' '}
            <button type="button" className="link-button" onClick={() => setState({ kind: 'idle' })}>
              Dismiss
            </button>
          </p>
        ) : null}
      </div>
      <ConfirmDialog
        open={scope !== null}
        onOpenChange={(open) => !open && setScope(null)}
        title={scope === 'filtered' ? 'Export filtered logs?' : 'Export all logs?'}
        confirmLabel="Yes, export"
        onConfirm={() => void confirm()}
      >
        {scope === 'filtered' ? (
          <p>The export will hold the events of the selected date range that match the applied filters.</p>
        ) : (
          <p>The export will hold every retained event of the organization (the last 90 days), whatever the filters.</p>
        )}
        <fieldset className="export-formats">
          <legend>Format</legend>
          {FORMATS.map((option) => (
            <label key={option.value} className="export-format">
              <input
                type="radio"
                name="export-format"
                value={option.value}
                checked={format === option.value}
                onChange={() => setFormat(option.value)}
              />
              <span>
                {option.label} <span className="muted small">— {option.hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <p className="muted">The export is itself recorded in the audit log.</p>
      </ConfirmDialog>
    </div>
  );
}
