import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { insertOrganization } from '../src/store/queries/tenancy-queries.js';
import { createIngestHarness, incomingEvent, type IngestHarness } from './support/ingest-harness.js';
import { storeMatrix } from './support/store-matrix.js';

// Every reason POST /api/v1/events rejects a batch, each answered as RFC 9457 problem+json naming the event
// index, the field and the reason, and each leaving the store exactly as it was (all-or-nothing).

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

interface EventCase {
  name: string;
  /** Turns a valid event into the bad one. */
  spoil(orgId: string): Record<string, unknown>;
  field: string;
  reason: RegExp;
  /** Send with the UserManagement-only key. */
  scopedKey?: boolean;
}

const withoutKey = (event: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(event).filter(([k]) => k !== key));

const EVENT_CASES: EventCase[] = [
  {
    name: 'unknown type',
    spoil: (o) => incomingEvent(o, { type: 'user.teleported' }),
    field: 'type',
    reason: /unknown event type "user\.teleported"/,
  },
  {
    name: 'type outside the key’s products',
    spoil: (o) => incomingEvent(o, { type: 'audit_log.viewed' }),
    field: 'type',
    reason: /AuditLogs.*may not write/,
    scopedKey: true,
  },
  { name: 'missing actor', spoil: (o) => withoutKey(incomingEvent(o), 'actor'), field: 'actor', reason: /is required/ },
  { name: 'missing entity', spoil: (o) => withoutKey(incomingEvent(o), 'entity'), field: 'entity', reason: /is required/ },
  { name: 'missing actor.id', spoil: (o) => incomingEvent(o, { actor: { name: 'Alice' } }), field: 'actor.id', reason: /is required/ },
  { name: 'empty actor.id', spoil: (o) => incomingEvent(o, { actor: { id: '' } }), field: 'actor.id', reason: /fewer than 1/ },
  { name: 'blank actor.id', spoil: (o) => incomingEvent(o, { actor: { id: '   ' } }), field: 'actor.id', reason: /must not be empty/ },
  { name: 'missing entity.id', spoil: (o) => incomingEvent(o, { entity: { name: 'Bob' } }), field: 'entity.id', reason: /is required/ },
  {
    name: 'occurredAt over 5 minutes ahead',
    spoil: (o) => incomingEvent(o, { occurredAt: new Date(Date.now() + 6 * MINUTE_MS).toISOString() }),
    field: 'occurredAt',
    reason: /more than 5 minutes in the future/,
  },
  {
    name: 'occurredAt older than retention',
    spoil: (o) => incomingEvent(o, { occurredAt: new Date(Date.now() - 91 * DAY_MS).toISOString() }),
    field: 'occurredAt',
    reason: /older than the retention/,
  },
  {
    name: 'occurredAt not a timestamp',
    spoil: (o) => incomingEvent(o, { occurredAt: 'yesterday' }),
    field: 'occurredAt',
    reason: /ISO-8601/,
  },
  {
    name: 'metadata with 33 keys',
    spoil: (o) => incomingEvent(o, { metadata: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])) }),
    field: 'metadata',
    reason: /more than 32 keys/,
  },
  {
    name: 'metadata over 8 KiB',
    spoil: (o) => incomingEvent(o, { metadata: { blob: 'x'.repeat(8 * 1024) } }),
    field: 'metadata',
    reason: /larger than 8 KiB/,
  },
  { name: 'orgId not a UUID', spoil: () => incomingEvent('acme-corp'), field: 'orgId', reason: /UUID/ },
  { name: 'unknown organization', spoil: () => incomingEvent(newId()), field: 'orgId', reason: /no such organization/ },
  // PostgreSQL text cannot hold U+0000; SQLite could, so without this check the same event would be stored
  // on one database and fail with a 500 on the other.
  { name: 'NUL character in actor.id', spoil: (o) => incomingEvent(o, { actor: { id: 'u\u00001' } }), field: 'actor.id', reason: /NUL/ },
  {
    name: 'NUL character in actor.name',
    spoil: (o) => incomingEvent(o, { actor: { id: 'u-1', name: 'Al\u0000ice' } }),
    field: 'actor.name',
    reason: /NUL/,
  },
  { name: 'NUL character in entity.id', spoil: (o) => incomingEvent(o, { entity: { id: '\u0000' } }), field: 'entity.id', reason: /NUL/ },
  {
    name: 'NUL character in idempotencyKey',
    spoil: (o) => incomingEvent(o, { idempotencyKey: 'k\u0000' }),
    field: 'idempotencyKey',
    reason: /NUL/,
  },
  {
    name: 'sender-chosen product',
    spoil: (o) => incomingEvent(o, { product: 'AuditLogs' }),
    field: 'product',
    reason: /not a known field/,
  },
  { name: 'sender-chosen action', spoil: (o) => incomingEvent(o, { action: 'Delete' }), field: 'action', reason: /not a known field/ },
  {
    name: 'sender-chosen activity',
    spoil: (o) => incomingEvent(o, { activity: 'Nothing happened' }),
    field: 'activity',
    reason: /not a known field/,
  },
  {
    name: 'sender-chosen security flag',
    spoil: (o) => incomingEvent(o, { securityAction: false }),
    field: 'securityAction',
    reason: /not a known field/,
  },
  { name: 'sender-chosen seq', spoil: (o) => incomingEvent(o, { seq: 0 }), field: 'seq', reason: /not a known field/ },
];

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`${kind}: ingest rejections`, () => {
    let h: IngestHarness;
    beforeAll(async () => {
      h = await createIngestHarness(kind);
    });
    afterAll(async () => {
      await h?.dispose();
    });

    function post(payload: unknown, options: { key?: string; contentType?: string } = {}): Promise<LightMyRequestResponse> {
      const headers: Record<string, string> = { authorization: `Bearer ${options.key ?? h.allProductsKey}` };
      if (options.contentType) headers['content-type'] = options.contentType;
      return h.app.inject({ method: 'POST', url: '/api/v1/events', headers, payload: payload as string });
    }

    /** Sends, expects the problem, and checks that nothing at all was written. */
    async function expectRejected(
      send: () => Promise<LightMyRequestResponse>,
      status: number,
      code: string,
      error: { field: string; reason: RegExp; index?: number },
    ) {
      const before = await h.countEvents();
      const response = await send();
      expect(response.statusCode, response.body).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = response.json<{
        status: number;
        code: string;
        title: string;
        detail: string;
        errors: Array<{ field: string; reason: string; index?: number }>;
      }>();
      expect(problem).toMatchObject({ status, code });
      expect(problem.title.length).toBeGreaterThan(0);
      const match = problem.errors.find((e) => e.field === error.field && e.index === error.index);
      expect(match, JSON.stringify(problem.errors)).toBeDefined();
      expect(match?.reason).toMatch(error.reason);
      expect(await h.countEvents()).toBe(before);
      return problem;
    }

    for (const c of EVENT_CASES) {
      it(`rejects ${c.name}, naming event 2 and ${c.field}, and writes nothing`, async () => {
        // Two valid events first: the batch is all-or-nothing, so they must not be written either.
        const events = [incomingEvent(h.orgId), incomingEvent(h.otherOrgId), c.spoil(h.orgId)];
        const problem = await expectRejected(
          () => post({ events }, { key: c.scopedKey ? h.userManagementKey : h.allProductsKey }),
          400,
          'VALIDATION_FAILED',
          {
            field: `events[2].${c.field}`,
            reason: c.reason,
            index: 2,
          },
        );
        expect(problem.detail).toMatch(/Event 2 rejected.*Nothing was written/);
      });
    }

    it('reports every bad event of a batch, not only the first', async () => {
      const events = [incomingEvent(h.orgId, { type: 'nope' }), incomingEvent(h.orgId), incomingEvent('bad-org')];
      const problem = await expectRejected(() => post({ events }), 400, 'VALIDATION_FAILED', {
        field: 'events[0].type',
        reason: /unknown/,
        index: 0,
      });
      expect(problem.errors).toContainEqual(expect.objectContaining({ field: 'events[2].orgId', index: 2 }));
      expect(problem.errors.some((e) => e.index === 1)).toBe(false);
    });

    it('rejects more than 1000 events and an empty batch', async () => {
      const many = Array.from({ length: 1001 }, () => incomingEvent(h.orgId));
      await expectRejected(() => post({ events: many }), 400, 'VALIDATION_FAILED', { field: 'events', reason: /more than 1000/ });
      await expectRejected(() => post({ events: [] }), 400, 'VALIDATION_FAILED', { field: 'events', reason: /fewer than 1/ });
      await expectRejected(() => post({}), 400, 'VALIDATION_FAILED', { field: 'events', reason: /is required/ });
    });

    it('rejects a body that is not JSON with 400 and a non-JSON content type with 415', async () => {
      await expectRejected(() => post('{"events": [', { contentType: 'application/json' }), 400, 'MALFORMED_JSON', {
        field: 'body',
        reason: /not valid JSON/,
      });
      await expectRejected(() => post('', { contentType: 'application/json' }), 400, 'MALFORMED_JSON', {
        field: 'body',
        reason: /not valid JSON/,
      });
      await expectRejected(() => post('[1, 2]', { contentType: 'application/json' }), 400, 'VALIDATION_FAILED', {
        field: 'body',
        reason: /object/,
      });
      await expectRejected(
        () => post(JSON.stringify({ events: [incomingEvent(h.orgId)] }), { contentType: 'text/plain' }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        {
          field: 'content-type',
          reason: /application\/json/,
        },
      );
    });

    it('rejects a body over the limit with 413', async () => {
      const huge = JSON.stringify({ events: [incomingEvent(h.orgId, { metadata: { blob: 'x'.repeat(13 * 1024 * 1024) } })] });
      await expectRejected(() => post(huge, { contentType: 'application/json' }), 413, 'BODY_TOO_LARGE', {
        field: 'body',
        reason: /size limit/,
      });
    });

    it('accepts an organization created after its events were refused (a refusal is not remembered)', async () => {
      const lateOrgId = newId();
      await expectRejected(() => post({ events: [incomingEvent(h.orgId), incomingEvent(lateOrgId)] }), 400, 'VALIDATION_FAILED', {
        field: 'events[1].orgId',
        reason: /no such organization/,
        index: 1,
      });
      await insertOrganization(h.testStore.store.db, { id: lateOrgId, name: 'Late Org', timeZone: 'UTC' }, Date.now());
      const response = await post({ events: [incomingEvent(h.orgId), incomingEvent(lateOrgId)] });
      expect(response.statusCode, response.body).toBe(201);
    });

    it('still accepts a valid batch after all those rejections (the store was left consistent)', async () => {
      // Every rejected batch above also carried valid events for the second organization: its log is still empty.
      const response = await post({ events: [incomingEvent(h.otherOrgId), incomingEvent(h.otherOrgId)] });
      expect(response.statusCode).toBe(201);
      expect(response.json<{ events: Array<{ seq: number }> }>().events.map((e) => e.seq)).toEqual([0, 1]);
    });
  });
}
