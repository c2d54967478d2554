/**
 * RFC 8785 (JSON Canonicalization Scheme) of JSON data, written out member by member so that a verifier holding
 * only the parsed record — the page, an offline checker — gets the exact bytes its leaf hash covers.
 * Primitives are written as `JSON.stringify` writes them (RFC 8785 §3.2.2 adopts ECMAScript's number and
 * string forms); object members are sorted by their names' UTF-16 code units, which is what `sort()` compares.
 * `JSON.stringify` of a sorted copy cannot stand in: a JavaScript object lists integer-like names ("7", "42")
 * first whatever order they were inserted in.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null, 'x'] }) === '{"a":[true,null,"x"],"b":1}'
 */

/** A JSON value as `JSON.parse` returns it. */
export type CanonicalJsonValue =
  string | number | boolean | null | readonly CanonicalJsonValue[] | { readonly [key: string]: CanonicalJsonValue };

/**
 * The canonical text of `value`. Members whose value is `undefined` are left out, as JSON has no such value.
 * Throws a `TypeError` for a number JSON cannot write (NaN, ±Infinity).
 */
export function canonicalJson(value: CanonicalJsonValue): string {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`${value} has no JSON form`);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${(value as readonly CanonicalJsonValue[]).map(canonicalJson).join(',')}]`;
  const members: string[] = [];
  const object = value as { readonly [key: string]: CanonicalJsonValue | undefined };
  for (const key of Object.keys(object).sort()) {
    const member = object[key];
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
  }
  return `{${members.join(',')}}`;
}
