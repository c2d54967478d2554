import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeMerkleHasher } from '../../src/core/node-merkle-hasher.js';
import { fromHex, toHex } from '../../src/integrity/bytes.js';
import { CompactRange } from '../../src/integrity/compact-range.js';
import { inclusionProof, verifyInclusion } from '../../src/integrity/inclusion-proof.js';
import { partialTiles, TileWriter } from '../../src/integrity/merkle-tiles.js';
import { openStore } from '../../src/store/open-store.js';
import { storedSubtrees } from '../../src/store/stored-subtrees.js';
import { summarizeLatencies, type LatencySummary } from '../report/latency-stats.js';

/** The one organization of the synthetic tree's file. */
const ORG_ID = 'synthetic-proof-tree';
/** Leaves per transaction, as the checkpointer grows a tree that is catching up (`LEAVES_PER_STEP`). */
const LEAVES_PER_STEP = 5000;

/** What the synthetic proof benchmark measured. */
export interface SyntheticProofResult {
  treeSize: number;
  /** Seconds to build the tree now; undefined when the cached file already held it. */
  buildSeconds: number | undefined;
  storedTiles: number;
  storedBytes: number;
  lookups: LatencySummary;
  /** CPU time (user + system) of each lookup: what a busy machine's scheduling does not add. */
  lookupCpu: LatencySummary;
}

/** Leaf hash `i` of the synthetic tree: SHA-256 of its number, deterministic so a cached tree can be checked. */
function syntheticLeaf(i: number): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`synthetic leaf ${i}`).digest());
}

/**
 * Inclusion proofs at the size without its 17 GB dataset: a tree of `leaves` synthetic leaf hashes
 * (no events) in the store's tree tables of a SQLite file of its own, built through the real store code (the
 * checkpointer's steps: `CompactRange`, `TileWriter`, `MerkleTreeStore.extend` in transactions of 5000 leaves)
 * and cached under `dataDir`; then random inclusion proofs timed through the code the proof route runs
 * (`inclusionProof` over `storedSubtrees`), every tenth checked against the root. Not timed: the route's
 * checkpoint lookup, its authorization and the HTTP round trip.
 */
export async function syntheticProofLookups(
  dataDir: string,
  leaves: number,
  lookups: number,
  log: (line: string) => void,
): Promise<SyntheticProofResult> {
  const dir = join(dataDir, `proof-tree-${leaves}`);
  const done = join(dir, 'complete');
  if (!existsSync(done)) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const store = await openStore(`sqlite:${join(dir, 'attest.db')}`);
  try {
    const trees = store.merkleTrees;
    let buildSeconds: number | undefined;
    if (!existsSync(done)) {
      log(`integrity: building a synthetic tree of ${leaves.toLocaleString('en-US')} leaves through the store's tree code…`);
      const started = performance.now();
      const edge = new CompactRange(nodeMerkleHasher);
      while (edge.size < leaves) {
        const fromSize = edge.size;
        const open = partialTiles(fromSize);
        const stored = await trees.tiles(ORG_ID, open);
        const tiles = new TileWriter(
          fromSize,
          open.flatMap((tile, i) => (stored[i] ? [{ ...tile, hashes: stored[i] }] : [])),
        );
        const end = Math.min(leaves, fromSize + LEAVES_PER_STEP);
        for (let i = fromSize; i < end; i += 1) await edge.append(syntheticLeaf(i), (node) => tiles.add(node));
        const grown = await trees.extend(ORG_ID, fromSize, { size: edge.size, edge: edge.hashes.map(toHex) }, tiles.changed());
        if (!grown) throw new Error('the synthetic tree was grown by someone else');
        if (end % 1_000_000 === 0) log(`  ${end.toLocaleString('en-US')} leaves`);
      }
      buildSeconds = (performance.now() - started) / 1000;
      writeFileSync(done, `${leaves}\n`);
    }
    const head = await trees.head(ORG_ID);
    if (head.size !== leaves) throw new Error(`the cached synthetic tree holds ${head.size} leaves, not ${leaves}`);
    const root = await new CompactRange(
      nodeMerkleHasher,
      head.size,
      head.edge.map((hex) => fromHex(hex)!),
    ).root();
    const { storedTiles, storedBytes } = await trees.tileStatistics(ORG_ID);

    log(`integrity: ${lookups} inclusion proofs at ${leaves.toLocaleString('en-US')} synthetic leaves…`);
    const source = storedSubtrees(store, ORG_ID);
    const samples: number[] = [];
    const cpuSamples: number[] = [];
    let state = 0x2545f491;
    for (let i = 0; i < lookups; i += 1) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      const index = Math.floor((state / 2 ** 32) * leaves);
      const [begun, cpu] = [performance.now(), process.cpuUsage()];
      const proof = await inclusionProof(index, leaves, source, nodeMerkleHasher);
      samples.push(performance.now() - begun);
      const used = process.cpuUsage(cpu);
      cpuSamples.push((used.user + used.system) / 1000);
      // Every tenth proof is checked, outside the timing: a fast wrong proof would be worthless.
      if (i % 10 === 0) await verifyInclusion(nodeMerkleHasher, { index, size: leaves, leafHash: syntheticLeaf(index), proof, root });
    }
    return {
      treeSize: leaves,
      buildSeconds,
      storedTiles,
      storedBytes,
      lookups: summarizeLatencies(samples),
      lookupCpu: summarizeLatencies(cpuSamples),
    };
  } finally {
    await store.close();
  }
}
