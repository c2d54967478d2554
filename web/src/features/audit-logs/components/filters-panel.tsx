import * as Popover from '@radix-ui/react-popover';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type Ref } from 'react';
import { errorMessage } from '../../../lib/api-client.js';
import { useCatalog } from '../api/get-catalog.js';
import { actorSearchOptions } from '../api/search-actors.js';
import { hasFilters, type AuditLogFilters } from '../utils/audit-log-view.js';
import { ActorSearch } from './actor-search.js';

/**
 * The filter icon and its "Additional filters" panel: activity (action) type, product area with its
 * activities, user by email, "Show only security actions" and "Hide sign-ins and views". Product areas and
 * their activities come from the catalog, so a new product-area file shows here with no change to this code. Changes stay a draft until Apply; Clear all goes back to
 * the default view (range included). A User text that is not a known actor's email is never applied as it is:
 * the person picks a suggestion, or is told there is no such user.
 */
export function FiltersPanel({
  orgId,
  filters,
  onApply,
  onClearAll,
  triggerRef,
}: {
  orgId: string;
  filters: AuditLogFilters;
  onApply: (filters: AuditLogFilters) => void;
  onClearAll: () => void;
  triggerRef?: Ref<HTMLButtonElement>;
}) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<AuditLogFilters>(filters);
  const [actorText, setActorText] = useState(filters.actor ?? '');
  const [actorError, setActorError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const catalog = useCatalog();
  const queryClient = useQueryClient();
  const active = hasFilters(filters);

  const openChange = (next: boolean) => {
    if (next) {
      setDraft(filters);
      setActorText(filters.actor ?? '');
      setActorError(null);
    }
    setOpen(next);
  };
  const toggled = (list: string[], value: string, checked: boolean) => (checked ? [...list, value] : list.filter((v) => v !== value));
  const toggleAction = (action: string, checked: boolean) => setDraft((d) => ({ ...d, actions: toggled(d.actions, action, checked) }));
  const toggleProduct = (product: string, checked: boolean) => setDraft((d) => ({ ...d, products: toggled(d.products, product, checked) }));
  const toggleType = (type: string, checked: boolean) => setDraft((d) => ({ ...d, types: toggled(d.types, type, checked) }));

  /** The actor the typed text names: an email of the log's actors, asked of the server unless already known. */
  const resolveActor = async (typed: string): Promise<string | null> => {
    if (typed === filters.actor) return typed;
    const matches = await queryClient.fetchQuery(actorSearchOptions(orgId, typed));
    return matches.some((m) => m.email === typed) ? typed : null;
  };
  const apply = async (event: FormEvent) => {
    event.preventDefault();
    const typed = actorText.trim().toLowerCase();
    let actor: string | null = null;
    if (typed) {
      setChecking(true);
      try {
        actor = await resolveActor(typed);
      } catch (error) {
        setActorError(`The user could not be checked: ${errorMessage(error)}`);
        return;
      } finally {
        setChecking(false);
      }
      if (actor === null) {
        setActorError(`No user with the email "${typed}" in this log. Pick one from the suggestions, or clear the field.`);
        return;
      }
    }
    onApply({ ...draft, actor });
    setOpen(false);
  };
  const clearAll = () => {
    onClearAll();
    setOpen(false);
  };

  return (
    <Popover.Root open={open} onOpenChange={openChange}>
      <Popover.Trigger
        ref={triggerRef}
        className={active ? 'icon-button filter-trigger active' : 'icon-button filter-trigger'}
        aria-label="Filters"
      >
        <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
          <path d="M3 5h18l-7 8v6l-4 2v-8z" />
        </svg>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content className="popover filters-popover" align="end" sideOffset={6} aria-labelledby="filters-title">
          <form onSubmit={(e) => void apply(e)}>
            <h2 id="filters-title" className="popover-title">
              Additional filters
            </h2>
            <fieldset className="fieldset">
              <legend className="field-label">Activity type</legend>
              {catalog.isError ? (
                <p className="form-error">The activity types could not be loaded; reopen the panel to try again.</p>
              ) : null}
              <div className="checkbox-grid">
                {(catalog.data?.actionTypes ?? []).map((action) => (
                  <label key={action} className="checkbox">
                    <input
                      type="checkbox"
                      name="action"
                      value={action}
                      checked={draft.actions.includes(action)}
                      onChange={(e) => toggleAction(action, e.target.checked)}
                    />
                    {action}
                  </label>
                ))}
              </div>
            </fieldset>
            <fieldset className="fieldset">
              <legend className="field-label">Product</legend>
              <ul className="product-list">
                {(catalog.data?.productAreas ?? []).map((area) => {
                  const types = (catalog.data?.eventTypes ?? []).filter((t) => t.product === area.product);
                  const picked = types.filter((t) => draft.types.includes(t.type)).length;
                  return (
                    <li key={area.product} className="product-row">
                      <label className="checkbox">
                        <input
                          type="checkbox"
                          name="product"
                          value={area.product}
                          checked={draft.products.includes(area.product)}
                          onChange={(e) => toggleProduct(area.product, e.target.checked)}
                        />
                        {area.displayName}
                      </label>
                      <details className="product-activities">
                        <summary>
                          {types.length} activities{picked > 0 ? `, ${picked} picked` : ''}
                        </summary>
                        <div className="checkbox-list">
                          {types.map((t) => (
                            <label key={t.type} className="checkbox">
                              <input
                                type="checkbox"
                                name="type"
                                value={t.type}
                                checked={draft.types.includes(t.type)}
                                onChange={(e) => toggleType(t.type, e.target.checked)}
                              />
                              {t.activity}
                            </label>
                          ))}
                        </div>
                      </details>
                    </li>
                  );
                })}
              </ul>
            </fieldset>
            <div className="field">
              <span className="field-label" id="actor-label">
                User
              </span>
              <ActorSearch
                orgId={orgId}
                value={actorText}
                error={actorError}
                onChange={(text) => {
                  setActorText(text);
                  setActorError(null);
                }}
                onPick={(email) => {
                  setActorText(email);
                  setActorError(null);
                }}
              />
            </div>
            <label className="checkbox switch-row">
              <input
                type="checkbox"
                name="security"
                checked={draft.securityOnly}
                onChange={(e) => setDraft((d) => ({ ...d, securityOnly: e.target.checked }))}
              />
              Show only security actions
            </label>
            <label className="checkbox switch-row">
              <input
                type="checkbox"
                name="routine"
                checked={draft.hideRoutine}
                onChange={(e) => setDraft((d) => ({ ...d, hideRoutine: e.target.checked }))}
              />
              Hide sign-ins and views
            </label>
            <p className="muted small field-hint">
              Successful sign-ins and &quot;Audit logs viewed&quot;; failed sign-ins and exports always show.
            </p>
            <div className="popover-actions">
              <button type="button" className="button" onClick={clearAll}>
                Clear all
              </button>
              <button type="submit" className="button button-primary" disabled={checking}>
                Apply
              </button>
            </div>
          </form>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
