import { createProducerKey } from '../../auth/credentials.js';
import { currentVersion, productAreas } from '../../catalog/catalog-registry.js';
import type { ProductAreaCatalog } from '../../catalog/event-catalog.js';
import type { IncomingEvent } from '../../catalog/incoming-event.js';
import type { AttestConfig } from '../../config.js';
import { seededRandom } from '../../core/seeded-random.js';
import { buildApp } from '../../service/build-app.js';
import { servicesForStore } from '../../service/create-services.js';
import type { AttestStore } from '../../store/attest-store.js';
import { listMembers } from '../../store/queries/user-management/member-queries.js';

const DAY_MS = 86_400_000;

/**
 * The product areas whose events Attest's own operations write (the User Management demo and the audit log's
 * own records); every other area of the catalog, built in or from ATTEST_CATALOG_DIR, gets ingested activity.
 */
const WRITTEN_BY_ATTEST = new Set(['UserManagement', 'AuditLogs']);

/** Believable names for the entities of the shipped product areas; any other entity type is numbered. */
const ENTITY_NAMES: Record<string, readonly string[]> = {
  program: ['Coffee Club', 'Frequent Flyer Lite'],
  reward: ['Free flat white', 'Birthday voucher', 'Double points weekend', '10% off delivery'],
  member: ['Member 104 882', 'Member 220 417', 'Member 318 006', 'Member 400 129'],
  redemption: ['Redemption R-7781', 'Redemption R-7802', 'Redemption R-7840'],
  member_list: ['All members'],
  tier: ['Bronze (legacy)', 'Silver trial'],
  campaign: ['Winter sale', 'Welcome series', 'Win-back: 90 days', 'Spring launch'],
  segment: ['Lapsed buyers', 'VIP customers', 'New this month'],
  sender_domain: ['news.example.com', 'mail.example.com'],
  template: ['Order shipped (old)', 'Password reset v1'],
  dashboard: ['Revenue overview', 'Churn watch', 'Support load'],
  metric: ['Average order value', 'Net revenue retention'],
  data_source: ['Warehouse (BigQuery)', 'Billing (Stripe)'],
  access_request: ['Raw orders for Finance', 'Clickstream for Growth'],
  report: ['Churn Q4', 'Board pack November'],
};

/** What the product-area part of the demo wrote. */
export interface ProductAreaDemoResult {
  events: number;
  products: string[];
}

/**
 * Ingests about three weeks of activity of every product area the organization's services would send —
 * Loyalty+, Engage+, Insights+ and any area of ATTEST_CATALOG_DIR — through the ingest API
 * (`POST /api/v1/events` on the app, in process), each with a producer key scoped to its product area and
 * bound to the organization, as those services would. The members the User Management demo made are the
 * actors, so the log reads as one organization's story.
 */
export async function ingestProductAreaActivity(
  store: AttestStore,
  config: AttestConfig,
  orgId: string,
  options: { nowMs: number; perProduct?: number; seed?: number },
): Promise<ProductAreaDemoResult> {
  const random = seededRandom(options.seed ?? 17);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const members = (await listMembers(store.db, orgId, options.nowMs)).filter((m) => m.proxyFromOrgId === null);
  if (members.length === 0) throw new Error('the organization has no members to act in the demo');
  const areas = productAreas().filter((area) => !WRITTEN_BY_ATTEST.has(area.product));
  const services = servicesForStore(store, config);
  const app = await buildApp(services);
  let events = 0;
  try {
    for (const area of areas) {
      const key = await createProducerKey(store.db, `demo-${area.product}`, [area.product], options.nowMs, [orgId]);
      const batch = Array.from({ length: options.perProduct ?? 40 }, () => demoEvent(area, orgId, options.nowMs, random, pick, members));
      batch.sort((a, b) => (a.occurredAt ?? '').localeCompare(b.occurredAt ?? ''));
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
        payload: { events: batch },
      });
      if (response.statusCode !== 201) throw new Error(`the demo's ${area.product} events were refused: ${response.body}`);
      events += batch.length;
    }
  } finally {
    await app.close();
    await services.committer.close();
  }
  return { events, products: areas.map((area) => area.product) };
}

function demoEvent(
  area: ProductAreaCatalog,
  orgId: string,
  nowMs: number,
  random: () => number,
  pick: <T>(items: readonly T[]) => T,
  members: ReadonlyArray<{ userId: string; email: string; name: string }>,
): IncomingEvent {
  const def = pick(area.eventTypes);
  const actor = pick(members);
  const names = ENTITY_NAMES[def.entityType] ?? [1, 2, 3].map((n) => `${def.entityType.replaceAll('_', ' ')} ${n}`);
  const name = pick(names);
  const example = currentVersion(def).exampleMetadata;
  // Working hours over the last three weeks, never in the future.
  const daysAgo = Math.floor(random() * 21);
  const occurredAtMs = Math.min(nowMs - 60_000, nowMs - daysAgo * DAY_MS - Math.floor(random() * 9 * 3_600_000));
  return {
    type: def.type,
    orgId,
    occurredAt: new Date(occurredAtMs).toISOString(),
    actor: { id: actor.userId, name: actor.name, email: actor.email, type: 'user' },
    entity: { id: `${def.entityType}_${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, name },
    ...(example ? { metadata: example } : {}),
  };
}
