import { useState, type FormEvent } from 'react';
import { MutationFeedback } from '../../../components/ui/mutation-feedback.js';
import {
  useBuiltInPermissions,
  useCreateCustomPermission,
  useCreatePermissionSet,
  useCustomPermissions,
  useDeletePermissionSet,
  usePermissionSets,
  useUpdatePermissionSet,
  type PermissionSet,
} from '../api/access-catalog-api.js';

function PermissionPicker({ options, selected, onChange }: { options: string[]; selected: string[]; onChange: (next: string[]) => void }) {
  return (
    <div className="checkbox-grid">
      {options.map((permission) => (
        <label key={permission} className="checkbox">
          <input
            type="checkbox"
            checked={selected.includes(permission)}
            onChange={(e) => onChange(e.target.checked ? [...selected, permission] : selected.filter((p) => p !== permission))}
          />
          {permission}
        </label>
      ))}
    </div>
  );
}

/** Permission sets (create, edit, delete) and custom permissions (create). */
export function PermissionSetsSection({ orgId }: { orgId: string }) {
  const sets = usePermissionSets(orgId);
  const builtIn = useBuiltInPermissions(orgId);
  const custom = useCustomPermissions(orgId);
  const create = useCreatePermissionSet(orgId);
  const update = useUpdatePermissionSet(orgId);
  const remove = useDeletePermissionSet(orgId);
  const createCustom = useCreateCustomPermission(orgId);
  const [draft, setDraft] = useState<{ id: string | null; name: string; permissions: string[] }>({ id: null, name: '', permissions: [] });
  const [customDraft, setCustomDraft] = useState({ name: '', description: '' });
  const options = [...(builtIn.data ?? []), ...(custom.data ?? []).map((c) => c.name)];

  const reset = () => setDraft({ id: null, name: '', permissions: [] });
  const save = (event: FormEvent) => {
    event.preventDefault();
    const input = { name: draft.name.trim(), permissions: draft.permissions };
    if (draft.id) update.mutate({ id: draft.id, ...input }, { onSuccess: reset });
    else create.mutate(input, { onSuccess: reset });
  };
  const edit = (set: PermissionSet) => setDraft({ id: set.id, name: set.name, permissions: set.permissions });
  const saveCustom = (event: FormEvent) => {
    event.preventDefault();
    createCustom.mutate(
      { name: customDraft.name.trim(), description: customDraft.description.trim() },
      { onSuccess: () => setCustomDraft({ name: '', description: '' }) },
    );
  };

  return (
    <section className="card" aria-labelledby="sets-title">
      <h2 id="sets-title" className="card-title">
        Permission sets
      </h2>
      <ul className="plain-list">
        {(sets.data ?? []).map((set) => (
          <li key={set.id} className="plain-list-item">
            <span>
              <strong>{set.name}</strong> <span className="muted small">{set.permissions.join(', ') || 'no permissions'}</span>
            </span>
            <span className="row-actions">
              <button
                type="button"
                className="button button-small"
                onClick={() => edit(set)}
                aria-label={`Edit permission set ${set.name}`}
              >
                Edit
              </button>
              <button
                type="button"
                className="button button-small button-danger"
                onClick={() => remove.mutate(set.id)}
                aria-label={`Delete permission set ${set.name}`}
              >
                Delete
              </button>
            </span>
          </li>
        ))}
      </ul>
      <form onSubmit={save} aria-label={draft.id ? 'Edit permission set' : 'New permission set'}>
        <label className="field">
          <span className="field-label">{draft.id ? 'Permission set name' : 'New permission set name'}</span>
          <input
            className="input"
            name="permissionSetName"
            required
            value={draft.name}
            onChange={(e) => setDraft({ ...draft, name: e.target.value })}
          />
        </label>
        <PermissionPicker options={options} selected={draft.permissions} onChange={(permissions) => setDraft({ ...draft, permissions })} />
        <div className="form-actions">
          {draft.id ? (
            <button type="button" className="button" onClick={reset}>
              Cancel
            </button>
          ) : null}
          <button type="submit" className="button button-primary">
            {draft.id ? 'Save permission set' : 'Create permission set'}
          </button>
        </div>
      </form>
      <MutationFeedback
        error={create.error ?? update.error ?? remove.error}
        success={create.isSuccess || update.isSuccess || remove.isSuccess}
        successText="Saved. The change is recorded in the Audit Logs."
      />

      <h3 className="section-title">Custom permissions</h3>
      <p className="muted small">{(custom.data ?? []).map((c) => c.name).join(', ') || 'None yet.'}</p>
      <form className="inline-form" onSubmit={saveCustom} aria-label="New custom permission">
        <input
          className="input"
          name="customPermissionName"
          aria-label="Custom permission name"
          placeholder="Name, e.g. reports.approve"
          required
          value={customDraft.name}
          onChange={(e) => setCustomDraft({ ...customDraft, name: e.target.value })}
        />
        <input
          className="input"
          name="customPermissionDescription"
          aria-label="Custom permission description"
          placeholder="What it allows"
          value={customDraft.description}
          onChange={(e) => setCustomDraft({ ...customDraft, description: e.target.value })}
        />
        <button type="submit" className="button">
          Create custom permission
        </button>
      </form>
      <MutationFeedback error={createCustom.error} success={createCustom.isSuccess} successText="Custom permission created." />
    </section>
  );
}
