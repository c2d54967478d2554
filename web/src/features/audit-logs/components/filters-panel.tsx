import * as Popover from '@radix-ui/react-popover';
import { useState, type FormEvent } from 'react';
import { useCatalog } from '../api/get-catalog.js';
import { hasFilters, type AuditLogFilters } from '../utils/audit-log-view.js';
import { ActorSearch } from './actor-search.js';

/**
 * The filter icon and its "Additional filters" panel: activity (action) type, user by email, and "Show only
 * security actions". Changes stay a draft until Apply; Clear all removes every filter at once.
 */
export function FiltersPanel({ orgId, filters, onApply }: { orgId: string; filters: AuditLogFilters; onApply: (filters: AuditLogFilters) => void }) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<AuditLogFilters>(filters);
  const [actorText, setActorText] = useState(filters.actor ?? '');
  const catalog = useCatalog();
  const active = hasFilters(filters);

  const openChange = (next: boolean) => {
    if (next) {
      setDraft(filters);
      setActorText(filters.actor ?? '');
    }
    setOpen(next);
  };
  const toggleAction = (action: string, checked: boolean) =>
    setDraft((d) => ({ ...d, actions: checked ? [...d.actions, action] : d.actions.filter((a) => a !== action) }));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const actor = actorText.trim().toLowerCase();
    onApply({ ...draft, actor: actor || null });
    setOpen(false);
  };
  const clearAll = () => {
    onApply({ actions: [], actor: null, securityOnly: false });
    setOpen(false);
  };

  return (
    <Popover.Root open={open} onOpenChange={openChange}>
      <Popover.Trigger className={active ? 'icon-button filter-trigger active' : 'icon-button filter-trigger'} aria-label="Filters">
        <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2"><path d="M3 5h18l-7 8v6l-4 2v-8z" /></svg>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content className="popover filters-popover" align="end" sideOffset={6} aria-labelledby="filters-title">
          <form onSubmit={apply}>
            <h2 id="filters-title" className="popover-title">Additional filters</h2>
            <fieldset className="fieldset">
              <legend className="field-label">Activity type</legend>
              {catalog.isError ? <p className="form-error">The activity types could not be loaded; reopen the panel to try again.</p> : null}
              <div className="checkbox-grid">
                {(catalog.data?.actionTypes ?? []).map((action) => (
                  <label key={action} className="checkbox">
                    <input type="checkbox" name="action" value={action} checked={draft.actions.includes(action)} onChange={(e) => toggleAction(action, e.target.checked)} />
                    {action}
                  </label>
                ))}
              </div>
            </fieldset>
            <div className="field">
              <span className="field-label" id="actor-label">User</span>
              <ActorSearch orgId={orgId} value={actorText} onChange={setActorText} />
            </div>
            <label className="checkbox switch-row">
              <input type="checkbox" name="security" checked={draft.securityOnly} onChange={(e) => setDraft((d) => ({ ...d, securityOnly: e.target.checked }))} />
              Show only security actions
            </label>
            <div className="popover-actions">
              <button type="button" className="button" onClick={clearAll}>Clear all</button>
              <button type="submit" className="button button-primary">Apply</button>
            </div>
          </form>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
