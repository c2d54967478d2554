import { useEffect, useRef, type RefObject } from 'react';
import { useAuditLogCount } from '../api/get-audit-log-count.js';
import { productDisplayName, useCatalog, type Catalog } from '../api/get-catalog.js';
import { apiParams, hasFilters, NO_FILTERS, type AuditLogFilters } from '../utils/audit-log-view.js';

interface ChipSpec {
  key: string;
  label: string;
  /** The filter this chip stands for, alone: its count is the matches of that filter in the range. */
  only: AuditLogFilters;
  without: AuditLogFilters;
}

function chipSpecs(filters: AuditLogFilters, catalog: Catalog | undefined): ChipSpec[] {
  // "Hide sign-ins and views" is part of each chip's count, as it is of the table's.
  const alone = { ...NO_FILTERS, hideRoutine: filters.hideRoutine };
  const chips: ChipSpec[] = filters.actions.map((action) => ({
    key: `action:${action}`,
    label: `Activity: ${action}`,
    only: { ...alone, actions: [action] },
    without: { ...filters, actions: filters.actions.filter((a) => a !== action) },
  }));
  for (const product of filters.products)
    chips.push({
      key: `product:${product}`,
      label: `Product: ${productDisplayName(catalog, product)}`,
      only: { ...alone, products: [product] },
      without: { ...filters, products: filters.products.filter((p) => p !== product) },
    });
  for (const type of filters.types)
    chips.push({
      key: `type:${type}`,
      label: `Event: ${catalog?.eventTypes.find((t) => t.type === type)?.activity ?? type}`,
      only: { ...alone, types: [type] },
      without: { ...filters, types: filters.types.filter((t) => t !== type) },
    });
  if (filters.actor)
    chips.push({
      key: 'actor',
      label: `User: ${filters.actor}`,
      only: { ...alone, actor: filters.actor },
      without: { ...filters, actor: null },
    });
  if (filters.securityOnly)
    chips.push({
      key: 'security',
      label: 'Security actions only',
      only: { ...alone, securityOnly: true },
      without: { ...filters, securityOnly: false },
    });
  return chips;
}

function FilterChip({
  orgId,
  range,
  zone,
  spec,
  onRemove,
}: {
  orgId: string;
  range: { from: string; to: string };
  zone: string;
  spec: ChipSpec;
  onRemove: () => void;
}) {
  const count = useAuditLogCount(orgId, apiParams(range, spec.only, zone));
  const countText = count.data === undefined ? '…' : String(count.data);
  return (
    <li className="chip" data-testid="filter-chip">
      <span className="chip-label">{spec.label}</span>
      <span className="chip-count" aria-label={`${countText} matching results`}>
        {countText}
      </span>
      <button type="button" className="chip-remove" aria-label={`Remove filter ${spec.label}`} onClick={onRemove}>
        ×
      </button>
    </li>
  );
}

/**
 * The applied filters as chips at the top: each names its filter, shows how many events match it, and ×
 * removes it. Focus stays in the chip list after a removal (on the chip that took the removed one's place),
 * or goes to the Filters button when the last chip is gone, never to the page's body.
 */
export function FilterChips({
  orgId,
  range,
  zone,
  filters,
  onChange,
  onClearAll,
  filtersButton,
}: {
  orgId: string;
  range: { from: string; to: string };
  zone: string;
  filters: AuditLogFilters;
  onChange: (filters: AuditLogFilters) => void;
  onClearAll: () => void;
  filtersButton: RefObject<HTMLButtonElement | null>;
}) {
  const list = useRef<HTMLUListElement>(null);
  const removal = useRef<{ index: number; remaining: number } | null>(null);
  const catalog = useCatalog();
  const specs = chipSpecs(filters, catalog.data);

  // Once the removal shows (the view lives in the URL, so it changes a render or more later; a chip's count
  // arriving may re-render the list before that, with the removed chip still in it).
  useEffect(() => {
    if (removal.current === null || specs.length !== removal.current.remaining) return;
    const { index } = removal.current;
    removal.current = null;
    const buttons = list.current?.querySelectorAll<HTMLButtonElement>('.chip-remove');
    const next = buttons && buttons.length > 0 ? buttons[Math.min(index, buttons.length - 1)] : undefined;
    (next ?? filtersButton.current)?.focus();
  });

  if (!hasFilters(filters)) return null;
  return (
    <div className="chips-row">
      <ul className="chips" aria-label="Applied filters" ref={list}>
        {specs.map((spec, index) => (
          <FilterChip
            key={spec.key}
            orgId={orgId}
            range={range}
            zone={zone}
            spec={spec}
            onRemove={() => {
              removal.current = { index, remaining: specs.length - 1 };
              onChange(spec.without);
            }}
          />
        ))}
      </ul>
      <button type="button" className="link-button" onClick={onClearAll}>
        Clear all
      </button>
    </div>
  );
}
