import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, numberProblem, parseStrictJson, StrictJsonError } from '../src/core/strict-json.js';

// The strict JSON reader case by case: what it accepts as JSON.parse would, and each refusal's field and reason.

function refusal(text: string, maxDepth?: number): { kind: string; field: string; reason: string } {
  try {
    parseStrictJson(text, maxDepth);
  } catch (error) {
    if (!(error instanceof StrictJsonError)) throw error;
    expect(error.message).toBe(`${error.field} ${error.reason}`);
    expect(error.name).toBe('StrictJsonError');
    return { kind: error.kind, field: error.field, reason: error.reason };
  }
  throw new Error(`accepted: ${text}`);
}

describe('strict JSON', () => {
  it('accepts JSON of the strict profile exactly as JSON.parse reads it', () => {
    const text =
      ' {"a" : [1, -2.5, 0, -0, 1e-300, 9007199254740991, -9007199254740991, true, false, null, "x\\"y\\\\z", {}], "b": {"c": "😀 \\ud83d\\ude00"}, "": 3}\n';
    expect(parseStrictJson(text)).toEqual(JSON.parse(text));
    expect(MAX_JSON_DEPTH).toBe(32);
  });

  it('names the field of a refused number through objects, arrays and escaped keys', () => {
    expect(refusal('{"a":{"b":[0,1,{"c":1e999}]}}')).toEqual({
      kind: 'rejected',
      field: 'a.b[2].c',
      reason: 'is not a finite number (it overflows a 64-bit float): 1e999',
    });
    expect(refusal('{"x":1,"y":[9007199254740992]}').field).toBe('y[0]');
    expect(refusal('{"k\\"q":{"z":1,"w":-1e400}}').field).toBe('k"q.w');
    expect(refusal('[1,[2,3],"s",{"a":"b","c":[true,12345678901234567890]}]').field).toBe('[3].c[1]');
    expect(refusal('1e400')).toMatchObject({ field: 'body' });
    // A string value holding a colon or comma, and a key that looks like a value, do not confuse the path.
    expect(refusal('{"a":"x,y:z","b":{"c,":[1e999]}}').field).toBe('b.c,[0]');
    expect(refusal('{"a":"\\\\","b":1e999}').field).toBe('b');
    // The reason quotes the whole number token: sign, fraction, exponent and its sign included.
    expect(refusal('[-1e999]').reason).toBe('is not a finite number (it overflows a 64-bit float): -1e999');
    expect(refusal('[0.5e400]').reason).toMatch(/: 0\.5e400$/);
    expect(refusal('[1.0E+309]').reason).toMatch(/: 1\.0E\+309$/);
    expect(refusal('[1e+309]').reason).toMatch(/: 1e\+309$/);
    expect(refusal('[2.5e-999]').reason).toMatch(/underflows to 0\): 2\.5e-999$/);
  });

  it('says why each number is refused, and leaves text that is no number to the syntax check', () => {
    expect(numberProblem('1e309')).toMatch(/not a finite number/);
    expect(numberProblem('-1e309')).toMatch(/not a finite number/);
    expect(numberProblem('9007199254740992')).toMatch(/beyond ±\(2\^53 − 1\)/);
    expect(numberProblem('-9007199254740992')).toMatch(/beyond/);
    expect(numberProblem('9007199254740991')).toBeUndefined();
    expect(numberProblem('1e-400')).toMatch(/underflows to 0/);
    expect(numberProblem('-1e-400')).toMatch(/underflows/);
    expect(numberProblem('0e-400')).toBeUndefined();
    expect(numberProblem('0.000e5')).toBeUndefined();
    expect(numberProblem('0.5')).toBeUndefined();
    for (const notNumber of ['-', '01', '1.', '.5', '+1', '1e', '--1', '1-2']) expect(numberProblem(notNumber), notNumber).toBeUndefined();
    expect(refusal('{"a":-}')).toMatchObject({ kind: 'syntax', field: 'body' });
    expect(refusal('{"a":01}')).toMatchObject({ kind: 'syntax' });
    expect(refusal('').kind).toBe('syntax');
    expect(refusal('{"a":1').reason).toMatch(/^is not valid JSON: /);
  });

  it('counts nesting depth by open objects and arrays, with the limit given', () => {
    expect(parseStrictJson('[[[1]]]', 3)).toEqual([[[1]]]);
    expect(refusal('[[[[1]]]]', 3)).toEqual({
      kind: 'rejected',
      field: '[0][0][0]',
      reason: 'nests deeper than 3 levels of objects and arrays',
    });
    expect(refusal('{"a":{"b":{"c":{}}}}', 3).field).toBe('a.b.c');
    expect(parseStrictJson('[[],[],[[]]]', 3)).toEqual([[], [], [[]]]);
    // Closing an object or an array ends its level: siblings do not add up.
    expect(parseStrictJson('[{},{},{},{"a":{}},[],[]]', 3)).toEqual([{}, {}, {}, { a: {} }, [], []]);
    // A refusal before any key of an object names no key.
    expect(refusal('{'.repeat(5), 3).field).toBe('body');
    expect(refusal(`[${'{'.repeat(5)}`, 3).field).toBe('[0]');
    // Brackets inside strings are text, not nesting.
    expect(parseStrictJson('["[[[[", "{{{{", "\\"[["]', 2)).toEqual(['[[[[', '{{{{', '"[[']);
    expect(refusal(`${'['.repeat(33)}${']'.repeat(33)}`).field).toBe('[0]'.repeat(32));
    expect(() => parseStrictJson(`${'['.repeat(32)}${']'.repeat(32)}`)).not.toThrow();
  });

  it('refuses lone surrogates in values and keys, naming them', () => {
    expect(refusal('{"a":["ok","\\ud800"]}')).toMatchObject({
      kind: 'rejected',
      field: 'a[1]',
      reason: expect.stringMatching(/lone UTF-16 surrogate/) as unknown,
    });
    expect(refusal('{"a":"\\udc00x"}').field).toBe('a');
    expect(refusal('{"a":"x\\ud83d"}').field).toBe('a');
    expect(refusal('"\\ud800"').field).toBe('body');
    expect(refusal('{"\\udfff":1}')).toMatchObject({
      field: '\udfff',
      reason: expect.stringMatching(/key with a lone UTF-16 surrogate/) as unknown,
    });
    expect(parseStrictJson('"\\ud83d\\ude00"')).toBe('😀');
  });

  it('refuses __proto__ keys and constructor.prototype objects, saying why', () => {
    expect(refusal('{"a":[{"__proto__":{"polluted":true}}]}')).toMatchObject({
      field: 'a[0].__proto__',
      reason: expect.stringMatching(/"__proto__".*prototype pollution/) as unknown,
    });
    expect(refusal('{"constructor":{"prototype":{"x":1}}}')).toMatchObject({
      field: 'constructor',
      reason: expect.stringMatching(/"constructor" object with a "prototype" key/) as unknown,
    });
    expect(parseStrictJson('{"constructor":"text","prototype":1,"c":{"constructor":null}}')).toEqual({
      constructor: 'text',
      prototype: 1,
      c: { constructor: null },
    });
    expect(parseStrictJson('{"constructor":{"name":"x"}}')).toEqual({ constructor: { name: 'x' } });
  });
});
