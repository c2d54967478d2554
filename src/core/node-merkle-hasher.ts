import { createHash, hash } from 'node:crypto';
import { MerkleHasher } from '../integrity/merkle-hasher.js';

const LEAF_PREFIX = new Uint8Array([0x00]);

/** node:crypto's SHA-256, and leaves of text hashed straight from the string (no encoded copy, no joined copy). */
class NodeMerkleHasher extends MerkleHasher {
  constructor() {
    super((data) => new Uint8Array(hash('sha256', data, 'buffer')));
  }

  override hashLeafText(text: string): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(createHash('sha256').update(LEAF_PREFIX).update(text, 'utf8').digest()));
  }
}

/**
 * The server's Merkle hasher: node:crypto's one-shot synchronous SHA-256. The integrity library defaults to
 * WebCrypto, whose every digest is a round trip to a thread pool (tens of µs here); the checkpointer hashes
 * one interior node per leaf, and `attest verify` of a bundle a leaf per record, so they take the direct way.
 */
export const nodeMerkleHasher: MerkleHasher = new NodeMerkleHasher();
