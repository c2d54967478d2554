/**
 * The event catalog: every product area and event type Attest accepts, as data.
 *
 * The catalog decides an event's action type, activity text and security flag; a producer never does.
 * Adding a product area is adding a {@link ProductAreaCatalog} to `catalog-registry.ts`: query, export and
 * the web page read the catalog, they never name event types themselves.
 *
 * @example
 * const def = findEventType('user.privileged.added');
 * def?.securityAction; // true
 */

/** The action types an owner filters by (PRODUCT.md §3); "Invite link" is included so every event is reachable. */
export const ACTION_TYPES = ['Create', 'Update', 'Delete', 'View', 'Approve', 'Export', 'Login', 'Invite link'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/** One catalogued event type. */
export interface EventTypeDefinition {
  /** Catalog key, e.g. `user.standard.added`. */
  readonly type: string;
  /** Product area, e.g. `UserManagement`. */
  readonly product: string;
  /** Activity text as shown on the page. */
  readonly activity: string;
  readonly action: ActionType;
  readonly securityAction: boolean;
  /** The kind of entity the event acts on, e.g. `user`, `permission_set`. */
  readonly entityType: string;
  /**
   * Default description when the producer sends none. Placeholders: `{actor}` (actor name or email or id),
   * `{entity}` (entity name or id).
   */
  readonly descriptionTemplate: string;
}

/** A product area and its event types. */
export interface ProductAreaCatalog {
  /** Machine name used in events and filters, e.g. `UserManagement`. */
  readonly product: string;
  /** Name shown to people, e.g. `User Management`. */
  readonly displayName: string;
  readonly eventTypes: readonly EventTypeDefinition[];
}
