import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareIncomingEvents } from '../../src/catalog/prepare-incoming-events.js';
import type { IncomingEvent } from '../../src/catalog/incoming-event.js';
import { AttestError } from '../../src/core/errors.js';
import { createIngestHarness, incomingEvent, type IngestHarness } from '../support/ingest-harness.js';
import { configureProperties, PROPERTY_SEED } from './fast-check-settings.js';

// A fuzz run of POST /api/v1/events on a real app and SQLite store, with a fixed seed and a time bound: no
// input gives a 500, no invalid input is acknowledged (and none writes a row), and every valid batch is.

configureProperties();

/** How long each fuzz property may run; CI has the same bound, so the file's time stays predictable. */
const TIME_LIMIT_MS = 15_000;
const DAY_MS = 86_400_000;

type Mutation = (event: Record<string, unknown>) => Record<string, unknown>;

/** Ways to spoil a valid event that the API must refuse. */
const SPOILERS: Array<[string, Mutation]> = [
  ['no actor', ({ actor: _a, ...rest }) => rest],
  ['no entity', ({ entity: _e, ...rest }) => rest],
  ['array type', (e) => ({ ...e, type: [e.type] })],
  ['numeric actor.id', (e) => ({ ...e, actor: { id: 7 } })],
  ['unknown type', (e) => ({ ...e, type: 'user.teleported' })],
  ['unknown member', (e) => ({ ...e, product: 'AuditLogs' })],
  ['bad orgId', (e) => ({ ...e, orgId: 'acme' })],
  ['impossible date', (e) => ({ ...e, occurredAt: '2026-11-31T10:00:00Z' })],
  ['far future', (e) => ({ ...e, occurredAt: new Date(Date.now() + DAY_MS).toISOString() })],
  ['null metadata', (e) => ({ ...e, metadata: null })],
  ['blank actor.id', (e) => ({ ...e, actor: { id: ' ' } })],
  ['NUL in entity.id', (e) => ({ ...e, entity: { id: 'a\u0000' } })],
];

describe('ingest fuzz (fixed seed, time-bounded)', () => {
  let h: IngestHarness;
  beforeAll(async () => {
    h = await createIngestHarness('sqlite');
  });
  afterAll(async () => {
    await h?.dispose();
  });

  const post = (payload: string | Buffer) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { authorization: `Bearer ${h.allProductsKey}`, 'content-type': 'application/json' },
      payload,
    });

  it(`refuses every spoiled event with a 4xx, never a 500, writing nothing (seed ${PROPERTY_SEED})`, async () => {
    const spoiled = fc.tuple(fc.constantFrom(...SPOILERS), fc.nat({ max: 3 }), fc.nat({ max: 3 }));
    await fc.assert(
      fc.asyncProperty(spoiled, async ([[name, spoil], before, after]) => {
        const events = [
          ...Array.from({ length: before }, () => incomingEvent(h.orgId)),
          spoil(incomingEvent(h.orgId)),
          ...Array.from({ length: after }, () => incomingEvent(h.otherOrgId)),
        ];
        const rows = await h.countEvents();
        const response = await post(JSON.stringify({ events }));
        expect(response.statusCode, `${name}: ${response.body}`).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, name).toBeLessThan(500);
        expect(
          response.json<{ errors: Array<{ index?: number }> }>().errors.some((e) => e.index === before),
          name,
        ).toBe(true);
        expect(await h.countEvents()).toBe(rows);
      }),
      { interruptAfterTimeLimit: TIME_LIMIT_MS, numRuns: 200 },
    );
  });

  it('answers any JSON value put in place of an event with a 4xx and never acknowledges it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 40 }), fc.boolean(), async (value, asBody) => {
        const rows = await h.countEvents();
        const text = asBody ? JSON.stringify(value) : JSON.stringify({ events: [value] });
        const response = await post(text ?? 'null');
        expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, response.body).toBeLessThan(500);
        expect(await h.countEvents()).toBe(rows);
      }),
      { interruptAfterTimeLimit: TIME_LIMIT_MS, numRuns: 2000 },
    );
  });

  it('answers arbitrary bytes with a 4xx, never a 500', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
      fc.string().map((s) => Buffer.from(s)),
      fc.json().map((j) => Buffer.from(`{"events":[${j}`)),
    );
    await fc.assert(
      fc.asyncProperty(bytes, async (payload) => {
        const response = await post(payload);
        expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, response.body).toBeLessThan(500);
      }),
      { interruptAfterTimeLimit: TIME_LIMIT_MS, numRuns: 2000 },
    );
  });

  it('acknowledges every valid batch, storing each event with the texts sent', async () => {
    const name = fc
      .string({ minLength: 1, maxLength: 40 })
      .filter((s) => s.trim().length > 0 && !s.includes('\u0000') && !/[\uD800-\uDFFF]/.test(s));
    const valid = fc.array(fc.record({ actorId: name, entityName: name, description: name }), { minLength: 1, maxLength: 5 });
    await fc.assert(
      fc.asyncProperty(valid, async (specs) => {
        const events = specs.map((s) =>
          incomingEvent(h.orgId, { actor: { id: s.actorId }, entity: { id: 'e-1', name: s.entityName }, description: s.description }),
        );
        const response = await post(JSON.stringify({ events }));
        expect(response.statusCode, response.body).toBe(201);
        const answer = response.json<{ events: Array<{ logId: string }> }>();
        for (const [i, spec] of specs.entries()) {
          const record = await h.testStore.store.events.findByLogId(h.orgId, answer.events[i]?.logId as string);
          expect(record).toMatchObject({ actor: { id: spec.actorId }, entity: { name: spec.entityName }, description: spec.description });
        }
      }),
      { interruptAfterTimeLimit: TIME_LIMIT_MS, numRuns: 100 },
    );
  });
});

describe('ingest validation (property)', () => {
  it('either prepares every event of a batch or refuses it with field errors that each name an event', () => {
    const looseEvent = fc.record(
      {
        type: fc.oneof(fc.constant('user.standard.added'), fc.string()),
        orgId: fc.oneof(fc.uuid(), fc.string()),
        occurredAt: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
        ),
        actor: fc.record({ id: fc.string() }),
        entity: fc.record({ id: fc.string() }),
        description: fc.string(),
      },
      { requiredKeys: ['type', 'orgId', 'actor', 'entity'] },
    );
    fc.assert(
      fc.property(fc.array(looseEvent, { minLength: 1, maxLength: 5 }), (events) => {
        const ctx = { allowedProducts: 'all' as const, nowMs: Date.now(), retentionMs: 90 * DAY_MS, traceId: 'a'.repeat(32) };
        try {
          const prepared = prepareIncomingEvents(events as IncomingEvent[], ctx);
          expect(prepared).toHaveLength(events.length);
          prepared.forEach((p, i) => {
            expect(p.orgId).toBe(events[i]?.orgId);
            expect(p.occurredAtMs).toBeLessThanOrEqual(ctx.nowMs + 5 * 60_000);
            expect(p.occurredAtMs).toBeGreaterThan(ctx.nowMs - ctx.retentionMs);
          });
        } catch (error) {
          expect(error).toBeInstanceOf(AttestError);
          const { errors } = error as AttestError;
          expect(errors.length).toBeGreaterThan(0);
          for (const e of errors) expect(e.field.startsWith(`events[${e.index}].`)).toBe(true);
        }
      }),
    );
  });
});
