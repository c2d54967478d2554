import { writeFile } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import { ZipFile } from 'yazl';
import { openBundleZip } from '../../../src/cli/bundle/bundle-zip-reader.js';
import { BUNDLE_FILES } from '../../../src/integrity/bundle-format.js';
import type { BundleTexts } from './bundle-files.js';

export { copyTexts, filesOf, type BundleTexts } from './bundle-files.js';

/** Reads a bundle zip (as the CLI does) into memory. */
export async function readBundleTexts(file: string): Promise<BundleTexts> {
  const bundle = await openBundleZip(file);
  try {
    const { files } = bundle;
    return {
      checkpoint: files.checkpoint,
      proof: files.proof,
      records: await collect(files.records),
      leafHashes: await collect(files.leafHashes),
      proofHashes: await collect(files.proofHashes),
      csvRows: (await collect(files.csvRows)).map((row) => [...row]),
      readme: '',
    };
  } finally {
    bundle.close();
  }
}

/** Writes the texts back as a bundle zip (after tampering), as someone with the file and a zip tool would. */
export async function writeBundleZip(file: string, texts: BundleTexts): Promise<void> {
  const zip = new ZipFile();
  const lines = (list: readonly string[]) => Buffer.from(list.map((line) => `${line}\n`).join(''), 'utf8');
  zip.addBuffer(Buffer.from(texts.readme || 'tampered\n'), BUNDLE_FILES.readme);
  zip.addBuffer(Buffer.from(texts.checkpoint), BUNDLE_FILES.checkpoint);
  zip.addBuffer(Buffer.from(texts.proof), BUNDLE_FILES.proof);
  zip.addBuffer(lines(texts.records), BUNDLE_FILES.records);
  zip.addBuffer(lines(texts.leafHashes), BUNDLE_FILES.leafHashes);
  zip.addBuffer(lines(texts.proofHashes), BUNDLE_FILES.proofHashes);
  zip.addBuffer(Buffer.from(stringify(texts.csvRows, { bom: true })), BUNDLE_FILES.csv);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  await writeFile(file, Buffer.concat(chunks));
}

async function collect<T>(batches: AsyncIterable<readonly T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const batch of batches) all.push(...batch);
  return all;
}
