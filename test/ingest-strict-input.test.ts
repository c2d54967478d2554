import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHarness, incomingEvent, type IngestHarness } from './support/ingest-harness.js';
import { storeMatrix } from './support/store-matrix.js';

// Ingest takes its input strictly: each case sends the raw body an attacker or a broken producer would, and
// expects a 400 problem naming the field and the reason, with nothing written. Before the strict reader,
// 100,000 levels of nesting gave a 500, 1e309 was stored as null, 2026-11-31 became December 1st, an array
// `type` or a numeric `actor.id` were coerced into strings, and lone surrogates were stored.

type Problem = { status: number; code: string; detail: string; errors: Array<{ field: string; reason: string; index?: number }> };

/** A batch of one valid event for `orgId` whose JSON text has `rawEvent` spliced in as its second event. */
function bodyWithRawEvent(orgId: string, rawEvent: string): string {
  return `{"events":[${JSON.stringify(incomingEvent(orgId))},${rawEvent}]}`;
}

/** The text of a valid event with the given raw JSON members added (or replacing a member of the same name). */
function rawEvent(orgId: string, members: Record<string, string>, without: string[] = []): string {
  const base = incomingEvent(orgId);
  const kept = Object.entries(base).filter(([key]) => !(key in members) && !without.includes(key));
  const parts = [
    ...kept.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`),
    ...Object.entries(members).map(([key, raw]) => `${JSON.stringify(key)}:${raw}`),
  ];
  return `{${parts.join(',')}}`;
}

/** `depth` nested objects `{"a":{"a":…}}` around `1`. */
function nestedObjects(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`${kind}: strict ingest input`, () => {
    let h: IngestHarness;
    beforeAll(async () => {
      h = await createIngestHarness(kind);
    });
    afterAll(async () => {
      await h?.dispose();
    });

    function postRaw(payload: string | Buffer): Promise<LightMyRequestResponse> {
      return h.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { authorization: `Bearer ${h.allProductsKey}`, 'content-type': 'application/json' },
        payload,
      });
    }

    async function expectRefused(
      payload: string | Buffer,
      expected: { code?: string; field: string; reason: RegExp; index?: number },
    ): Promise<Problem> {
      const before = await h.countEvents();
      const response = await postRaw(payload);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = response.json<Problem>();
      expect(problem.code).toBe(expected.code ?? 'VALIDATION_FAILED');
      const match = problem.errors.find((e) => e.field === expected.field);
      expect(match, JSON.stringify(problem.errors)).toBeDefined();
      expect(match?.reason).toMatch(expected.reason);
      expect(match?.index).toBe(expected.index);
      expect(await h.countEvents()).toBe(before);
      return problem;
    }

    it('refuses 100,000 levels of nesting with a 400, not a 500', async () => {
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      // body, events, the event and metadata are 4 open levels: the 28th array inside is the 32nd level.
      await expectRefused(bodyWithRawEvent(h.orgId, rawEvent(h.orgId, { metadata: `{"deep":${deep}}` })), {
        field: `events[1].metadata.deep${'[0]'.repeat(28)}`,
        reason: /nests deeper than 32 levels/,
        index: 1,
      });
      // Not inside any event: the whole body is one deep array, named by its indexes.
      await expectRefused(deep, { field: '[0]'.repeat(32), reason: /nests deeper than 32 levels/ });
    });

    it('accepts 32 levels of nesting and refuses 33', async () => {
      // body, events and the event are 3 levels: metadata and 28 objects inside it make 32.
      const accepted = await postRaw(bodyWithRawEvent(h.orgId, rawEvent(h.orgId, { metadata: nestedObjects(29) })));
      expect(accepted.statusCode, accepted.body).toBe(201);
      await expectRefused(bodyWithRawEvent(h.orgId, rawEvent(h.orgId, { metadata: nestedObjects(30) })), {
        field: `events[1].metadata${'.a'.repeat(29)}`,
        reason: /nests deeper than 32 levels/,
        index: 1,
      });
    });

    const NUMBER_CASES = [
      { text: '1e309', reason: /not a finite number/ },
      { text: '-1e309', reason: /not a finite number/ },
      { text: '9007199254740993', reason: /beyond ±\(2\^53 − 1\)/ },
      { text: '-9007199254740993', reason: /beyond ±\(2\^53 − 1\)/ },
      { text: '1e300', reason: /beyond ±\(2\^53 − 1\)/ },
      { text: '1e-400', reason: /underflows to 0/ },
    ];
    for (const c of NUMBER_CASES) {
      it(`refuses the number ${c.text}, naming its field`, async () => {
        await expectRefused(bodyWithRawEvent(h.orgId, rawEvent(h.orgId, { metadata: `{"size":${c.text}}` })), {
          field: 'events[1].metadata.size',
          reason: c.reason,
          index: 1,
        });
      });
    }

    it('accepts numbers every consumer reads the same way', async () => {
      const response = await postRaw(
        bodyWithRawEvent(
          h.orgId,
          rawEvent(h.orgId, {
            metadata: '{"max":9007199254740991,"min":-9007199254740991,"half":0.5,"zero":0,"negZero":-0.0,"small":1e-300}',
          }),
        ),
      );
      expect(response.statusCode, response.body).toBe(201);
    });

    it('refuses an impossible date instead of moving it to the next day', async () => {
      for (const occurredAt of [
        '2026-11-31T10:00:00Z',
        '2026-02-29T10:00:00Z',
        '2026-01-01T24:00:00Z',
        '2026-01-01T23:59:60Z',
        '2026-01-01T10:00:00+24:00',
      ]) {
        await expectRefused(bodyWithRawEvent(h.orgId, rawEvent(h.orgId, { occurredAt: JSON.stringify(occurredAt) })), {
          field: 'events[1].occurredAt',
          reason: /RFC 3339/,
          index: 1,
        });
      }
    });

    it('does not coerce types: an array type and a numeric actor.id are refused', async () => {
      await expectRefused(bodyWithRawEvent(h.orgId, rawEvent(h.orgId, { type: '["user.standard.added"]' })), {
        field: 'events[1].type',
        reason: /must be string/,
        index: 1,
      });
      await expectRefused(bodyWithRawEvent(h.orgId, rawEvent(h.orgId, { actor: '{"id":42}' })), {
        field: 'events[1].actor.id',
        reason: /must be string/,
        index: 1,
      });
      await expectRefused(bodyWithRawEvent(h.orgId, rawEvent(h.orgId, { entity: '{"id":true}' })), {
        field: 'events[1].entity.id',
        reason: /must be string/,
        index: 1,
      });
      await expectRefused(bodyWithRawEvent(h.orgId, rawEvent(h.orgId, { idempotencyKey: '7' })), {
        field: 'events[1].idempotencyKey',
        reason: /must be string/,
        index: 1,
      });
    });

    it('refuses lone surrogates in values and keys', async () => {
      await expectRefused(bodyWithRawEvent(h.orgId, rawEvent(h.orgId, { actor: '{"id":"u-1","name":"A\\ud800"}' })), {
        field: 'events[1].actor.name',
        reason: /lone UTF-16 surrogate/,
        index: 1,
      });
      await expectRefused(bodyWithRawEvent(h.orgId, rawEvent(h.orgId, { description: '"\\udc00 trailing"' })), {
        field: 'events[1].description',
        reason: /lone UTF-16 surrogate/,
        index: 1,
      });
      await expectRefused(bodyWithRawEvent(h.orgId, rawEvent(h.orgId, { metadata: '{"k\\ud83d":1}' })), {
        field: 'events[1].metadata.k\ud83d',
        reason: /lone UTF-16 surrogate/,
        index: 1,
      });
      // A proper pair (an emoji written as two escapes) is text.
      const emoji = await postRaw(bodyWithRawEvent(h.orgId, rawEvent(h.orgId, { description: '"party \\ud83c\\udf89"' })));
      expect(emoji.statusCode, emoji.body).toBe(201);
    });

    it('refuses a __proto__ key with a message that says why', async () => {
      const problem = await expectRefused(bodyWithRawEvent(h.orgId, rawEvent(h.orgId, { metadata: '{"__proto__":{"isAdmin":true}}' })), {
        field: 'events[1].metadata.__proto__',
        reason: /"__proto__".*prototype pollution/,
        index: 1,
      });
      expect(problem.detail).toMatch(/Event 1 rejected: events\[1\]\.metadata\.__proto__/);
      await expectRefused(bodyWithRawEvent(h.orgId, rawEvent(h.orgId, { metadata: '{"constructor":{"prototype":{"x":1}}}' })), {
        field: 'events[1].metadata.constructor',
        reason: /prototype pollution/,
        index: 1,
      });
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    });

    it('refuses bytes that are not UTF-8 and text that is not JSON as malformed', async () => {
      const valid = Buffer.from(bodyWithRawEvent(h.orgId, rawEvent(h.orgId, { description: '"XX"' })));
      const broken = Buffer.from(valid);
      broken[broken.indexOf('XX')] = 0xff;
      await expectRefused(broken, { code: 'MALFORMED_JSON', field: 'body', reason: /not UTF-8/ });
      await expectRefused('{"events": [', { code: 'MALFORMED_JSON', field: 'body', reason: /not valid JSON/ });
      await expectRefused('{"events": [-]}', { code: 'MALFORMED_JSON', field: 'body', reason: /not valid JSON/ });
    });
  });
}
