import { fromHex, toHex } from '../../integrity/bytes.js';
import { checkpointOrigin } from '../../integrity/checkpoint.js';
import { CompactRange } from '../../integrity/compact-range.js';
import { IntegrityError } from '../../integrity/integrity-errors.js';
import { parseVerifierKey } from '../../integrity/note-keys.js';
import { openCheckpoint } from '../../integrity/signed-checkpoint.js';
import { leafHash } from '../../events/leaf-hash.js';
import type { AttestStore } from '../../store/attest-store.js';
import type { PrunedRange, StoredCheckpoint } from '../../store/merkle-tree-store.js';
import { nodeMerkleHasher } from '../../core/node-merkle-hasher.js';

const ROWS_PER_READ = 5000;

/** The first thing found wrong in an organization's log: which event, and what. */
export interface LogProblem {
  readonly seq: number;
  readonly reason: string;
}

/** What `attest verify --org` found. */
export interface LogVerification {
  readonly ok: boolean;
  readonly orgId: string;
  /** Events whose record was recomputed and checked. */
  readonly eventsChecked: number;
  /** Signed checkpoints whose signature and root were checked against the recomputed tree. */
  readonly checkpointsChecked: number;
  /** Events 0 … prunedBefore − 1 were purged by retention; the tree's copy of their leaf hashes stood in. */
  readonly prunedBefore: number;
  /** Every event purged by retention that the tree's leaf hashes stood in for, the prefix included. */
  readonly eventsPruned: number;
  /** The runs of purged events met, with when retention purged them (ISO 8601): the first one is the pruned prefix when it starts at 0. */
  readonly pruned: ReadonlyArray<{ firstSeq: number; lastSeq: number; firstPrunedAt: string; lastPrunedAt: string }>;
  readonly problem?: LogProblem;
}

/**
 * Checks an organization's log in the store against everything that vouches for it, and names the first
 * event that does not hold: each stored record must hash to its leaf hash (an edited record), sit at its own
 * `seq` (swapped or moved rows), follow the one before without a gap (a deleted row), and match the leaf the
 * tree took in when it was checkpointed (a record rewritten together with its leaf hash); the tree recomputed
 * from the leaves must have the root of every kept signed checkpoint, whose signatures are checked with the
 * published verifier keys (a history rewritten in the tree too). Events purged by retention at the start of
 * the log are stood in for by the tree's copy of their leaf hashes, and reported as pruned.
 *
 * @example
 * const result = await verifyOrganizationLog(store, orgId, 'attest.local', (done) => bar.update(done));
 */
export async function verifyOrganizationLog(
  store: AttestStore,
  orgId: string,
  logName: string,
  onProgress?: (eventsChecked: number) => void,
): Promise<LogVerification> {
  const trees = store.merkleTrees;
  const verifiers = await Promise.all((await trees.keys()).map((key) => parseVerifierKey(key.vkey)));
  const checkpoints = await trees.checkpoints(orgId);
  const edge = new CompactRange(nodeMerkleHasher);
  let nextCheckpoint = 0;
  let eventsChecked = 0;
  let checkpointsChecked = 0;
  let prunedBefore = 0;
  const result = (problem?: LogProblem): LogVerification => ({
    ok: problem === undefined,
    orgId,
    eventsChecked,
    checkpointsChecked,
    prunedBefore,
    eventsPruned,
    pruned: prunedMet.map((run) => ({
      firstSeq: run.firstSeq,
      lastSeq: run.lastSeq,
      firstPrunedAt: new Date(run.firstPrunedAt).toISOString(),
      lastPrunedAt: new Date(run.lastPrunedAt).toISOString(),
    })),
    ...(problem ? { problem } : {}),
  });

  /** Compares the tree with each checkpoint of its size; a problem names the first seq the checkpoint could not vouch for. */
  const checkCheckpoints = async (): Promise<LogProblem | undefined> => {
    while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]!.treeSize === edge.size) {
      const checkpoint = checkpoints[nextCheckpoint]!;
      const previousSize = nextCheckpoint === 0 ? 0 : checkpoints[nextCheckpoint - 1]!.treeSize;
      const problem = await checkpointProblem(checkpoint, await edge.root(), previousSize);
      if (problem) return problem;
      nextCheckpoint += 1;
      checkpointsChecked += 1;
    }
    return undefined;
  };

  const checkpointProblem = async (
    checkpoint: StoredCheckpoint,
    root: Uint8Array,
    previousSize: number,
  ): Promise<LogProblem | undefined> => {
    try {
      const { checkpoint: signed } = await openCheckpoint(checkpoint.note, verifiers, checkpointOrigin(logName, orgId));
      if (signed.size !== checkpoint.treeSize)
        return { seq: previousSize, reason: `the checkpoint stored for ${checkpoint.treeSize} events is signed for ${signed.size}` };
      if (toHex(signed.rootHash) !== toHex(root)) {
        return {
          seq: previousSize,
          reason: `the log's first ${checkpoint.treeSize} events do not have the root of their signed checkpoint: one of events ${previousSize}–${checkpoint.treeSize - 1} was changed`,
        };
      }
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      return { seq: previousSize, reason: `the checkpoint of ${checkpoint.treeSize} events does not verify: ${error.message}` };
    }
    return undefined;
  };

  const prunedRuns = await trees.prunedRanges(orgId);
  const prunedMet: PrunedRange[] = [];
  let eventsPruned = 0;
  let runAt = 0;
  /** The run of purged events that holds `seq`, if retention purged it. */
  const prunedRunOf = (seq: number): PrunedRange | undefined => {
    while (runAt < prunedRuns.length && prunedRuns[runAt]!.lastSeq < seq) runAt += 1;
    const run = prunedRuns[runAt];
    return run && run.firstSeq <= seq ? run : undefined;
  };

  let rows: Array<{ seq: number; leafHash: string; record: string }> = [];
  let rowAt = 0;
  let treeLeaves = new Map<number, string>();
  /** The first stored event at or after the tree's edge, reading the next rows when those read are used up. */
  const nextRow = async () => {
    if (rowAt >= rows.length) {
      rows = await trees.storedRecords(orgId, edge.size, ROWS_PER_READ);
      rowAt = 0;
      onProgress?.(eventsChecked);
      if (rows.length === 0) return undefined;
      const first = rows[0]!.seq;
      const leaves = await trees.treeLeaves(orgId, first, rows[rows.length - 1]!.seq - first + 1);
      treeLeaves = new Map(leaves.map((leaf) => [leaf.index, leaf.hash]));
    }
    return rows[rowAt];
  };

  for (;;) {
    const seq = edge.size;
    const row = await nextRow();
    if (row?.seq === seq) {
      rowAt += 1;
      const recordSeq = seqOfRecord(row.record);
      if (recordSeq !== seq)
        return result({ seq, reason: `the row holds the record of event ${recordSeq ?? 'unknown'}: rows were swapped or moved` });
      if (leafHash(row.record) !== row.leafHash)
        return result({ seq, reason: 'the record does not hash to its leaf hash: the record was edited' });
      const treeLeaf = treeLeaves.get(seq);
      if (treeLeaf !== undefined && treeLeaf !== row.leafHash)
        return result({ seq, reason: 'the record and its leaf hash differ from the leaf the tree took in: both were rewritten' });
      await edge.append(fromHex(row.leafHash)!);
      eventsChecked += 1;
    } else {
      const run = prunedRunOf(seq);
      if (!run) {
        if (row) return result({ seq, reason: `the event is missing (the log goes on at ${row.seq}): a row was deleted` });
        break;
      }
      // Purged by retention: the tree's copy of the leaf hashes stands in, up to the end of the run or the next row.
      const until = Math.min(run.lastSeq, row ? row.seq - 1 : run.lastSeq);
      const leaves = await trees.treeLeaves(orgId, seq, Math.min(until - seq + 1, ROWS_PER_READ));
      if (leaves[0]?.index !== seq) {
        return result({
          seq,
          reason: `the event was purged by retention on ${new Date(run.lastPrunedAt).toISOString()}, but the tree holds no leaf hash for it`,
        });
      }
      if (prunedMet[prunedMet.length - 1] !== run) prunedMet.push(run);
      for (const leaf of leaves) {
        if (leaf.index !== edge.size) break;
        await edge.append(fromHex(leaf.hash)!);
        eventsPruned += 1;
        if (prunedMet.length === 1 && run.firstSeq === 0) prunedBefore = edge.size;
        const problem = await checkCheckpoints();
        if (problem) return result(problem);
      }
      continue;
    }
    const problem = await checkCheckpoints();
    if (problem) return result(problem);
  }
  onProgress?.(eventsChecked);
  if (nextCheckpoint < checkpoints.length) {
    return result({
      seq: edge.size,
      reason: `a checkpoint vouches for ${checkpoints[nextCheckpoint]!.treeSize} events, but the log ends after ${edge.size}: events were deleted from its end`,
    });
  }
  return result();
}

function seqOfRecord(record: string): number | undefined {
  try {
    const parsed = JSON.parse(record) as { seq?: unknown };
    return typeof parsed.seq === 'number' ? parsed.seq : undefined;
  } catch {
    return undefined;
  }
}
