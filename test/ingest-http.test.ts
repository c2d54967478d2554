import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEventTypes, currentVersion } from '../src/catalog/catalog-registry.js';
import { createIngestHarness, incomingEvent, type IngestHarness } from './support/ingest-harness.js';
import { storeMatrix } from './support/store-matrix.js';

// POST /api/v1/events through the real app (app.inject) on a real store: what is accepted, how it is recorded,
// and who may call. Rejections are in ingest-http-rejections.test.ts.

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

type IngestAnswer = { events: Array<{ logId: string; seq: number; duplicate: boolean }>; traceId: string };

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`${kind}: ingest over HTTP`, () => {
    let h: IngestHarness;
    beforeAll(async () => {
      h = await createIngestHarness(kind);
    });
    afterAll(async () => {
      await h?.dispose();
    });

    function post(events: unknown[], headers: Record<string, string> = {}, key?: string): Promise<LightMyRequestResponse> {
      return h.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { authorization: `Bearer ${key ?? h.allProductsKey}`, ...headers },
        payload: { events },
      });
    }

    it('accepts every catalog type, taking product, action, activity and security from the catalog', async () => {
      const types = allEventTypes();
      const response = await post(
        types.map((def) => {
          const example = currentVersion(def).exampleMetadata;
          return incomingEvent(h.orgId, { type: def.type, ...(example ? { metadata: example } : {}) });
        }),
      );
      expect(response.statusCode, response.body).toBe(201);
      const answer = response.json<IngestAnswer>();
      expect(answer.events).toHaveLength(types.length);
      const firstSeq = answer.events[0]?.seq ?? -1;
      expect(answer.events.map((e) => e.seq)).toEqual(types.map((_, i) => firstSeq + i));
      for (const [i, def] of types.entries()) {
        const record = await h.testStore.store.events.findByLogId(h.orgId, answer.events[i]?.logId as string);
        expect(record, def.type).toMatchObject({
          type: def.type,
          product: def.product,
          action: def.action,
          activity: def.activity,
          securityAction: def.securityAction,
          orgId: h.orgId,
          actor: { id: 'u-1', name: 'Alice', email: 'alice@example.com', type: 'user' },
          entity: { id: 'u-2', name: 'Bob', type: def.entityType, product: def.product },
          traceId: answer.traceId,
        });
        expect(record?.description.length).toBeGreaterThan(0);
        expect(Date.parse(record?.expiresAt as string) - Date.parse(record?.occurredAt as string)).toBe(90 * 86_400_000);
      }
    });

    it('keeps a sent occurredAt, description, changes and metadata as sent', async () => {
      const occurredAt = new Date(Date.now() - 3_600_000).toISOString();
      const sent = incomingEvent(h.orgId, {
        type: 'user.type.made_privileged',
        occurredAt,
        description: 'Made Bob an admin',
        changes: [{ field: 'userType', from: 'standard', to: 'admin' }],
        metadata: { reason: 'promotion', ticket: 42 },
      });
      const response = await post([sent]);
      expect(response.statusCode, response.body).toBe(201);
      const record = await h.testStore.store.events.findByLogId(h.orgId, response.json<IngestAnswer>().events[0]?.logId as string);
      expect(record).toMatchObject({
        occurredAt,
        description: 'Made Bob an admin',
        changes: sent.changes as object,
        metadata: sent.metadata as object,
        securityAction: true,
      });
    });

    it('answers a resend of the same event with the same idempotency key with the original logId and seq, writing nothing', async () => {
      const first = await post([incomingEvent(h.orgId, { idempotencyKey: 'signup-991' })]);
      expect(first.statusCode).toBe(201);
      const original = first.json<IngestAnswer>().events[0];
      const rows = await h.countEvents();
      // The same event, its members in another order: still the same event.
      const reordered = Object.fromEntries(Object.entries(incomingEvent(h.orgId, { idempotencyKey: 'signup-991' })).reverse());
      const resent = await post([reordered]);
      expect(resent.statusCode).toBe(201);
      expect(resent.json<IngestAnswer>().events[0]).toEqual({ ...original, duplicate: true });
      expect(await h.countEvents()).toBe(rows);
      // The same key in another organization is a different event.
      const elsewhere = await post([incomingEvent(h.otherOrgId, { idempotencyKey: 'signup-991' })]);
      expect(elsewhere.json<IngestAnswer>().events[0]).toMatchObject({ seq: 0, duplicate: false });
      expect(elsewhere.json<IngestAnswer>().events[0]?.logId).not.toBe(original?.logId);
    });

    it('refuses an idempotency key reused for a different event with 409 naming the original logId, writing nothing of the batch', async () => {
      const first = await post([incomingEvent(h.orgId, { idempotencyKey: 'invoice-17' })]);
      const original = first.json<IngestAnswer>().events[0];
      const rows = await h.countEvents();
      const reused = await post([
        incomingEvent(h.orgId),
        incomingEvent(h.orgId, { idempotencyKey: 'invoice-17', description: 'changed on resend' }),
      ]);
      expect(reused.statusCode, reused.body).toBe(409);
      expect(reused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(reused.json()).toMatchObject({
        status: 409,
        code: 'IDEMPOTENCY_CONFLICT',
        errors: [
          {
            index: 1,
            field: 'events[1].idempotencyKey',
            logId: original?.logId,
            reason: expect.stringContaining(original?.logId as string) as unknown,
          },
        ],
      });
      expect(await h.countEvents()).toBe(rows);
      // Twice in one batch for two different events: refused too, nothing written.
      const twice = await post([
        incomingEvent(h.orgId, { idempotencyKey: 'twice' }),
        incomingEvent(h.orgId, { idempotencyKey: 'twice', entity: { id: 'u-3' } }),
      ]);
      expect(twice.statusCode, twice.body).toBe(409);
      expect(twice.json()).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', errors: [{ index: 1, field: 'events[1].idempotencyKey' }] });
      expect(await h.countEvents()).toBe(rows);
    });

    it('refuses only the conflicting request of a group commit, and commits its neighbours', async () => {
      await post([incomingEvent(h.orgId, { idempotencyKey: 'grouped-original' })]);
      const rows = await h.countEvents();
      const answers = await Promise.all([
        post([incomingEvent(h.orgId, { idempotencyKey: 'grouped-1' })]),
        post([incomingEvent(h.orgId, { idempotencyKey: 'grouped-original', description: 'not the original' })]),
        post([incomingEvent(h.orgId, { idempotencyKey: 'grouped-2' })]),
      ]);
      expect(answers.map((a) => a.statusCode)).toEqual([201, 409, 201]);
      expect(await h.countEvents()).toBe(rows + 2);
    });

    it('takes the trace id from a W3C traceparent header into the answer and the record', async () => {
      const response = await post([incomingEvent(h.orgId)], { traceparent: TRACEPARENT });
      expect(response.statusCode).toBe(201);
      const answer = response.json<IngestAnswer>();
      expect(answer.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      const record = await h.testStore.store.events.findByLogId(h.orgId, answer.events[0]?.logId as string);
      expect(record?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    });

    it('generates a fresh trace id when traceparent is malformed', async () => {
      const malformed = [
        'garbage',
        '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01',
        `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
        'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      ];
      const seen = new Set<string>();
      for (const traceparent of malformed) {
        const response = await post([incomingEvent(h.orgId)], { traceparent });
        expect(response.statusCode, traceparent).toBe(201);
        const answer = response.json<IngestAnswer>();
        expect(answer.traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(answer.traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
        expect(answer.traceId).not.toBe('0'.repeat(32));
        seen.add(answer.traceId);
        const record = await h.testStore.store.events.findByLogId(h.orgId, answer.events[0]?.logId as string);
        expect(record?.traceId).toBe(answer.traceId);
      }
      expect(seen.size).toBe(malformed.length);
    });

    it('refuses owners (API token or session) with 403 and anonymous or unknown callers with 401, writing nothing', async () => {
      const rows = await h.countEvents();
      const body = { events: [incomingEvent(h.orgId)] };
      const cases: Array<{ headers: Record<string, string>; status: number; code: string; payload?: unknown }> = [
        { headers: { authorization: `Bearer ${h.ownerToken}` }, status: 403, code: 'FORBIDDEN' },
        { headers: { cookie: h.sessionCookie }, status: 403, code: 'FORBIDDEN' },
        { headers: {}, status: 401, code: 'UNAUTHENTICATED' },
        { headers: { authorization: 'Bearer atp_not-a-real-key' }, status: 401, code: 'UNAUTHENTICATED' },
        { headers: { authorization: 'Basic b3duZXI6cHc=' }, status: 401, code: 'UNAUTHENTICATED' },
        // Authorization is decided before the body is looked at: an anonymous invalid body is still a 401.
        { headers: {}, status: 401, code: 'UNAUTHENTICATED', payload: { events: [] } },
        { headers: { cookie: h.sessionCookie }, status: 403, code: 'FORBIDDEN', payload: { nonsense: true } },
      ];
      for (const c of cases) {
        const response = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: c.headers, payload: c.payload ?? body });
        expect(response.statusCode, JSON.stringify(c.headers)).toBe(c.status);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.json()).toMatchObject({ status: c.status, code: c.code });
      }
      expect(await h.countEvents()).toBe(rows);
    });

    it('lets a producer key write to any organization but only its own product areas', async () => {
      const response = await post([incomingEvent(h.otherOrgId, { type: 'permission_set.created' })], {}, h.userManagementKey);
      expect(response.statusCode).toBe(201);
      const record = await h.testStore.store.events.findByLogId(h.otherOrgId, response.json<IngestAnswer>().events[0]?.logId as string);
      expect(record?.orgId).toBe(h.otherOrgId);
      expect(await h.testStore.store.events.findByLogId(h.orgId, record?.logId as string)).toBeUndefined();
    });

    it('assigns gapless seqs to an organization across requests, whatever else is written', async () => {
      const orgRows = await h.testStore.store.db
        .selectFrom('audit_events')
        .select('seq')
        .where('org_id', '=', h.orgId)
        .orderBy('seq')
        .execute();
      expect(orgRows.map((r) => Number(r.seq))).toEqual(orgRows.map((_, i) => i));
      expect(orgRows.length).toBeGreaterThan(allEventTypes().length);
    });
  });
}
