import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducerKey } from '../../src/auth/credentials.js';
import { canonicalRecordJson } from '../../src/events/canonical-record.js';
import type { AuditEventRecord } from '../../src/events/audit-event.js';
import { leafHash } from '../../src/events/leaf-hash.js';
import { createIngestHarness, type IngestHarness } from '../support/ingest-harness.js';
import { fleetPlusCatalogFolder } from '../support/fleet-plus-area.js';
import { storeMatrix } from '../support/store-matrix.js';

// A product area added as a file in ATTEST_CATALOG_DIR, with no code change: listed by the catalog route,
// written by a producer key scoped to it, filterable, and its versioned types kept to the version each event
// was written with (PRODUCT.md §10).

type Problem = { status: number; errors: Array<{ field: string; reason: string }> };
type Page = { data: AuditEventRecord[] };
type Catalog = {
  productAreas: Array<{ product: string; displayName: string }>;
  eventTypes: Array<{ type: string; product: string; version: number }>;
};

const fleetCatalog = fleetPlusCatalogFolder();
const catalogDir = fleetCatalog.dir;
afterAll(() => fleetCatalog.remove());

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`${kind}: a product area from ATTEST_CATALOG_DIR`, () => {
    let h: IngestHarness;
    let fleetKey: string;
    beforeAll(async () => {
      h = await createIngestHarness(kind, undefined, { ATTEST_CATALOG_DIR: catalogDir });
      fleetKey = (await createProducerKey(h.testStore.store.db, 'fleet', ['FleetPlus'], Date.now(), [h.orgId])).secret;
    });
    afterAll(async () => {
      await h?.dispose();
    });

    const ingest = (key: string, events: unknown[]) =>
      h.app.inject({ method: 'POST', url: '/api/v1/events', headers: { authorization: `Bearer ${key}` }, payload: { events } });
    const read = async (query: string) => {
      const response = await h.app.inject({
        method: 'GET',
        url: `/api/v1/orgs/${h.orgId}/audit-logs?${query}`,
        headers: { authorization: `Bearer ${h.ownerToken}` },
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<Page>().data;
    };
    const driver = (overrides: Record<string, unknown>) => ({
      type: 'fleet.driver.approved',
      orgId: h.orgId,
      actor: { id: 'ops-1', name: 'Ops' },
      entity: { id: 'd-1', name: 'Dana Driver' },
      ...overrides,
    });

    it('is listed by GET /api/v1/catalog with its display name, types and their newest version', async () => {
      const response = await h.app.inject({ method: 'GET', url: '/api/v1/catalog', headers: { authorization: `Bearer ${h.ownerToken}` } });
      const catalog = response.json<Catalog>();
      expect(catalog.productAreas).toContainEqual({ product: 'FleetPlus', displayName: 'Fleet+' });
      expect(catalog.eventTypes.filter((t) => t.product === 'FleetPlus')).toEqual([
        expect.objectContaining({ type: 'fleet.vehicle.added', version: 1 }),
        expect.objectContaining({ type: 'fleet.driver.approved', version: 2 }),
      ]);
    });

    it('accepts its events from a key scoped to it, refuses them from a User Management key, and filters by product', async () => {
      const added = await ingest(fleetKey, [
        { type: 'fleet.vehicle.added', orgId: h.orgId, actor: { id: 'ops-1' }, entity: { id: 'v-1', name: 'Van 1' } },
      ]);
      expect(added.statusCode, added.body).toBe(201);
      const refused = await ingest(h.userManagementKey, [
        { type: 'fleet.vehicle.added', orgId: h.orgId, actor: { id: 'x' }, entity: { id: 'v-2' } },
      ]);
      expect(refused.statusCode).toBe(400);
      expect(refused.json<Problem>().errors[0]?.reason).toMatch(/belongs to product FleetPlus, which this producer key may not write/);
      const fleet = await read('product=FleetPlus');
      expect(fleet.map((e) => [e.type, e.product, e.entity.product, e.description])).toEqual([
        ['fleet.vehicle.added', 'FleetPlus', 'FleetPlus', 'ops-1 added the vehicle Van 1'],
      ]);
      expect((await read('product=UserManagement')).some((e) => e.product === 'FleetPlus')).toBe(false);
    });

    it('writes the newest version when none is named, keeps an older one when named, and hashes what it returns', async () => {
      const newest = await ingest(fleetKey, [driver({ metadata: { licence: 'B', check: 'registry' } })]);
      expect(newest.statusCode, newest.body).toBe(201);
      const older = await ingest(fleetKey, [driver({ version: 1, metadata: { licence: 'C' } })]);
      expect(older.statusCode, older.body).toBe(201);
      const [v1, v2] = await read('type=fleet.driver.approved');
      expect(v2?.typeVersion).toBe(2);
      expect(v1 && 'typeVersion' in v1).toBe(false);
      expect(v1?.activity).toBe('Driver approved');
      for (const record of [v1, v2]) {
        if (!record) throw new Error('missing record');
        const { leafHash: stored, ...hashed } = record;
        expect(leafHash(canonicalRecordJson(hashed))).toBe(stored);
      }
    });

    it("refuses loudly a version the type does not have and metadata its version's schema refuses, writing nothing", async () => {
      const before = await h.countEvents();
      const unknown = await ingest(fleetKey, [driver({ version: 3, metadata: { licence: 'B' } })]);
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json<Problem>().errors).toEqual([
        expect.objectContaining({ field: 'events[0].version', reason: '"fleet.driver.approved" has no version 3; its versions are 1, 2' }),
      ]);
      const shape = await ingest(fleetKey, [
        driver({ metadata: { licence: 'B' } }),
        driver({ version: 2, metadata: { licence: 'B', check: 'psychic' } }),
      ]);
      expect(shape.statusCode).toBe(400);
      expect(shape.json<Problem>().errors).toEqual([
        expect.objectContaining({ field: 'events[0].metadata.check', reason: 'is required by fleet.driver.approved version 2' }),
        expect.objectContaining({
          field: 'events[1].metadata.check',
          reason: expect.stringMatching(/must be equal to one of the allowed values by fleet\.driver\.approved version 2/),
        }),
      ]);
      const missing = await ingest(fleetKey, [driver({ version: 1 })]);
      expect(missing.json<Problem>().errors).toEqual([expect.objectContaining({ field: 'events[0].metadata.licence' })]);
      const zero = await ingest(fleetKey, [driver({ version: 0, metadata: { licence: 'B' } })]);
      expect(zero.statusCode).toBe(400);
      expect(await h.countEvents()).toBe(before);
    });
  });
}
