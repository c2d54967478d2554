import { useState, type ChangeEvent, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../../lib/api-client.js';
import { useBulkUpload } from '../api/org-settings-api.js';

type Mode = 'add' | 'append' | 'overwrite';

const HEADERS: Record<Mode, string> = {
  add: 'email,name,userType,permissionSets,customPermissions,entities',
  append: 'email,permissionSets,customPermissions,entities',
  overwrite: 'email,permissionSets,customPermissions,entities',
};

/** Bulk upload: a CSV file (or pasted text) to add users, or to append to / overwrite their access. */
export function BulkUploadSection({ orgId }: { orgId: string }) {
  const upload = useBulkUpload(orgId);
  const [mode, setMode] = useState<Mode>('add');
  const [csv, setCsv] = useState('');
  const readFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) setCsv(await file.text());
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    upload.mutate({ mode, csv });
  };
  const result = upload.data;
  return (
    <section className="card" aria-labelledby="bulk-title">
      <h2 id="bulk-title" className="card-title">
        Bulk upload
      </h2>
      <form onSubmit={submit}>
        <fieldset className="fieldset inline-form">
          <legend className="field-label">Mode</legend>
          {(['add', 'append', 'overwrite'] as const).map((m) => (
            <label key={m} className="checkbox">
              <input type="radio" name="bulkMode" value={m} checked={mode === m} onChange={() => setMode(m)} />
              {m === 'add' ? 'Add users' : m === 'append' ? 'Update (append)' : 'Update (overwrite)'}
            </label>
          ))}
        </fieldset>
        <p className="muted small">
          Columns: <code>{HEADERS[mode]}</code>; list cells separate names with <code>;</code>.
        </p>
        <input type="file" accept=".csv,text/csv" aria-label="CSV file" onChange={(e) => void readFile(e)} />
        <textarea
          className="input textarea"
          name="bulkCsv"
          aria-label="CSV content"
          rows={5}
          placeholder={HEADERS[mode]}
          value={csv}
          onChange={(e) => setCsv(e.target.value)}
        />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={!csv.trim() || upload.isPending}>
            Upload
          </button>
        </div>
      </form>
      {upload.isError ? (
        <div role="alert" className="form-error">
          <p>{errorMessage(upload.error)} Fix the file and upload it again.</p>
          {upload.error instanceof ApiError && upload.error.fieldErrors.length > 0 ? (
            <ul>
              {upload.error.fieldErrors.map((e, i) => (
                <li key={i}>
                  {e.line !== undefined ? `Line ${e.line}, ` : ''}
                  {e.field}: {e.reason}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {result?.applied ? (
        <p className="form-success" role="status">
          {result.rows} rows applied. Recorded in the Audit Logs.
        </p>
      ) : null}
      {result?.added && result.added.length > 0 ? (
        <details className="bulk-links">
          <summary>Welcome links of the added users (shown only now; each works once, for 7 days)</summary>
          <table className="data-table" aria-label="Welcome links">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Status</th>
                <th scope="col">Welcome link</th>
              </tr>
            </thead>
            <tbody>
              {result.added.map((a) => (
                <tr key={a.email}>
                  <td>{a.email}</td>
                  <td>{a.status === 'pending' ? 'invited (existing account)' : 'new account'}</td>
                  <td>
                    <code>{new URL(a.welcomeUrl, window.location.origin).href}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </section>
  );
}
