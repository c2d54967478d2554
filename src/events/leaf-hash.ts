import { createHash } from 'node:crypto';

/**
 * The leaf hash of an event: SHA-256(0x00 || canonical record bytes), hex. The 0x00 prefix is the RFC 6962
 * (section 2.1) leaf domain separator, so a leaf can never be confused with an interior node of a Merkle tree
 * built over the log later.
 */
export function leafHash(canonicalJson: string): string {
  return createHash('sha256').update(Buffer.from([0])).update(canonicalJson, 'utf8').digest('hex');
}
