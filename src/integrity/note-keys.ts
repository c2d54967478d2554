import { concatBytes, fromBase64, ownedBytes, toBase64, utf8 } from './bytes.js';
import { FormatError } from './integrity-errors.js';
import { webCryptoSha256 } from './sha256.js';

/**
 * Ed25519 keys of C2SP signed notes (https://c2sp.org/signed-note), by WebCrypto. A key has a name (the log's
 * `ATTEST_LOG_NAME`) and a 32-bit key ID, SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4] read big-endian; a
 * signature line names both so a verifier picks the right key. A verifier key is written
 * `<name>+<hex key ID>+<base64(0x01 ‖ public key)>`, a signer key
 * `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 ‖ seed)>` (golang.org/x/mod/sumdb/note's forms).
 *
 * @example
 * const signerKey = await generateSignerKey('attest.local');
 * const signer = await parseSignerKey(signerKey);
 * const verifier = await parseVerifierKey(signer.verifierKey);
 */

/** The signature type byte of Ed25519 in C2SP signed notes. */
export const ED25519_TYPE = 0x01;

// Named through the function that makes one: the server's build has Node's types only, the page's the DOM's.
type WebCryptoKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;

const SIGNER_KEY_PREFIX = 'PRIVATE+KEY+';
// An Ed25519 private key in PKCS #8 is this fixed DER header followed by the 32-byte seed (RFC 8410 §7);
// WebCrypto imports Ed25519 private keys only as PKCS #8 or JWK.
const PKCS8_ED25519_HEADER = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

/** Who signed a note: a key's name and ID, as a signature line carries them. */
export interface NoteKeyId {
  readonly name: string;
  /** The 32-bit key ID, an unsigned integer. */
  readonly keyId: number;
}

/** Signs note texts with one key. */
export interface NoteSigner extends NoteKeyId {
  sign(message: Uint8Array): Promise<Uint8Array>;
  /** The matching verifier key, in its text form. */
  readonly verifierKey: string;
}

/** Checks signatures made by one key. */
export interface NoteVerifier extends NoteKeyId {
  verify(message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** The key in its text form. */
  readonly verifierKey: string;
}

/** Whether `name` may name a key: not empty, no white space, no `+`, well-formed Unicode (the signed-note rules). */
export function isValidKeyName(name: string): boolean {
  // In a `u` pattern a surrogate matches only when it is unpaired, which UTF-8 cannot encode.
  return name.length > 0 && !/[\s+]|\p{Surrogate}/u.test(name);
}

/** The key ID of an Ed25519 public key under `name`. */
export async function keyIdOf(name: string, publicKey: Uint8Array): Promise<number> {
  const digest = await webCryptoSha256(concatBytes(utf8(name), new Uint8Array([0x0a, ED25519_TYPE]), publicKey));
  return new DataView(digest.buffer, digest.byteOffset).getUint32(0);
}

/** The 8 lowercase hex digits a key ID is written with. */
export function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

/** The verifier key text of an Ed25519 public key under `name`. */
export async function formatVerifierKey(name: string, publicKey: Uint8Array): Promise<string> {
  assertKeyName(name);
  if (publicKey.length !== 32) throw new FormatError(`an Ed25519 public key is 32 bytes, not ${publicKey.length}`);
  return `${name}+${formatKeyId(await keyIdOf(name, publicKey))}+${toBase64(concatBytes(new Uint8Array([ED25519_TYPE]), publicKey))}`;
}

/**
 * The verifier of a verifier key text. Throws a `FormatError` when the text is not one, uses another signature
 * type than Ed25519, or names a key ID that is not its key's.
 */
export async function parseVerifierKey(vkey: string): Promise<NoteVerifier> {
  const parts = splitKeyText(vkey);
  if (parts === undefined) throw new FormatError('a verifier key is written <name>+<key ID>+<key>');
  const [name, keyIdHex, encodedKey] = parts;
  const keyBytes = decodeTypedKey(name, keyIdHex, encodedKey, 'verifier');
  const publicKey = keyBytes.slice(1);
  await assertKeyId(name, keyIdHex, publicKey);
  const cryptoKey = await globalThis.crypto.subtle.importKey('raw', ownedBytes(publicKey), { name: 'Ed25519' }, false, ['verify']);
  return {
    name,
    keyId: Number.parseInt(keyIdHex, 16),
    verifierKey: vkey,
    verify: (message, signature) =>
      globalThis.crypto.subtle.verify({ name: 'Ed25519' }, cryptoKey, ownedBytes(signature), ownedBytes(message)),
  };
}

/** A new Ed25519 signer key text under `name`, from WebCrypto's random source. */
export async function generateSignerKey(name: string): Promise<string> {
  assertKeyName(name);
  const pair = await globalThis.crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  if (!('privateKey' in pair)) throw new FormatError('WebCrypto made no Ed25519 key pair');
  const pkcs8 = new Uint8Array(await globalThis.crypto.subtle.exportKey('pkcs8', pair.privateKey));
  return formatSignerKey(name, pkcs8.slice(PKCS8_ED25519_HEADER.length));
}

/** The signer key text of an Ed25519 seed under `name`. */
export async function formatSignerKey(name: string, seed: Uint8Array): Promise<string> {
  assertKeyName(name);
  const { publicKey } = await importSeed(seed);
  return `${SIGNER_KEY_PREFIX}${name}+${formatKeyId(await keyIdOf(name, publicKey))}+${toBase64(concatBytes(new Uint8Array([ED25519_TYPE]), seed))}`;
}

/** The signer of a signer key text; throws a `FormatError` like `parseVerifierKey`. */
export async function parseSignerKey(skey: string): Promise<NoteSigner> {
  if (!skey.startsWith(SIGNER_KEY_PREFIX)) throw new FormatError(`a signer key starts with ${SIGNER_KEY_PREFIX}`);
  const parts = splitKeyText(skey.slice(SIGNER_KEY_PREFIX.length));
  if (parts === undefined) throw new FormatError('a signer key is written PRIVATE+KEY+<name>+<key ID>+<key>');
  const [name, keyIdHex, encodedKey] = parts;
  const { privateKey, publicKey } = await importSeed(decodeTypedKey(name, keyIdHex, encodedKey, 'signer').slice(1));
  await assertKeyId(name, keyIdHex, publicKey);
  return {
    name,
    keyId: Number.parseInt(keyIdHex, 16),
    verifierKey: await formatVerifierKey(name, publicKey),
    sign: async (message) => new Uint8Array(await globalThis.crypto.subtle.sign({ name: 'Ed25519' }, privateKey, ownedBytes(message))),
  };
}

/** `<name>+<key ID>+<key>` in its three parts; the key is base64, which may itself hold a `+`. */
function splitKeyText(text: string): [name: string, keyId: string, key: string] | undefined {
  const first = text.indexOf('+');
  const second = text.indexOf('+', first + 1);
  return first < 0 || second < 0 ? undefined : [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
}

function assertKeyName(name: string): void {
  if (!isValidKeyName(name)) throw new FormatError(`the key name ${JSON.stringify(name)} is empty or holds white space or a +`);
}

function decodeTypedKey(name: string, keyIdHex: string, encodedKey: string, kind: string): Uint8Array {
  assertKeyName(name);
  if (!/^[0-9a-f]{8}$/.test(keyIdHex))
    throw new FormatError(`the ${kind} key's ID ${JSON.stringify(keyIdHex)} is not 8 lowercase hex digits`);
  const keyBytes = fromBase64(encodedKey);
  if (keyBytes === undefined) throw new FormatError(`the ${kind} key is not base64`);
  if (keyBytes[0] !== ED25519_TYPE) throw new FormatError(`the ${kind} key's type ${keyBytes[0]} is not Ed25519 (${ED25519_TYPE})`);
  if (keyBytes.length !== 33) throw new FormatError(`an Ed25519 ${kind} key is 32 bytes, not ${keyBytes.length - 1}`);
  return keyBytes;
}

async function assertKeyId(name: string, keyIdHex: string, publicKey: Uint8Array): Promise<void> {
  const actual = formatKeyId(await keyIdOf(name, publicKey));
  if (actual !== keyIdHex) throw new FormatError(`the key ID ${keyIdHex} is not this key's (${actual})`);
}

async function importSeed(seed: Uint8Array): Promise<{ privateKey: WebCryptoKey; publicKey: Uint8Array }> {
  if (seed.length !== 32) throw new FormatError(`an Ed25519 seed is 32 bytes, not ${seed.length}`);
  const subtle = globalThis.crypto.subtle;
  // Exported once as JWK to learn the public key (its `x`), then imported again for signing only.
  const exportable = await subtle.importKey('pkcs8', concatBytes(PKCS8_ED25519_HEADER, seed), { name: 'Ed25519' }, true, ['sign']);
  const jwk = await subtle.exportKey('jwk', exportable);
  const publicKey = fromBase64(base64UrlToBase64(jwk.x ?? ''));
  if (publicKey === undefined) throw new FormatError('WebCrypto gave no public key for the seed');
  const privateKey = await subtle.importKey('pkcs8', concatBytes(PKCS8_ED25519_HEADER, seed), { name: 'Ed25519' }, false, ['sign']);
  return { privateKey, publicKey };
}

function base64UrlToBase64(text: string): string {
  const standard = text.replaceAll('-', '+').replaceAll('_', '/');
  return standard + '='.repeat((4 - (standard.length % 4)) % 4);
}
