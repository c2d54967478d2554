import { readFileSync } from 'node:fs';
import { packagePath } from '../core/package-root.js';
import { catalogErrorAt, CatalogFileReader } from './catalog-file.js';
import { readProductAreaFolder, type ProductAreaSource } from './catalog-files.js';
import type { EventTypeDefinition, ProductAreaCatalog, TypeVersion } from './event-catalog.js';

/** The built-in product areas and the JSON Schema every product-area file meets; they ship in `catalog/`. */
export const BUILT_IN_CATALOG_DIR = packagePath(import.meta.url, 'catalog');
const reader = new CatalogFileReader(JSON.parse(readFileSync(`${BUILT_IN_CATALOG_DIR}/product-area.schema.json`, 'utf8')) as object);

const sources: ProductAreaSource[] = [];
const byType = new Map<string, EventTypeDefinition>();

/**
 * Adds product areas to the catalog after checking them against those already in it: one file per product
 * id, and type prefixes that do not overlap, so a file in `ATTEST_CATALOG_DIR` can never define or redefine
 * an event type of another product area. Loading the same file again (a second app in one process) is a
 * no-op; anything else that conflicts throws a `CatalogFileError` naming the file and the line.
 */
function addProductAreas(added: readonly ProductAreaSource[]): void {
  const fresh = added.filter(({ file }) => !sources.some((known) => known.file === file));
  const checked: ProductAreaSource[] = [...sources];
  for (const source of fresh) {
    const { file, area } = source;
    const text = readFileSync(file, 'utf8');
    const sameProduct = checked.find((known) => known.area.product === area.product);
    if (sameProduct) {
      throw catalogErrorAt(file, text, ['product'], `product area ${area.product} is already defined by ${sameProduct.file}`);
    }
    area.typePrefixes.forEach((prefix, index) => {
      const clash = checked.find((known) => known.area.typePrefixes.some((other) => other.startsWith(prefix) || prefix.startsWith(other)));
      if (clash) {
        throw catalogErrorAt(
          file,
          text,
          ['typePrefixes', index],
          `type prefix "${prefix}" overlaps the prefixes of ${clash.area.product} (${clash.file})`,
        );
      }
    });
    checked.push(source);
  }
  sources.push(...fresh);
  for (const { area } of fresh) for (const def of area.eventTypes) byType.set(def.type, def);
}

/** Loads every product-area file of a folder (`ATTEST_CATALOG_DIR`) into the catalog; see {@link addProductAreas}. */
export function loadCatalogFolder(dir: string): void {
  addProductAreas(readProductAreaFolder(reader, dir));
}

/** Reads one folder's product areas without adding them: what `attest catalog check` and the tests use. */
export function readCatalogFolder(dir: string): ProductAreaCatalog[] {
  return readProductAreaFolder(reader, dir).map(({ area }) => area);
}

loadCatalogFolder(BUILT_IN_CATALOG_DIR);

/** Every product area Attest knows, the built-in ones first. */
export function productAreas(): readonly ProductAreaCatalog[] {
  return sources.map(({ area }) => area);
}

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
  return productAreas().find((area) => area.product === product);
}

/** The product area with that machine name; throws when there is none (for tests and the benchmark). */
export function productAreaNamed(product: string): ProductAreaCatalog {
  const area = findProductArea(product);
  if (!area) throw new Error(`no product area ${product} in the catalog`);
  return area;
}

/** A type's newest version: the one an event gets when it names none. */
export function currentVersion(def: EventTypeDefinition): TypeVersion {
  const newest = def.versions.at(-1);
  if (newest === undefined) throw new Error(`${def.type} has no version`);
  return newest;
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
