import { useAuditLogCount } from '../api/get-audit-log-count.js';
import { apiParams, hasFilters, NO_FILTERS, type AuditLogFilters } from '../utils/audit-log-view.js';

interface ChipSpec {
  key: string;
  label: string;
  /** The filter this chip stands for, alone: its count is the matches of that filter in the range. */
  only: AuditLogFilters;
  without: AuditLogFilters;
}

function chipSpecs(filters: AuditLogFilters): ChipSpec[] {
  const chips: ChipSpec[] = filters.actions.map((action) => ({
    key: `action:${action}`,
    label: `Activity: ${action}`,
    only: { ...NO_FILTERS, actions: [action] },
    without: { ...filters, actions: filters.actions.filter((a) => a !== action) },
  }));
  if (filters.actor) chips.push({ key: 'actor', label: `User: ${filters.actor}`, only: { ...NO_FILTERS, actor: filters.actor }, without: { ...filters, actor: null } });
  if (filters.securityOnly) chips.push({ key: 'security', label: 'Security actions only', only: { ...NO_FILTERS, securityOnly: true }, without: { ...filters, securityOnly: false } });
  return chips;
}

function FilterChip({ orgId, range, zone, spec, onChange }: { orgId: string; range: { from: string; to: string }; zone: string; spec: ChipSpec; onChange: (filters: AuditLogFilters) => void }) {
  const count = useAuditLogCount(orgId, apiParams(range, spec.only, zone));
  const countText = count.data === undefined ? '…' : String(count.data);
  return (
    <li className="chip" data-testid="filter-chip">
      <span className="chip-label">{spec.label}</span>
      <span className="chip-count" aria-label={`${countText} matching results`}>{countText}</span>
      <button type="button" className="chip-remove" aria-label={`Remove filter ${spec.label}`} onClick={() => onChange(spec.without)}>×</button>
    </li>
  );
}

/** The applied filters as chips at the top: each names its filter, shows how many events match it, and × removes it. */
export function FilterChips({ orgId, range, zone, filters, onChange }: { orgId: string; range: { from: string; to: string }; zone: string; filters: AuditLogFilters; onChange: (filters: AuditLogFilters) => void }) {
  if (!hasFilters(filters)) return null;
  return (
    <div className="chips-row">
      <ul className="chips" aria-label="Applied filters">
        {chipSpecs(filters).map((spec) => (
          <FilterChip key={spec.key} orgId={orgId} range={range} zone={zone} spec={spec} onChange={onChange} />
        ))}
      </ul>
      <button type="button" className="link-button" onClick={() => onChange(NO_FILTERS)}>Clear all</button>
    </div>
  );
}
