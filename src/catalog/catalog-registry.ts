import { auditLogsCatalog } from './audit-logs-catalog.js';
import type { EventTypeDefinition, ProductAreaCatalog } from './event-catalog.js';
import { userManagementCatalog } from './user-management-catalog.js';

/** Every product area Attest knows. A new product area is one more entry here. */
export const PRODUCT_AREAS: readonly ProductAreaCatalog[] = [userManagementCatalog, auditLogsCatalog];

const byType = new Map<string, EventTypeDefinition>(
  PRODUCT_AREAS.flatMap((area) => area.eventTypes.map((def) => [def.type, def] as const)),
);

/** The definition of an event type, or undefined when the type is not catalogued. */
export function findEventType(type: string): EventTypeDefinition | undefined {
  return byType.get(type);
}

/** Every catalogued event type, in catalog order. */
export function allEventTypes(): EventTypeDefinition[] {
  return [...byType.values()];
}

/** The product area with that machine name, or undefined. */
export function findProductArea(product: string): ProductAreaCatalog | undefined {
  return PRODUCT_AREAS.find((area) => area.product === product);
}

/** Renders a type's description template for an event that came without a description. */
export function renderDescription(def: EventTypeDefinition, actorLabel: string, entityLabel: string): string {
  return def.descriptionTemplate.replaceAll('{actor}', actorLabel).replaceAll('{entity}', entityLabel);
}

/** What a filter asks of an event's catalog entry; every part that is present must hold. */
export interface CatalogCriteria {
  types?: readonly string[] | undefined;
  actions?: readonly string[] | undefined;
  products?: readonly string[] | undefined;
  securityOnly?: boolean | undefined;
  /** None of these types (e.g. the routine sign-ins and views a person may hide). */
  excludedTypes?: readonly string[] | undefined;
}

/**
 * The catalogued types that meet every present criterion, in catalog order; undefined when no criterion is
 * present (every type, and no narrowing needed). Action type, product area and security flag belong to the
 * type, so a filter on them is a filter on this set of types.
 *
 * @example
 * eventTypesMeeting({ securityOnly: true, actions: ['Delete'] }); // ['user.privileged.removed', …]
 */
export function eventTypesMeeting(criteria: CatalogCriteria): string[] | undefined {
  const { types, actions, products, securityOnly, excludedTypes } = criteria;
  if (!types?.length && !actions?.length && !products?.length && !securityOnly && !excludedTypes?.length) return undefined;
  return allEventTypes()
    .filter(
      (def) =>
        (!types?.length || types.includes(def.type)) &&
        (!actions?.length || actions.includes(def.action)) &&
        (!products?.length || products.includes(def.product)) &&
        (!securityOnly || def.securityAction) &&
        !excludedTypes?.includes(def.type),
    )
    .map((def) => def.type);
}
