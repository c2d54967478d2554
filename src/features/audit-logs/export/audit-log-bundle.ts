import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { nodeMerkleHasher } from '../../../core/node-merkle-hasher.js';
import { writeCsvRows } from '../../../core/csv-writer.js';
import { BUNDLE_FILES, BUNDLE_FORMAT, formatBundleProof, formatLeafHashLine } from '../../../integrity/bundle-format.js';
import { toHex } from '../../../integrity/bytes.js';
import { subtreesWithoutLeaves } from '../../../integrity/streamed-multi-proof.js';
import { rangeHashes } from '../../../integrity/subtree-hashes.js';
import { rangeNodes, type LeafRange } from '../../../integrity/tree-shape.js';
import type { AttestStore } from '../../../store/attest-store.js';
import type { EventFilter } from '../../../store/event-log-reader.js';
import { rowToRecord } from '../../../store/event-rows.js';
import type { StoredCheckpoint } from '../../../store/merkle-tree-store.js';
import { storedSubtrees } from '../../../store/stored-subtrees.js';
import { csvHeader, csvRow, zonedTimeFormatter } from './audit-log-csv-columns.js';
import { EXPORT_PAGE_SIZE } from './audit-log-csv-stream.js';
import { bundleReadme } from './audit-log-bundle-readme.js';

// Proof hashes are read from the stored tree this many nodes at a time: one query each, and far below
// SQLite's expression depth limit of 1000 for the OR of their addresses.
const PROOF_NODES_PER_READ = 200;

/** What a bundle holds: whose log, which events, proven against which checkpoint. */
export interface BundleExportOptions {
  store: AttestStore;
  orgId: string;
  scope: 'all' | 'filtered';
  /** The filters of a filtered export (its range and columns); absent for `all`, every event below the checkpoint. */
  filter?: EventFilter;
  /** The filters as recorded (proof.json repeats them for the auditor). */
  filters?: Record<string, unknown>;
  timeZone: string;
  /** The latest signed checkpoint when the export began: every exported event has a seq below its size. */
  checkpoint: StoredCheckpoint;
  /** Records written so far, after each page. */
  onRows?(rowsSoFar: number): void;
}

/**
 * The verifiable export bundle (`integrity/bundle-format.ts`, PRODUCT.md §8) as a zip stream: each long file
 * reads the log again by seq, a page at a time and only as fast as the zip is read, so memory stays flat
 * whatever the export's size (yazl writes Zip64 when a file passes 4 GiB). The events are those below the
 * checkpoint's size, so the tree they are proven in is signed already; events committed since are in the
 * next export.
 *
 * @example
 * const zip = auditLogBundleStream({ store, orgId, scope: 'all', timeZone: 'UTC', checkpoint });
 * await pipeline(zip, createWriteStream('bundle.zip'));
 */
export function auditLogBundleStream(options: BundleExportOptions): Readable {
  const { store, orgId, checkpoint, filter } = options;
  const range = { fromSeq: 0, toSeq: checkpoint.treeSize };
  const pages = (withRecord: boolean) => store.events.pagesBySeq(orgId, range, EXPORT_PAGE_SIZE, { filter, withRecord });
  const summary = { count: 0, firstSeq: null as number | null, lastSeq: null as number | null };

  async function* records(): AsyncGenerator<string> {
    for await (const page of pages(true)) {
      summary.firstSeq ??= page[0]!.seq;
      summary.lastSeq = page[page.length - 1]!.seq;
      summary.count += page.length;
      options.onRows?.(summary.count);
      yield page.map((row) => `${row.record}\n`).join('');
    }
  }

  async function* csv(): AsyncGenerator<string> {
    const zonedTime = zonedTimeFormatter(options.timeZone);
    yield writeCsvRows([csvHeader(options.timeZone)], { bom: true });
    for await (const page of pages(true)) yield writeCsvRows(page.map((row) => csvRow(rowToRecord(row), zonedTime)));
  }

  async function* leafHashes(): AsyncGenerator<string> {
    for await (const page of pages(false)) yield page.map((row) => `${formatLeafHashLine(row.seq, row.leaf_hash)}\n`).join('');
  }

  async function* proofHashes(): AsyncGenerator<string> {
    async function* seqs(): AsyncGenerator<number> {
      for await (const page of pages(false)) for (const row of page) yield row.seq;
    }
    const subtrees = storedSubtrees(store, orgId);
    let batch: LeafRange[] = [];
    let nodes = 0;
    const flush = async () => {
      const hashes = await rangeHashes(batch, subtrees, nodeMerkleHasher);
      batch = [];
      nodes = 0;
      return hashes.map((hash) => `${toHex(hash)}\n`).join('');
    };
    for await (const subtree of subtreesWithoutLeaves(seqs(), checkpoint.treeSize)) {
      batch.push(subtree);
      nodes += rangeNodes(subtree).length;
      if (nodes >= PROOF_NODES_PER_READ) yield await flush();
    }
    if (batch.length > 0) yield await flush();
  }

  function proof(): string {
    return formatBundleProof({
      format: BUNDLE_FORMAT,
      origin: checkpointOriginOf(checkpoint.note),
      treeSize: checkpoint.treeSize,
      scope: options.scope,
      ...(options.filters ? { filters: options.filters } : {}),
      ...summary,
      contiguous: summary.lastSeq === null || summary.lastSeq - summary.firstSeq! + 1 === summary.count,
    });
  }

  const zip = new ZipFile();
  // yazl's types call it a NodeJS.ReadableStream; it is a PassThrough.
  const output = zip.outputStream as unknown as Readable;
  const fail = (error: unknown) => output.destroy(error instanceof Error ? error : new Error(String(error)));
  zip.on('error', fail);
  const entry = (name: string, chunks: () => AsyncIterable<string>) =>
    zip.addReadStreamLazy(name, (ready) => {
      const stream = Readable.from(chunks(), { objectMode: false });
      stream.on('error', fail);
      ready(null, stream);
    });
  zip.addBuffer(Buffer.from(bundleReadme(options.scope), 'utf8'), BUNDLE_FILES.readme);
  zip.addBuffer(Buffer.from(checkpoint.note, 'utf8'), BUNDLE_FILES.checkpoint);
  entry(BUNDLE_FILES.records, records);
  entry(BUNDLE_FILES.csv, csv);
  entry(BUNDLE_FILES.leafHashes, leafHashes);
  entry(BUNDLE_FILES.proofHashes, proofHashes);
  // Last, once the records were read: it states how many there were and where they begin and end.
  entry(BUNDLE_FILES.proof, async function* () {
    yield proof();
  });
  zip.end();
  return output;
}

/** The origin line of a signed checkpoint (its first line). */
function checkpointOriginOf(note: string): string {
  return note.slice(0, note.indexOf('\n'));
}
