/**
 * A strict JSON reader for request bodies a producer sends: JSON (RFC 8259) that every consumer of the log
 * reads the same way (the I-JSON profile, RFC 7493), or a refusal that names the field and the reason.
 *
 * `JSON.parse` alone accepts too much: it recurses once per nesting level (a body of 100,000 `[` ends in a
 * stack overflow), turns `1e309` into `Infinity` (written back as `null`), rounds integers beyond 2^53
 * silently, keeps lone UTF-16 surrogates (`"\ud800"`, which no UTF-8 consumer can store), and takes
 * `__proto__` as an ordinary key, which code that copies objects by assignment turns into a prototype. So a
 * linear scan of the text, with no recursion, checks the nesting depth and every number before `JSON.parse`
 * runs; a walk of the parsed value (at most `maxDepth` deep) then checks strings and keys.
 *
 * @example
 * parseStrictJson('{"a":[1,2]}'); // { a: [1, 2] }
 * parseStrictJson('{"a":1e309}'); // throws StrictJsonError { field: 'a', reason: 'is not a finite number …' }
 */

/** The deepest nesting of objects and arrays accepted by default. */
export const MAX_JSON_DEPTH = 32;

/** Why a text was refused: `syntax` for text that is not JSON, `rejected` for JSON outside the strict profile. */
export class StrictJsonError extends Error {
  constructor(
    readonly kind: 'syntax' | 'rejected',
    /** Where, as `events[3].metadata.size`; `body` for the whole text. */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field} ${reason}`);
    this.name = 'StrictJsonError';
  }
}

/** One open object or array during the scan: where its current member's key starts and ends, or its index. */
interface OpenContainer {
  isArray: boolean;
  index: number;
  keyStart: number;
  keyEnd: number;
  /** True while the next string of an object is a key, not a value. */
  expectingKey: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function isNumberChar(code: number): boolean {
  // digits, '+', '-', '.', 'e', 'E'
  return (code >= DIGIT_0 && code <= DIGIT_9) || code === 0x2b || code === MINUS || code === 0x2e || code === 0x65 || code === 0x45;
}

/** Parses `text` as strict JSON; throws {@link StrictJsonError} naming the field and the reason. */
export function parseStrictJson(text: string, maxDepth: number = MAX_JSON_DEPTH): unknown {
  scanDepthAndNumbers(text, maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StrictJsonError('syntax', 'body', `is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  checkStringsAndKeys(value, '');
  return value;
}

/** The number rule of the strict profile: the reason a number token is refused, or undefined when it is fine. */
export function numberProblem(token: string): string | undefined {
  // Text that is no JSON number at all is left to JSON.parse, which reports it as a syntax error.
  if (!JSON_NUMBER.test(token)) return undefined;
  const value = Number(token);
  if (!Number.isFinite(value)) return 'is not a finite number (it overflows a 64-bit float)';
  if (Math.abs(value) > Number.MAX_SAFE_INTEGER) return 'is beyond ±(2^53 − 1), where not every integer can be represented exactly';
  if (value === 0 && /[1-9]/.test(token.split(/[eE]/)[0] ?? '')) return 'is too small to be represented (it underflows to 0)';
  return undefined;
}

/** Walks the text once, keeping only a stack of open containers: nothing here recurses. */
function scanDepthAndNumbers(text: string, maxDepth: number): void {
  const open: OpenContainer[] = [];
  const length = text.length;
  let i = 0;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      const start = i;
      i += 1;
      while (i < length) {
        const c = text.charCodeAt(i);
        if (c === BACKSLASH) i += 2;
        else if (c === QUOTE) break;
        else i += 1;
      }
      const top = open[open.length - 1];
      if (top && !top.isArray && top.expectingKey) {
        top.keyStart = start;
        top.keyEnd = i + 1;
        top.expectingKey = false;
      }
      i += 1;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (open.length >= maxDepth)
        throw new StrictJsonError('rejected', pathOf(text, open), `nests deeper than ${maxDepth} levels of objects and arrays`);
      open.push({ isArray: code === OPEN_BRACKET, index: 0, keyStart: -1, keyEnd: -1, expectingKey: code === OPEN_BRACE });
      i += 1;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      open.pop();
      i += 1;
    } else if (code === COMMA) {
      const top = open[open.length - 1];
      if (top?.isArray) top.index += 1;
      else if (top) top.expectingKey = true;
      i += 1;
    } else if (code === MINUS || (code >= DIGIT_0 && code <= DIGIT_9)) {
      const start = i;
      while (i < length && isNumberChar(text.charCodeAt(i))) i += 1;
      const problem = numberProblem(text.slice(start, i));
      if (problem) throw new StrictJsonError('rejected', pathOf(text, open), `${problem}: ${text.slice(start, Math.min(i, start + 40))}`);
    } else {
      // White space, colons, literals (true, false, null) and anything JSON.parse will refuse.
      i += 1;
    }
  }
}

/** The path of the value being scanned, from the open containers (only computed for an error). */
function pathOf(text: string, open: readonly OpenContainer[]): string {
  let path = '';
  for (const container of open) {
    if (container.isArray) path += `[${container.index}]`;
    else if (container.keyStart >= 0) path = joinKey(path, decodeKey(text.slice(container.keyStart, container.keyEnd)));
  }
  return path || 'body';
}

function decodeKey(quoted: string): string {
  try {
    const key: unknown = JSON.parse(quoted);
    return typeof key === 'string' ? key : quoted;
  } catch {
    return quoted;
  }
}

function joinKey(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Lone surrogates and poisoning keys, checked on the parsed value. Recursion is bounded: the scan has
 * already refused anything nested deeper than the limit.
 */
function checkStringsAndKeys(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value))
      throw new StrictJsonError(
        'rejected',
        path || 'body',
        'contains a lone UTF-16 surrogate (an unpaired \\ud800–\\udfff escape), which is not text',
      );
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => checkStringsAndKeys(item, `${path}[${index}]`));
    return;
  }
  for (const [key, member] of Object.entries(value)) {
    const memberPath = joinKey(path, key);
    if (LONE_SURROGATE.test(key))
      throw new StrictJsonError('rejected', memberPath, 'is a key with a lone UTF-16 surrogate, which is not text');
    if (key === '__proto__') {
      throw new StrictJsonError(
        'rejected',
        memberPath,
        'is a key named "__proto__", which is refused: code that copies objects would take it as their prototype (prototype pollution)',
      );
    }
    if (key === 'constructor' && member !== null && typeof member === 'object' && Object.hasOwn(member, 'prototype')) {
      throw new StrictJsonError(
        'rejected',
        memberPath,
        'is a "constructor" object with a "prototype" key, which is refused (prototype pollution)',
      );
    }
    checkStringsAndKeys(member, memberPath);
  }
}
