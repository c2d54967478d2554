import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CatalogFileError } from '../../src/catalog/catalog-file.js';
import {
  BUILT_IN_CATALOG_DIR,
  findEventType,
  loadCatalogFolder,
  productAreas,
  readCatalogFolder,
} from '../../src/catalog/catalog-registry.js';
import { ACTION_TYPES } from '../../src/catalog/event-catalog.js';
import { FLEET_PLUS_AREA, VEHICLE_ADDED } from '../support/fleet-plus-area.js';

// Product areas are data (PRODUCT.md §10): one JSON file each, checked against the schema that ships in
// catalog/, and a bad file is refused with its name, line and problem.

const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A folder holding one product-area file with this text; returns the folder and the file. */
function folderWith(name: string, text: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'attest-catalog-'));
  folders.push(dir);
  const file = join(dir, name);
  writeFileSync(file, text);
  return { dir, file };
}

function area(overrides: Record<string, unknown> = {}, eventTypes?: unknown[]): Record<string, unknown> {
  return { ...FLEET_PLUS_AREA, eventTypes: eventTypes ?? [VEHICLE_ADDED], ...overrides };
}

/** The error reading `text` gives, as file, line and problem. */
function refusal(text: string): CatalogFileError {
  const { dir } = folderWith('fleet-plus.json', text);
  try {
    readCatalogFolder(dir);
  } catch (error) {
    if (error instanceof CatalogFileError) return error;
    throw error;
  }
  throw new Error('the file was accepted');
}

describe('the built-in product areas', () => {
  it('are the five of PRODUCT.md §10, with their display names', () => {
    expect(productAreas().map((a) => [a.product, a.displayName])).toEqual(
      expect.arrayContaining([
        ['UserManagement', 'User Management'],
        ['AuditLogs', 'Audit Logs'],
        ['LoyaltyPlus', 'Loyalty+'],
        ['EngagePlus', 'Engage+'],
        ['InsightsPlus', 'Insights+'],
      ]),
    );
    expect(readCatalogFolder(BUILT_IN_CATALOG_DIR)).toHaveLength(5);
  });

  it.each([
    ['LoyaltyPlus', 'loyalty.'],
    ['EngagePlus', 'engage.'],
    ['InsightsPlus', 'insights.'],
  ])('%s has at least six types under %s, with an approval, a security export, an update and a security action', (product, prefix) => {
    const types = productAreas().find((a) => a.product === product)?.eventTypes ?? [];
    expect(types.length).toBeGreaterThanOrEqual(6);
    for (const def of types) expect(def.type.startsWith(prefix), def.type).toBe(true);
    expect(types.some((d) => d.action === 'Approve')).toBe(true);
    expect(types.some((d) => d.action === 'Export' && d.securityAction)).toBe(true);
    expect(types.some((d) => d.action === 'Update')).toBe(true);
    expect(types.filter((d) => d.securityAction).length).toBeGreaterThanOrEqual(1);
  });

  it('lists in the file schema exactly the action types the code knows', () => {
    const schema = JSON.parse(readFileSync(join(BUILT_IN_CATALOG_DIR, 'product-area.schema.json'), 'utf8')) as {
      definitions: { eventType: { properties: { action: { enum: string[] } } } };
    };
    expect(schema.definitions.eventType.properties.action.enum).toEqual([...ACTION_TYPES]);
  });

  it('gives a versioned type its versions in order, each with its compiled metadata schema', () => {
    const def = findEventType('loyalty.points.adjusted');
    expect(def?.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(def?.versions[1]?.metadata?.({ points: 5, reason: 'goodwill', ledgerEntryId: 'l-1' })).toBe(true);
    expect(def?.versions[1]?.metadata?.({ points: 5, reason: 'goodwill' })).toBe(false);
    expect(def?.versions[0]?.metadata?.({ points: 5, reason: 'goodwill' })).toBe(true);
  });
});

describe('a product-area file that cannot be loaded', () => {
  it('names the line and column of a JSON syntax error', () => {
    const error = refusal('{\n  "product": "FleetPlus",\n  "displayName": "Fleet+"\n  "typePrefixes": []\n}\n');
    expect(error.file).toMatch(/fleet-plus\.json$/);
    expect([error.line, error.column]).toEqual([4, 3]);
    expect(error.problem).toMatch(/not valid JSON: comma expected/);
    expect(error.message).toMatch(/fleet-plus\.json:4:3: not valid JSON/);
  });

  it('names an unknown action type, its line and the allowed ones', () => {
    const text = JSON.stringify(
      area({}, [
        {
          type: 'fleet.vehicle.sold',
          activity: 'Sold',
          action: 'Sell',
          securityAction: false,
          entityType: 'vehicle',
          descriptionTemplate: 'x',
        },
      ]),
      null,
      2,
    );
    const error = refusal(text);
    expect(error.line).toBe(text.split('\n').findIndex((l) => l.includes('"Sell"')) + 1);
    expect(error.problem).toBe(
      'eventTypes.0.action must be one of "Create", "Update", "Delete", "View", "Approve", "Export", "Login", "Invite link"',
    );
  });

  it('names a type defined twice at its second definition', () => {
    const def = { ...VEHICLE_ADDED, activity: 'A' };
    const text = JSON.stringify(area({}, [def, { ...def, activity: 'B' }]), null, 2);
    const error = refusal(text);
    const lines = text.split('\n');
    const second = lines.findIndex(
      (l, i) => l.includes('"fleet.vehicle.added"') && i > lines.findIndex((m) => m.includes('"fleet.vehicle.added"')),
    );
    expect(error.line).toBe(second + 1);
    expect(error.problem).toBe('event type "fleet.vehicle.added" is defined twice');
  });

  it('names a metadata schema that does not compile and why', () => {
    const def = {
      ...VEHICLE_ADDED,
      versions: [{ version: 1, metadata: { type: 'object', requried: ['vin'] } }],
    };
    const text = JSON.stringify(area({}, [def]), null, 2);
    const error = refusal(text);
    expect(error.line).toBe(text.split('\n').findIndex((l) => l.includes('"metadata"')) + 1);
    expect(error.problem).toMatch(/^the metadata schema of fleet\.vehicle\.added version 1 does not compile: .*requried/);
  });

  it("refuses a type outside the area's prefixes, versions out of order, unknown members and a missing member", () => {
    const base = { activity: 'A', action: 'Create', securityAction: false, entityType: 'vehicle', descriptionTemplate: 'x' };
    expect(refusal(JSON.stringify(area({}, [{ ...base, type: 'user.vehicle.added' }]))).problem).toBe(
      'event type "user.vehicle.added" does not start with a prefix of this product area (fleet.)',
    );
    expect(refusal(JSON.stringify(area({}, [{ ...base, type: 'fleet.a', versions: [{ version: 2 }] }]))).problem).toBe(
      'versions must be numbered 1, 2, 3 … in order; expected 1',
    );
    expect(refusal(JSON.stringify(area({ colour: 'red' }))).problem).toBe('the file has an unknown member "colour"');
    expect(refusal(JSON.stringify({ product: 'FleetPlus', displayName: 'Fleet+', typePrefixes: ['fleet.'] })).problem).toBe(
      'the file is missing "eventTypes"',
    );
  });

  it("refuses example metadata that does not meet its own version's schema, at its line", () => {
    const def = {
      ...VEHICLE_ADDED,
      versions: [
        {
          version: 1,
          metadata: { type: 'object', required: ['vin'], properties: { vin: { type: 'string' } } },
          exampleMetadata: { plate: 'AB-12' },
        },
      ],
    };
    const text = JSON.stringify(area({}, [def]), null, 2);
    const error = refusal(text);
    expect(error.line).toBe(text.split('\n').findIndex((l) => l.includes('"exampleMetadata"')) + 1);
    expect(error.problem).toBe(
      "the example metadata of fleet.vehicle.added version 1 does not meet its own schema: data must have required property 'vin'",
    );
  });

  it('refuses a second file for a known product area or a prefix of another area, so no file can redefine User Management', () => {
    const product = folderWith('again.json', JSON.stringify(area({ product: 'UserManagement', typePrefixes: ['fleet.'] }), null, 2));
    expect(() => loadCatalogFolder(product.dir)).toThrow(
      /again\.json:2:\d+: product area UserManagement is already defined by .*user-management\.json/,
    );
    const prefix = folderWith('users.json', JSON.stringify(area({ typePrefixes: ['fleet.', 'user.'] }), null, 2));
    expect(() => loadCatalogFolder(prefix.dir)).toThrow(/users\.json:6:\d+: type prefix "user\." overlaps the prefixes of UserManagement/);
    expect(productAreas().some((a) => a.product === 'FleetPlus')).toBe(false);
  });
});
