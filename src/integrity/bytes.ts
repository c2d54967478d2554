/**
 * Byte helpers for the integrity code, on plain `Uint8Array` so that the server, the CLI and the browser share
 * them (no `Buffer`, which only Node has).
 *
 * @example
 * toHex(fromHex('00ff')) === '00ff'
 */

const HEX_DIGITS = '0123456789abcdef';

/** Lowercase hex of `bytes`, the form hashes take in JSON (PRODUCT.md §8). */
export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += HEX_DIGITS[byte >> 4]! + HEX_DIGITS[byte & 15]!;
  return hex;
}

// The value of each hex digit by character code, -1 for anything else: a bundle's verifier reads millions of hashes.
const HEX_VALUES = Array.from({ length: 128 }, (_, code) => {
  const digit = String.fromCharCode(code);
  return /[0-9a-fA-F]/.test(digit) ? Number.parseInt(digit, 16) : -1;
});

/** The bytes of a hex string (either case); `undefined` when it is not hex of whole bytes. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    const high = HEX_VALUES[hex.charCodeAt(2 * i)] ?? -1;
    const low = HEX_VALUES[hex.charCodeAt(2 * i + 1)] ?? -1;
    if (high < 0 || low < 0) return undefined;
    bytes[i] = high * 16 + low;
  }
  return bytes;
}

/** Standard base64 with padding (RFC 4648 §4), as checkpoints and signed notes write it. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The bytes of standard padded base64; `undefined` when the text is not exactly that. `atob` is lenient (it
 * skips white space and accepts missing padding and stray bits), so what it decodes must encode back to the
 * very text: one value has one spelling.
 */
export function fromBase64(text: string): Uint8Array | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return toBase64(bytes) === text ? bytes : undefined;
}

/** The UTF-8 bytes of a text. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text);
}

/** `parts` one after another in a new array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** Whether two byte arrays hold the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The bytes as WebCrypto's key and signature functions type them: backed by an `ArrayBuffer`, not a
 * `SharedArrayBuffer`. Copies only when they are not.
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}
