import type { ValidateFunction } from 'ajv';
import type { JsonValue } from '../events/audit-event.js';

/**
 * The event catalog: every product area and event type Attest accepts, as data.
 *
 * The catalog decides an event's action type, activity text and security flag; a producer never does.
 * Each product area is one JSON file (`catalog/*.json`, and any in `ATTEST_CATALOG_DIR`) read by
 * `catalog-file.ts`: query, export and the web page read the catalog, they never name product areas.
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
  /** Versions 1, 2, … in order; the last is the one an event gets when it names none. */
  readonly versions: readonly TypeVersion[];
}

/** One version of an event type: what its metadata and changes must look like, when it says. */
export interface TypeVersion {
  readonly version: number;
  metadata?: ValidateFunction;
  /** Metadata of a typical event of this version, valid against `metadata`. */
  exampleMetadata?: Record<string, JsonValue>;
  changes?: ValidateFunction;
}

/** A product area and its event types. */
export interface ProductAreaCatalog {
  /** Machine name used in events and filters, e.g. `UserManagement`. */
  readonly product: string;
  /** Name shown to people, e.g. `User Management`. */
  readonly displayName: string;
  /** Every event type of the area starts with one of these, and no other area's type does. */
  readonly typePrefixes: readonly string[];
  readonly eventTypes: readonly EventTypeDefinition[];
}
