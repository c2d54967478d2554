import { hash } from 'node:crypto';

/**
 * The leaf hash of an event: SHA-256(0x00 || canonical record bytes), hex. The 0x00 prefix is the RFC 6962
 * (section 2.1) leaf domain separator, so a leaf can never be confused with an interior node of a Merkle tree
 * built over the log later.
 *
 * U+0000 is the single byte 0x00 in UTF-8, so hashing the prefixed string hashes exactly those bytes. Node's
 * one-shot `hash` costs about 2 µs per benchmark record against 6–10 µs for a `createHash` object fed twice.
 */
export function leafHash(canonicalJson: string): string {
  return hash('sha256', `\u0000${canonicalJson}`, 'hex');
}
