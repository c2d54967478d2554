import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { BUNDLE_FILES } from '../../integrity/bundle-format.js';
import { csvRowsOfLines } from '../../integrity/csv-rows.js';
import type { BundleFiles } from '../../integrity/verify-bundle.js';
import { CliError } from '../cli-error.js';
import { lineBatches } from './line-batches.js';

// The small files are read whole; anything larger than this is not what Attest writes there.
const SMALL_FILE_LIMIT = 1024 * 1024;
// Inflated in pieces of this size rather than zlib's 16 KiB: a million-record bundle is a gigabyte, and each
// piece costs a round trip to the thread pool.
const INFLATE_CHUNK = 256 * 1024;
// The deflated bytes are read from the file in pieces of this size, not the 16 KiB of yauzl's read stream: on a
// million-record bundle that took a third less CPU to read and inflate records.jsonl (1.3 s against 1.7–2.0 s).
const READ_CHUNK = 1024 * 1024;
const DEFLATE = 8;

/** A bundle zip opened by {@link openBundleZip}. */
export interface OpenedBundleZip {
  readonly files: BundleFiles;
  /** The inflated bytes of one of its files, in pieces, checked against the size the zip states. */
  bytes(name: string): Promise<AsyncIterable<Buffer>>;
  /** The inflated size the zip states for one of its files; 0 for a file it does not hold. */
  sizeOf(name: string): number;
  close(): void;
}

/**
 * A bundle zip opened for `verifyBundle`: the small files read whole, the long ones streamed from the zip as
 * lines or CSV rows while the verifier walks them, each read once, so a bundle of any size is checked in
 * little memory. Close it when done.
 *
 * @example
 * const bundle = await openBundleZip('export.zip');
 * try { report = await verifyBundle(bundle.files, verifiers, hasher); } finally { bundle.close(); }
 */
export async function openBundleZip(path: string): Promise<OpenedBundleZip> {
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, file) => (error ? reject(error) : resolve(file))),
  ).catch((error: unknown) => {
    throw new CliError(`${path} is not a readable zip: ${error instanceof Error ? error.message : String(error)}`);
  });
  try {
    const entries = await readEntries(zip);
    const stream = async (name: string): Promise<AsyncIterable<Buffer>> => {
      const entry = entries.get(name);
      if (!entry) throw new CliError(`the bundle has no ${name}`);
      if (entry.compressionMethod !== DEFLATE || entry.isEncrypted() || entry.compressedSize === 0)
        return new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (error, s) => (error ? reject(error) : resolve(s))));
      // Deflated data read straight from the file and inflated here, with larger pieces than yauzl's; the size
      // the zip states is checked as yauzl would (sizedStream).
      const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
      const deflated = createReadStream(path, {
        start: fileDataStart,
        end: fileDataStart + entry.compressedSize - 1,
        highWaterMark: READ_CHUNK,
      });
      return sizedStream(
        pipeline(deflated, createInflateRaw({ chunkSize: INFLATE_CHUNK }), () => {}),
        name,
        entry.uncompressedSize,
      );
    };
    const small = async (name: string): Promise<string> => {
      if ((entries.get(name)?.uncompressedSize ?? 0) > SMALL_FILE_LIMIT) throw new CliError(`the bundle's ${name} is too large`);
      let text = '';
      for await (const chunk of await stream(name)) text += chunk.toString('utf8');
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
    return { files, bytes: stream, sizeOf: (name) => entries.get(name)?.uncompressedSize ?? 0, close: () => zip.close() };
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

/** The stream's pieces, then an error when they do not add up to the size the zip states for the entry. */
async function* sizedStream(stream: Readable, name: string, size: number): AsyncGenerator<Buffer> {
  let read = 0;
  for await (const chunk of stream) {
    read += (chunk as Buffer).length;
    if (read > size) throw new Error(`${name} holds more than the ${size} bytes the zip states`);
    yield chunk as Buffer;
  }
  if (read !== size) throw new Error(`${name} holds ${read} bytes, the zip states ${size}`);
}

/**
 * The lines of a UTF-8 stream, without their newlines, a batch for each piece read; a last line without one is
 * a line too. Each line is decoded on its own: decoding whole pieces and splitting the text cost several times more.
 */
export async function* lines(open: () => Promise<AsyncIterable<Buffer>>): AsyncGenerator<string[]> {
  yield* lineBatches(await open(), (bytes, start, end) => bytes.toString('utf8', start, end));
}
