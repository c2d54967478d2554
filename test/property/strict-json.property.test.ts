import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parseStrictJson, StrictJsonError } from '../../src/core/strict-json.js';
import { configureProperties } from './fast-check-settings.js';

// The strict JSON reader against JSON.parse as the reference: it reads every value of the strict profile
// exactly as JSON.parse does, and refuses, naming a field, every value outside it.

configureProperties();

/** JSON values of the strict profile: safe numbers, well-formed strings, no __proto__ key, bounded depth. */
const strictValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
    fc.string({ unit: 'grapheme' }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.string({ unit: 'grapheme' }).filter((k) => k !== '__proto__' && k !== 'constructor'),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

function refusal(text: string): StrictJsonError {
  try {
    parseStrictJson(text);
  } catch (error) {
    if (error instanceof StrictJsonError) return error;
    throw error;
  }
  throw new Error(`accepted: ${text.slice(0, 200)}`);
}

describe('strict JSON (property)', () => {
  it('reads every strict value as JSON.parse does, whatever the white space', () => {
    fc.assert(
      fc.property(strictValue, fc.constantFrom(undefined, 1, '\t'), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(parseStrictJson(text)).toEqual(JSON.parse(text));
      }),
    );
  });

  it('refuses any integer beyond ±(2^53 − 1), wherever it sits, naming its place', () => {
    const unsafe = fc.bigInt({ min: 2n ** 53n, max: 2n ** 70n }).chain((n) => fc.constantFrom(n, -n));
    fc.assert(
      fc.property(unsafe, fc.array(fc.constantFrom('a', 'b c', 'é'), { minLength: 1, maxLength: 4 }), (n, keys) => {
        const text = keys.reduceRight((inner, key) => `{${JSON.stringify(key)}:${inner}}`, String(n));
        const error = refusal(text);
        expect(error.kind).toBe('rejected');
        expect(error.field).toBe(keys.join('.'));
        expect(error.reason).toMatch(/2\^53/);
      }),
    );
  });

  it('refuses any nesting past the limit and accepts any up to it, without overflowing the stack', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.boolean(), (depth, arrays) => {
        const [open, close] = arrays ? ['[', ']'] : ['{"k":', '}'];
        const text = `${open.repeat(depth)}${arrays ? '' : '0'}${close.repeat(depth)}`;
        if (depth <= MAX_JSON_DEPTH) expect(() => parseStrictJson(text)).not.toThrow();
        else expect(refusal(text).reason).toMatch(/nests deeper than 32/);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses any string holding a lone surrogate, and accepts every proper pair', () => {
    const lone = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => `\\u${code.toString(16)}`);
    fc.assert(
      fc.property(fc.string(), lone, fc.string(), (before, surrogate, after) => {
        const text = `{"s":"${JSON.stringify(before).slice(1, -1)}${surrogate}${JSON.stringify(after).slice(1, -1)}"}`;
        // A high surrogate may meet a low one at the start of `after`: then it is a pair, and text.
        const value = (JSON.parse(text) as { s: string }).s;
        if (!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value))
          expect(parseStrictJson(text)).toEqual({ s: value });
        else expect(refusal(text).field).toBe('s');
      }),
    );
  });

  it('never throws anything but a StrictJsonError, and accepts only what JSON.parse accepts', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1))),
        ),
        (text) => {
          let parsed: unknown;
          try {
            parsed = parseStrictJson(text);
          } catch (error) {
            expect(error).toBeInstanceOf(StrictJsonError);
            return;
          }
          expect(parsed).toEqual(JSON.parse(text));
        },
      ),
    );
  });
});
