import { DAY_MS } from '../../src/config.js';
import type { EventFilter } from '../../src/store/event-log-reader.js';
import type { QueryDataset } from '../dataset/query-dataset.js';

/** The filters of one query, as both the store and the HTTP API take them. */
export interface ScenarioFilters {
  actions?: string[];
  actorEmail?: string;
  securityOnly?: boolean;
  types?: string[];
  products?: string[];
}

/** A named filter combination. */
export interface QueryScenario {
  name: string;
  filters: ScenarioFilters;
}

/** One concrete query: a scenario, an organization and a range of at most 30 days. */
export interface QueryCase {
  scenario: string;
  orgId: string;
  window: string;
  filter: EventFilter;
}

/**
 * Filter combinations from the broad (no filter: the newest page is the first index entries) to the sparse
 * (one actor and a rare type: few matches, so a page has to skip many rows), across every filter the API has.
 */
export function queryScenarios(actorEmail: string): QueryScenario[] {
  return [
    { name: 'no filter', filters: {} },
    { name: 'action=Update', filters: { actions: ['Update'] } },
    { name: 'action=Create+Delete', filters: { actions: ['Create', 'Delete'] } },
    { name: 'security=true', filters: { securityOnly: true } },
    { name: 'type=user.privileged.added', filters: { types: ['user.privileged.added'] } },
    { name: 'actor', filters: { actorEmail } },
    { name: 'product=AuditLogs', filters: { products: ['AuditLogs'] } },
    { name: 'action=Update, security', filters: { actions: ['Update'], securityOnly: true } },
    { name: 'actor, action=Login', filters: { actorEmail, actions: ['Login'] } },
    { name: 'actor, type=permission_set.deleted', filters: { actorEmail, types: ['permission_set.deleted'] } },
    {
      name: 'actor, security, type=org.proxy_access.granted',
      filters: { actorEmail, securityOnly: true, types: ['org.proxy_access.granted'] },
    },
    { name: 'product=UserManagement, action=Export', filters: { products: ['UserManagement'], actions: ['Export'] } },
  ];
}

/** The ranges a case can cover: the API default, a full 30 days further back, and one day. */
const WINDOWS = ['last 30 days', '30 days, older', '1 day'] as const;

/**
 * Every scenario × window × organization (the big one and one small one), `rounds` times with different
 * ranges, in a seeded random order so the cache is not walked in a friendly sequence.
 */
export function queryCases(dataset: QueryDataset, rounds: number, random: () => number): QueryCase[] {
  const actor = dataset.actorEmails[0] as string;
  const orgs = [dataset.bigOrgId, ...dataset.smallOrgIds.slice(0, 1)];
  const latestTo = Math.min(Date.now(), dataset.anchorMs + 1);
  const earliestFrom = dataset.anchorMs - dataset.spreadMs;
  const cases: QueryCase[] = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const scenario of queryScenarios(actor)) {
      for (const orgId of orgs) {
        for (const window of WINDOWS) {
          let toMs = latestTo;
          let spanMs = 30 * DAY_MS;
          if (window === '30 days, older') toMs = earliestFrom + spanMs + random() * (latestTo - earliestFrom - spanMs);
          if (window === '1 day') {
            spanMs = DAY_MS;
            toMs = earliestFrom + spanMs + random() * (latestTo - earliestFrom - spanMs);
          }
          toMs = Math.floor(toMs);
          cases.push({ scenario: scenario.name, orgId, window, filter: { orgId, fromMs: toMs - spanMs, toMs, ...scenario.filters } });
        }
      }
    }
  }
  for (let i = cases.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [cases[i], cases[j]] = [cases[j] as QueryCase, cases[i] as QueryCase];
  }
  return cases;
}

/** The query string of `GET /api/v1/orgs/{orgId}/audit-logs` for a filter (PRODUCT.md §7). */
export function auditLogQueryString(filter: EventFilter, limit: number): string {
  const params = new URLSearchParams();
  params.set('from', new Date(filter.fromMs).toISOString());
  params.set('to', new Date(filter.toMs).toISOString());
  for (const action of filter.actions ?? []) params.append('action', action);
  if (filter.actorEmail !== undefined) params.set('actor', filter.actorEmail);
  if (filter.securityOnly) params.set('security', 'true');
  for (const type of filter.types ?? []) params.append('type', type);
  for (const product of filter.products ?? []) params.append('product', product);
  params.set('limit', String(limit));
  return params.toString();
}
