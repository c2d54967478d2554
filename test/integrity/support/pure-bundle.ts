import { BUNDLE_FORMAT, formatBundleProof, formatLeafHashLine } from '../../../src/integrity/bundle-format.js';
import { toHex } from '../../../src/integrity/bytes.js';
import { canonicalJson, type CanonicalJsonValue } from '../../../src/integrity/canonical-json.js';
import { MemoryMerkleTree } from '../../../src/integrity/memory-merkle-tree.js';
import {
  generateSignerKey,
  parseSignerKey,
  parseVerifierKey,
  type NoteSigner,
  type NoteVerifier,
} from '../../../src/integrity/note-keys.js';
import { signCheckpoint } from '../../../src/integrity/signed-checkpoint.js';
import { subtreesWithoutLeaves } from '../../../src/integrity/streamed-multi-proof.js';
import { rangeHashes } from '../../../src/integrity/subtree-hashes.js';
import type { BundleTexts } from './bundle-files.js';
import { nodeHasher } from './node-hasher.js';
import { expectedCsvHeader } from '../../support/expected-csv-header.js';

/**
 * A verifiable export bundle built in memory from the integrity library alone (no store, no server): canonical
 * records, their leaf hashes, the tree, a signed checkpoint, the streamed multi-leaf proof, proof.json and the
 * CSV rows the export would write, so the verifier's every check can be driven with small, exact inputs.
 */
export const PURE_LOG_NAME = 'attest.pure';
export const PURE_ORG_ID = 'org-1';

export interface PureBundle {
  texts: BundleTexts;
  records: Record<string, CanonicalJsonValue>[];
  signer: NoteSigner;
  verifier: NoteVerifier;
  tree: MemoryMerkleTree;
}

const signer = parseSignerKey(await generateSignerKey(PURE_LOG_NAME));

/** The record of event `seq`: every member the CSV shows, with formula-like, empty and null values among them. */
export function pureRecord(seq: number, orgId = PURE_ORG_ID): Record<string, CanonicalJsonValue> {
  const occurredAt = new Date(Date.UTC(2026, 2, 8, 6, 0, 0) + seq * 3_601_001).toISOString();
  return {
    action: ['Create', 'Update', 'Delete'][seq % 3]!,
    activity: `Activity ${seq}`,
    actor: { email: `person-${seq % 4}@example.com`, id: `user-${seq % 4}`, name: seq % 5 === 0 ? '=HYPERLINK("x")' : `Person ${seq % 4}` },
    changes: [{ field: 'role', from: ['a', { deep: [1, 2] }], to: ['b'] }],
    description: seq % 3 === 1 ? `-${seq} removed, "quoted", with a comma` : `Did thing ${seq}`,
    entity: seq % 7 === 3 ? null : { id: `entity-${seq}`, name: `Entity ${seq}`, product: 'P', type: 'user' },
    logId: `log-${seq}`,
    occurredAt,
    orgId,
    product: 'UserManagement',
    securityAction: seq % 2 === 0,
    seq,
    traceId: seq % 6 === 5 ? null : `trace-${seq}`,
    type: 'user.updated',
  };
}

/** `yyyy-MM-dd HH:mm:ss.SSS ±HH:MM` of an instant, shown at a fixed offset in minutes. */
export function zonedCell(iso: string, offsetMinutes: number): string {
  const shifted = new Date(Date.parse(iso) + offsetMinutes * 60_000).toISOString();
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offsetMinutes) % 60).padStart(2, '0');
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 23)} ${sign}${hours}:${minutes}`;
}

export const PURE_HEADER = expectedCsvHeader('Europe/Paris');

/** The CSV row the export writes for a record: text cells, a leading `'` before a formula, Yes or No. */
export function pureCsvRow(record: Record<string, CanonicalJsonValue>): string[] {
  const entity = record.entity as Record<string, string> | null;
  const actor = record.actor as Record<string, string>;
  const cell = (value: unknown) => {
    const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value);
    return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  };
  return [
    cell(record.logId),
    zonedCell(record.occurredAt as string, (record.seq as number) % 2 === 0 ? 60 : -150),
    cell(record.occurredAt),
    cell(record.action),
    cell(record.activity),
    cell(record.description),
    record.securityAction === true ? 'Yes' : 'No',
    cell(entity?.name),
    cell(entity?.type),
    cell(entity?.id),
    cell(record.product),
    cell(actor.name),
    cell(actor.email),
    cell(record.traceId),
  ];
}

/** A bundle of the events `picked` (default: all, as `scope=all`) of a log of `size` events. */
export async function buildPureBundle(size: number, picked?: readonly number[]): Promise<PureBundle> {
  const records = Array.from({ length: size }, (_, seq) => pureRecord(seq));
  const lines = records.map((record) => canonicalJson(record));
  const leafHashes = await Promise.all(lines.map((line) => nodeHasher.hashLeafText(line)));
  const tree = await MemoryMerkleTree.fromLeafHashes(leafHashes, nodeHasher);
  const origin = `${PURE_LOG_NAME}/${PURE_ORG_ID}`;
  const key = await signer;
  const checkpoint = await signCheckpoint({ origin, size, rootHash: await tree.root() }, key);
  const seqs = picked ?? records.map((_, seq) => seq);
  const ranges = [];
  for await (const range of subtreesWithoutLeaves(seqs, size)) ranges.push(range);
  const proofHashes = await rangeHashes(ranges, tree, nodeHasher);
  const contiguous = seqs.every((seq, i) => i === 0 || seq === seqs[i - 1]! + 1);
  const proof = formatBundleProof({
    format: BUNDLE_FORMAT,
    origin,
    treeSize: size,
    scope: picked === undefined ? 'all' : 'filtered',
    ...(picked === undefined ? {} : { filters: { actor: 'someone' } }),
    count: seqs.length,
    firstSeq: seqs[0] ?? null,
    lastSeq: seqs.at(-1) ?? null,
    contiguous,
  });
  return {
    texts: {
      checkpoint,
      proof,
      records: seqs.map((seq) => lines[seq]!),
      leafHashes: seqs.map((seq) => formatLeafHashLine(seq, toHex(leafHashes[seq]!))),
      proofHashes: proofHashes.map(toHex),
      csvRows: [PURE_HEADER, ...seqs.map((seq) => pureCsvRow(records[seq]!))],
      readme: '',
    },
    records,
    signer: key,
    verifier: await parseVerifierKey(key.verifierKey),
    tree,
  };
}
