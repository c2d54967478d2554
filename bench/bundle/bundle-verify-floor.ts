import { openBundleZip } from '../../src/cli/bundle/bundle-zip-reader.js';
import { nodeMerkleHasher } from '../../src/core/node-merkle-hasher.js';
import type { BundleFiles } from '../../src/integrity/verify-bundle.js';

/** CPU seconds (user + system, every thread of this process) of the steps any verifier of a bundle must take. */
export interface BundleVerifyFloor {
  /** Inflate records.jsonl, leaf-hashes.txt and events.csv and cut them into lines (CSV rows parsed). */
  readSeconds: number;
  /** Reading records.jsonl again and parsing each record with JSON.parse, less reading it alone. */
  parseSeconds: number;
  /** Reading records.jsonl again and hashing each record (SHA-256 of 0x00 ‖ record), less reading it alone. */
  hashSeconds: number;
}

const cpuSeconds = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

async function timed(path: string, consume: (files: BundleFiles) => Promise<void>): Promise<number> {
  const bundle = await openBundleZip(path);
  try {
    const before = cpuSeconds();
    await consume(bundle.files);
    return cpuSeconds() - before;
  } finally {
    bundle.close();
  }
}

/**
 * The floor under `attest verify`: what reading a bundle's long files, parsing every record and hashing every
 * record cost on their own, one after the other in this process, through the same zip reader and hasher the CLI
 * uses. Whatever the verifier does on top (the CSV comparison, the tree walk) comes on top of their sum, so
 * where the sum alone exceeds a target, no single-threaded verifier reaches it here.
 */
export async function measureBundleVerifyFloor(path: string): Promise<BundleVerifyFloor> {
  const drain = async (batches: AsyncIterable<readonly unknown[]>) => {
    for await (const batch of batches) if (batch.length < 0) throw new Error('unreachable');
  };
  const recordsOnly = await timed(path, (files) => drain(files.records));
  const readSeconds = await timed(path, async (files) => {
    await drain(files.records);
    await drain(files.leafHashes);
    await drain(files.csvRows);
  });
  const parsing = await timed(path, async (files) => {
    let seqs = 0;
    for await (const lines of files.records) for (const line of lines) seqs += (JSON.parse(line) as { seq: number }).seq;
    if (seqs < 0) throw new Error('a negative seq');
  });
  const hashing = await timed(path, async (files) => {
    for await (const lines of files.records) await nodeMerkleHasher.hashLeafTexts(lines);
  });
  return { readSeconds, parseSeconds: parsing - recordsOnly, hashSeconds: hashing - recordsOnly };
}
