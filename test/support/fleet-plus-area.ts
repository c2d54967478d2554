import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Fleet+, a product area that ships with nothing: the tests put it in ATTEST_CATALOG_DIR to show that a
// product-area file alone, with no code, adds an area to the catalog, the ingest, the filters and the page.

/** Fleet+'s first type: no versions, so one version without schemas. */
export const VEHICLE_ADDED = {
  type: 'fleet.vehicle.added',
  activity: 'Vehicle added',
  action: 'Create',
  securityAction: false,
  entityType: 'vehicle',
  descriptionTemplate: '{actor} added the vehicle {entity}',
} as const;

/** The product-area file of Fleet+: a plain type, and a type whose metadata changed shape in version 2. */
export const FLEET_PLUS_AREA = {
  product: 'FleetPlus',
  displayName: 'Fleet+',
  typePrefixes: ['fleet.'],
  eventTypes: [
    VEHICLE_ADDED,
    {
      type: 'fleet.driver.approved',
      activity: 'Driver approved',
      action: 'Approve',
      securityAction: true,
      entityType: 'driver',
      descriptionTemplate: '{actor} approved the driver {entity}',
      versions: [
        { version: 1, metadata: { type: 'object', required: ['licence'], properties: { licence: { type: 'string' } } } },
        {
          version: 2,
          note: 'Approvals say which check passed.',
          metadata: {
            type: 'object',
            required: ['licence', 'check'],
            properties: { licence: { type: 'string' }, check: { enum: ['manual', 'registry'] } },
          },
        },
      ],
    },
  ],
};

/** A temporary catalog folder holding the Fleet+ file; `remove` deletes it. */
export function fleetPlusCatalogFolder(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'attest-fleet-catalog-'));
  writeFileSync(join(dir, 'fleet-plus.json'), JSON.stringify(FLEET_PLUS_AREA, null, 2));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
