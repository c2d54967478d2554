import type { BundleFiles } from '../../../src/integrity/verify-bundle.js';

/** A bundle's files in memory, to tamper with: the long ones as arrays of lines and CSV rows. */
export interface BundleTexts {
  checkpoint: string;
  proof: string;
  records: string[];
  leafHashes: string[];
  proofHashes: string[];
  csvRows: string[][];
  readme: string;
}

/** The texts as the verifier takes them, in batches of `batchSize` (of several sizes, so batch edges fall anywhere). */
export function filesOf(texts: BundleTexts, batchSize = 7): BundleFiles {
  return {
    checkpoint: texts.checkpoint,
    proof: texts.proof,
    records: inBatches(texts.records, batchSize),
    leafHashes: inBatches(texts.leafHashes, batchSize + 2),
    proofHashes: inBatches(texts.proofHashes, 1),
    csvRows: inBatches(texts.csvRows, batchSize + 1),
  };
}

/** A deep copy to tamper with. */
export function copyTexts(texts: BundleTexts): BundleTexts {
  return structuredClone(texts);
}

async function* inBatches<T>(items: readonly T[], size: number): AsyncGenerator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
