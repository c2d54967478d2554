import { pipeline, type Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { BUNDLE_FILES } from '../../integrity/bundle-format.js';
import { csvRowsOfLines } from '../../integrity/csv-rows.js';
import type { BundleFiles } from '../../integrity/verify-bundle.js';
import { CliError } from '../cli-store.js';

// The small files are read whole; anything larger than this is not what Attest writes there.
const SMALL_FILE_LIMIT = 1024 * 1024;
// Inflated in pieces of this size rather than zlib's 16 KiB: a million-record bundle is a gigabyte, and each
// piece costs a round trip to the thread pool.
const INFLATE_CHUNK = 256 * 1024;
const NEWLINE = 0x0a;

/**
 * A bundle zip opened for `verifyBundle`: the small files read whole, the long ones streamed from the zip as
 * lines or CSV rows while the verifier walks them, each read once, so a bundle of any size is checked in
 * little memory. Close it when done.
 *
 * @example
 * const bundle = await openBundleZip('export.zip');
 * try { report = await verifyBundle(bundle.files, verifiers, hasher); } finally { bundle.close(); }
 */
export async function openBundleZip(path: string): Promise<{ files: BundleFiles; close(): void }> {
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, file) => (error ? reject(error) : resolve(file))),
  ).catch((error: unknown) => {
    throw new CliError(`${path} is not a readable zip: ${error instanceof Error ? error.message : String(error)}`);
  });
  try {
    const entries = await readEntries(zip);
    const stream = (name: string): Promise<Readable> => {
      const entry = entries.get(name);
      if (!entry) throw new CliError(`the bundle has no ${name}`);
      // Read raw and inflated here (yauzl still checks the sizes), with larger pieces than yauzl's own inflater.
      const deflated = entry.compressionMethod === 8;
      return new Promise<Readable>((resolve, reject) =>
        zip.openReadStream(entry, { decompress: deflated ? false : null }, (error, s) => (error ? reject(error) : resolve(s))),
      ).then((raw) => (deflated ? pipeline(raw, createInflateRaw({ chunkSize: INFLATE_CHUNK }), () => {}) : raw));
    };
    const small = async (name: string): Promise<string> => {
      if ((entries.get(name)?.uncompressedSize ?? 0) > SMALL_FILE_LIMIT) throw new CliError(`the bundle's ${name} is too large`);
      let text = '';
      for await (const chunk of await stream(name)) text += (chunk as Buffer).toString('utf8');
      return text;
    };
    for (const name of [BUNDLE_FILES.records, BUNDLE_FILES.leafHashes, BUNDLE_FILES.proofHashes, BUNDLE_FILES.csv])
      if (!entries.has(name)) throw new CliError(`the bundle has no ${name}`);
    const files: BundleFiles = {
      checkpoint: await small(BUNDLE_FILES.checkpoint),
      proof: await small(BUNDLE_FILES.proof),
      records: lines(() => stream(BUNDLE_FILES.records)),
      leafHashes: lines(() => stream(BUNDLE_FILES.leafHashes)),
      proofHashes: lines(() => stream(BUNDLE_FILES.proofHashes)),
      csvRows: csvRowsOfLines(lines(() => stream(BUNDLE_FILES.csv))),
    };
    return { files, close: () => zip.close() };
  } catch (error) {
    zip.close();
    throw error;
  }
}

function readEntries(zip: ZipFile): Promise<Map<string, Entry>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, Entry>();
    zip.on('entry', (entry: Entry) => {
      entries.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', reject);
    zip.readEntry();
  });
}

/**
 * The lines of a UTF-8 stream, without their newlines, a batch for each piece read; a last line without one is
 * a line too. Lines are cut from the bytes (a newline byte never falls inside a UTF-8 sequence) and each is
 * decoded on its own: decoding whole pieces and splitting the text cost several times more.
 */
async function* lines(open: () => Promise<Readable>): AsyncGenerator<string[]> {
  let rest: Buffer | undefined;
  for await (const chunk of await open()) {
    const bytes = rest === undefined ? (chunk as Buffer) : Buffer.concat([rest, chunk as Buffer]);
    const batch: string[] = [];
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE); end >= 0; end = bytes.indexOf(NEWLINE, start)) {
      batch.push(bytes.toString('utf8', start, end));
      start = end + 1;
    }
    // Copied: the piece's memory is not ours to keep.
    rest = start < bytes.length ? Buffer.from(bytes.subarray(start)) : undefined;
    if (batch.length > 0) yield batch;
  }
  if (rest !== undefined) yield [rest.toString('utf8')];
}
