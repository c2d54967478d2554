import { concatBytes, utf8 } from './bytes.js';
import { HashLengthError } from './integrity-errors.js';
import { webCryptoSha256, type Sha256 } from './sha256.js';

/** Length of every hash in the tree: SHA-256. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = new Uint8Array([0x00]);
const INTERIOR_PREFIX = new Uint8Array([0x01]);

/**
 * The node hashes of an RFC 9162 §2.1 Merkle tree: a leaf is SHA-256(0x00 ‖ data), an interior node
 * SHA-256(0x01 ‖ left ‖ right). The different prefixes keep a leaf from passing for an interior node (a second
 * preimage across levels).
 *
 * @example
 * const hasher = new MerkleHasher();
 * const root = await hasher.hashChildren(await hasher.hashLeaf(a), await hasher.hashLeaf(b));
 */
export class MerkleHasher {
  constructor(private readonly sha256: Sha256 = webCryptoSha256) {}

  /** MTH({}) = SHA-256() — the root of the empty tree. */
  emptyRoot(): Promise<Uint8Array> {
    return Promise.resolve(this.sha256(new Uint8Array(0)));
  }

  /** MTH({d}) = SHA-256(0x00 ‖ d). For an Attest event, d is its canonical record's UTF-8 bytes. */
  hashLeaf(data: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(this.sha256(concatBytes(LEAF_PREFIX, data)));
  }

  /** MTH({d}) of a text's UTF-8 bytes (a canonical record); a hasher may do it without the copies. */
  hashLeafText(text: string): Promise<Uint8Array> {
    return this.hashLeaf(utf8(text));
  }

  /** {@link hashLeafText} of each text, in order: a verifier of millions of records awaits once per batch. */
  hashLeafTexts(texts: readonly string[]): Promise<Uint8Array[]> {
    return Promise.all(texts.map((text) => this.hashLeafText(text)));
  }

  /** SHA-256(0x01 ‖ left ‖ right), for two 32-byte child hashes. */
  hashChildren(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
    assertHash('a left child hash', left);
    assertHash('a right child hash', right);
    return Promise.resolve(this.sha256(concatBytes(INTERIOR_PREFIX, left, right)));
  }
}

/** Throws a `HashLengthError` naming `what` unless `hash` is 32 bytes long. */
export function assertHash(what: string, hash: Uint8Array): void {
  if (hash.length !== HASH_SIZE) throw new HashLengthError(what, hash.length);
}
