import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducerKey, findProducerKey, revokeProducerKey } from '../src/auth/credentials.js';
import { listProducerKeys } from '../src/store/queries/credential-queries.js';
import { canonicalRecordJson } from '../src/events/canonical-record.js';
import { leafHash } from '../src/events/leaf-hash.js';
import type { AuditEventRecord } from '../src/events/audit-event.js';
import { createIngestHarness, incomingEvent, type IngestHarness } from './support/ingest-harness.js';
import { storeMatrix } from './support/store-matrix.js';

// Producer keys bound to organizations (PRODUCT.md §2): a key of one tenant's service cannot forge events in
// another tenant's log, and every ingested event records which key sent it, inside what its leaf hash covers.

type IngestAnswer = { events: Array<{ logId: string; seq: number }> };
type Problem = { status: number; code: string; detail: string; errors: Array<{ field: string; reason: string; index?: number }> };

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`${kind}: producer keys bound to organizations`, () => {
    let h: IngestHarness;
    let boundKey: { id: string; secret: string };
    beforeAll(async () => {
      h = await createIngestHarness(kind);
      boundKey = await createProducerKey(h.testStore.store.db, 'acme-billing', ['UserManagement'], Date.now(), [h.orgId]);
    });
    afterAll(async () => {
      await h?.dispose();
    });

    function post(events: unknown[], key: string): Promise<LightMyRequestResponse> {
      return h.app.inject({ method: 'POST', url: '/api/v1/events', headers: { authorization: `Bearer ${key}` }, payload: { events } });
    }

    it('reads the binding back: bound keys list their organizations, the others are platform-wide', async () => {
      expect(await findProducerKey(h.testStore.store.db, boundKey.secret)).toEqual({
        id: boundKey.id,
        name: 'acme-billing',
        products: ['UserManagement'],
        orgIds: [h.orgId],
      });
      expect((await findProducerKey(h.testStore.store.db, h.allProductsKey))?.orgIds).toBe('all');
      const listed = await listProducerKeys(h.testStore.store.db);
      expect(listed.find((k) => k.id === boundKey.id)?.orgIds).toEqual([h.orgId]);
    });

    it('appends for the organization the key is bound to', async () => {
      const response = await post([incomingEvent(h.orgId)], boundKey.secret);
      expect(response.statusCode, response.body).toBe(201);
    });

    it('refuses with 403 a batch holding an event for another organization, naming the event and the orgId, and writes nothing', async () => {
      const before = await h.countEvents();
      const response = await post([incomingEvent(h.orgId), incomingEvent(h.otherOrgId)], boundKey.secret);
      expect(response.statusCode, response.body).toBe(403);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = response.json<Problem>();
      expect(problem).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      expect(problem.errors).toEqual([
        { index: 1, field: 'events[1].orgId', reason: `this producer key is not bound to organization ${h.otherOrgId}` },
      ]);
      expect(problem.detail).toMatch(/Event 1 rejected.*Nothing was written/);
      expect(await h.countEvents()).toBe(before);
    });

    it('gives an organization that does not exist the same 403, so a bound key learns nothing of other tenants', async () => {
      const response = await post([incomingEvent('0190d9a0-0000-7000-8000-000000000000')], boundKey.secret);
      expect(response.statusCode).toBe(403);
      expect(response.json<Problem>().errors[0]?.index).toBe(0);
    });

    it('lets a platform-wide key write for every organization', async () => {
      const response = await post([incomingEvent(h.orgId), incomingEvent(h.otherOrgId)], h.allProductsKey);
      expect(response.statusCode, response.body).toBe(201);
    });

    it('records the sending key in the event, inside what the leaf hash covers, and the API returns it', async () => {
      const response = await post([incomingEvent(h.orgId)], boundKey.secret);
      const logId = response.json<IngestAnswer>().events[0]?.logId as string;
      const read = await h.app.inject({
        method: 'GET',
        url: `/api/v1/orgs/${h.orgId}/audit-logs/${logId}`,
        headers: { authorization: `Bearer ${h.ownerToken}` },
      });
      expect(read.statusCode, read.body).toBe(200);
      const record = read.json<AuditEventRecord>();
      expect(record.producer).toEqual({ id: boundKey.id, name: 'acme-billing' });
      const { leafHash: hashed, ...unhashed } = record;
      expect(leafHash(canonicalRecordJson(unhashed))).toBe(hashed);
      const { producer: _dropped, ...withoutProducer } = unhashed;
      expect(leafHash(canonicalRecordJson(withoutProducer))).not.toBe(hashed);

      const page = await h.app.inject({
        method: 'GET',
        url: `/api/v1/orgs/${h.orgId}/audit-logs`,
        headers: { authorization: `Bearer ${h.ownerToken}` },
      });
      const listed = page.json<{ data: AuditEventRecord[] }>().data.find((e) => e.logId === logId);
      expect(listed?.producer).toEqual({ id: boundKey.id, name: 'acme-billing' });
    });

    it('records no producer for the events Attest writes itself', async () => {
      // The owner's first page read records audit_log.viewed, which no producer key sent.
      const page = await h.app.inject({
        method: 'GET',
        url: `/api/v1/orgs/${h.orgId}/audit-logs`,
        headers: { authorization: `Bearer ${h.ownerToken}` },
      });
      expect(page.statusCode).toBe(200);
      const viewed = await h.testStore.store.db
        .selectFrom('audit_events')
        .select('record')
        .where('org_id', '=', h.orgId)
        .where('type', '=', 'audit_log.viewed')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(viewed.record)).not.toHaveProperty('producer');
    });

    it('revoking a bound key removes its bindings with it', async () => {
      const key = await createProducerKey(h.testStore.store.db, 'short-lived', ['UserManagement'], Date.now(), [h.orgId, h.otherOrgId]);
      expect((await revokeProducerKey(h.testStore.store.db, key.id))?.orgIds).toEqual([h.orgId, h.otherOrgId].sort());
      const left = await h.testStore.store.db.selectFrom('producer_key_orgs').select('org_id').where('key_id', '=', key.id).execute();
      expect(left).toEqual([]);
      expect((await post([incomingEvent(h.orgId)], key.secret)).statusCode).toBe(401);
    });
  });
}
