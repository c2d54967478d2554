import * as Dialog from '@radix-ui/react-dialog';
import { useState, type FormEvent } from 'react';
import { MutationFeedback } from '../../../components/ui/mutation-feedback.js';
import { useCustomPermissions, useEntities, usePermissionSets } from '../api/access-catalog-api.js';
import { useUpdateAccess, type Member, type UserAccess } from '../api/users-api.js';

function CheckboxList({
  legend,
  items,
  selected,
  onChange,
}: {
  legend: string;
  items: { id: string; label: string }[];
  selected: string[];
  onChange: (ids: string[]) => void;
}) {
  return (
    <fieldset className="fieldset">
      <legend className="field-label">{legend}</legend>
      {items.length === 0 ? <p className="muted small">None defined yet.</p> : null}
      <div className="checkbox-grid">
        {items.map((item) => (
          <label key={item.id} className="checkbox">
            <input
              type="checkbox"
              checked={selected.includes(item.id)}
              onChange={(e) => onChange(e.target.checked ? [...selected, item.id] : selected.filter((id) => id !== item.id))}
            />
            {item.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** Edits what a member may do: permission sets, custom permissions and accessible entities. */
export function AccessDialog({ orgId, member, onClose }: { orgId: string; member: Member; onClose: () => void }) {
  const sets = usePermissionSets(orgId);
  const custom = useCustomPermissions(orgId);
  const entities = useEntities(orgId);
  const update = useUpdateAccess(orgId);
  const [access, setAccess] = useState<UserAccess>({
    permissionSetIds: member.permissionSetIds,
    customPermissionIds: member.customPermissionIds,
    entityIds: member.entityIds,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({ userId: member.id, ...access }, { onSuccess: onClose });
  };
  return (
    <Dialog.Root open onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog-content dialog-wide">
          <Dialog.Title className="dialog-title">Permissions of {member.name}</Dialog.Title>
          <Dialog.Description className="muted">{member.email}</Dialog.Description>
          <form onSubmit={submit}>
            <CheckboxList
              legend="Permission sets"
              items={(sets.data ?? []).map((s) => ({ id: s.id, label: s.name }))}
              selected={access.permissionSetIds}
              onChange={(permissionSetIds) => setAccess({ ...access, permissionSetIds })}
            />
            <CheckboxList
              legend="Custom permissions"
              items={(custom.data ?? []).map((c) => ({ id: c.id, label: c.name }))}
              selected={access.customPermissionIds}
              onChange={(customPermissionIds) => setAccess({ ...access, customPermissionIds })}
            />
            <CheckboxList
              legend="Accessible entities"
              items={(entities.data ?? []).map((e) => ({ id: e.id, label: `${e.name} (${e.kind})` }))}
              selected={access.entityIds}
              onChange={(entityIds) => setAccess({ ...access, entityIds })}
            />
            <MutationFeedback error={update.error} success={false} successText="" />
            <div className="dialog-actions">
              <Dialog.Close asChild>
                <button type="button" className="button">
                  Cancel
                </button>
              </Dialog.Close>
              <button type="submit" className="button button-primary" disabled={update.isPending}>
                Save permissions
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
