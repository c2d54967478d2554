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
