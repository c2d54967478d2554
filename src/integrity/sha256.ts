import { ownedBytes } from './bytes.js';

/**
 * A SHA-256 function: bytes in, 32 bytes out. The integrity code takes one as a parameter, so the browser and
 * an offline verifier use WebCrypto while the server may hand in a faster synchronous one (a WebCrypto digest
 * is a round trip to a thread pool; a Merkle tree of a million leaves needs two million of them).
 *
 * @example
 * const digest = await webCryptoSha256(new TextEncoder().encode('abc'));
 */
export type Sha256 = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/** SHA-256 by WebCrypto (`crypto.subtle`), present in Node 20 and every current browser. */
export const webCryptoSha256: Sha256 = async (data) => new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', ownedBytes(data)));
