import { fromHex } from '../integrity/bytes.js';
import type { SubtreeHashes } from '../integrity/subtree-hashes.js';
import type { AttestStore } from './attest-store.js';

/** An organization's stored Merkle tree as the integrity library reads proofs from it. */
export function storedSubtrees(store: AttestStore, orgId: string): SubtreeHashes {
  return {
    async nodeHashes(nodes) {
      const hashes = await store.merkleTrees.nodeHashes(orgId, nodes);
      return hashes.map((hex) => {
        const bytes = fromHex(hex);
        if (bytes === undefined) throw new Error(`a stored hash of ${orgId}'s tree is not hex`);
        return bytes;
      });
    },
  };
}
