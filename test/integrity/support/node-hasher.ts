import { hash } from 'node:crypto';
import { MerkleHasher } from '../../../src/integrity/merkle-hasher.js';

/**
 * The library's hasher over node:crypto's synchronous SHA-256: the exhaustive checks make a few million
 * hashes, which WebCrypto's asynchronous digest (a thread-pool round trip each) would take minutes for.
 * The WebCrypto default is checked on its own, on fewer cases.
 */
export const nodeHasher = new MerkleHasher((data) => new Uint8Array(hash('sha256', data, 'buffer')));
