import { hash } from 'node:crypto';
import { MerkleHasher } from '../integrity/merkle-hasher.js';

/**
 * The server's Merkle hasher: node:crypto's one-shot synchronous SHA-256. The integrity library defaults to
 * WebCrypto, whose every digest is a round trip to a thread pool (tens of µs here); the checkpointer hashes
 * one interior node per leaf, so it takes the direct way.
 */
export const nodeMerkleHasher = new MerkleHasher((data) => new Uint8Array(hash('sha256', data, 'buffer')));
