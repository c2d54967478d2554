import { fromHex, toHex } from '../../integrity/bytes.js';
import { checkpointOrigin } from '../../integrity/checkpoint.js';
import { CompactRange } from '../../integrity/compact-range.js';
import { consistencyProof, verifyConsistency } from '../../integrity/consistency-proof.js';
import type { MerkleHasher } from '../../integrity/merkle-hasher.js';
import type { NoteSigner } from '../../integrity/note-keys.js';
import { signCheckpoint } from '../../integrity/signed-checkpoint.js';
import type { AttestStore } from '../../store/attest-store.js';
import type { StoredCheckpoint, StoredTreeNode } from '../../store/merkle-tree-store.js';
import type { SigningKeySource } from './log-signing-key.js';
import { nodeMerkleHasher } from '../../core/node-merkle-hasher.js';
import { storedSubtrees } from '../../store/stored-subtrees.js';

/** Leaves read and stored per transaction while a tree catches up with its log. */
const LEAVES_PER_STEP = 5000;
/** How often the store is also asked for trees behind their log: events committed by other processes (the CLI, another server) announce nothing here. */
const DEFAULT_POLL_INTERVAL_MS = 1000;

/** Where the checkpointer reports a failure it cannot throw to anyone (it runs in the background). */
export interface CheckpointerLog {
  error(details: object, message: string): void;
}

/**
 * Keeps every organization's Merkle tree up with its log and signs a checkpoint of it, in the background:
 * woken by the store's notifier right after each commit (and by a poll, for commits of other processes), it
 * reads the new leaf hashes by `seq`, stores the nodes they complete, and signs the new tree size. The append
 * path is untouched, so ingest pays nothing for the tree. Before signing it proves the new tree consistent
 * with the latest checkpoint from the stored nodes: the log never signs two checkpoints that contradict each
 * other, even if the stored tree was tampered with. Signing happens in the organization's signing turn
 * (`MerkleTreeStore.withSigningTurn`), so of several processes sharing a store one signs at a time. Given a
 * key source rather than a key, it asks it for the key before every round: a rotated key is published and
 * signs from the next round on.
 *
 * @example
 * const checkpointer = new LogCheckpointer(store, signer, 'attest.local', { log: app.log });
 * checkpointer.start();
 * await checkpointer.close();
 */
export class LogCheckpointer {
  readonly #hasher: MerkleHasher;
  readonly #pollIntervalMs: number;
  #running: Promise<void> | undefined;
  #runAgain = false;
  #stop: (() => void) | undefined;
  #closed = false;
  #publishedKey: string | undefined;

  constructor(
    private readonly store: AttestStore,
    private readonly signingKey: NoteSigner | SigningKeySource,
    private readonly logName: string,
    private readonly options: { log?: CheckpointerLog; pollIntervalMs?: number; hasher?: MerkleHasher } = {},
  ) {
    this.#hasher = options.hasher ?? nodeMerkleHasher;
    this.#pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  }

  /** Publishes the signing key's verifier key, then follows the log until `close`. */
  async start(): Promise<void> {
    await this.#signer();
    const unsubscribe = this.store.notifier.subscribeAll(() => this.wake());
    const timer = setInterval(() => this.wake(), this.#pollIntervalMs);
    timer.unref();
    this.#stop = () => {
      unsubscribe();
      clearInterval(timer);
    };
    this.wake();
  }

  /** Starts a round over the trees behind their log, or asks the running one to go round once more. */
  wake(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#runAgain = true;
      return;
    }
    this.#running = this.#catchUpAll().finally(() => {
      this.#running = undefined;
    });
  }

  /** Resolves once no round is running (tests wait for the checkpoint of what they appended). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Stops following the log and waits for the round under way. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stop?.();
    await this.idle();
  }

  async #catchUpAll(): Promise<void> {
    do {
      this.#runAgain = false;
      try {
        await this.#signer();
        for (const orgId of await this.store.merkleTrees.organizationsBehind()) {
          if (this.#closed) return;
          await this.checkpointOrganization(orgId);
        }
      } catch (error) {
        this.options.log?.error({ err: error }, 'the checkpointer failed; it tries again on the next commit or poll');
      }
    } while (this.#runAgain && !this.#closed);
  }

  /**
   * Grows `orgId`'s stored tree to the end of its log and signs a checkpoint of it, unless one of that size
   * exists; returns the latest checkpoint. Throws when the new tree is not consistent with the latest signed
   * checkpoint, signing nothing.
   */
  async checkpointOrganization(orgId: string): Promise<StoredCheckpoint | undefined> {
    await this.#growTree(orgId);
    const signer = await this.#signer();
    const trees = this.store.merkleTrees;
    const turn = await trees.withSigningTurn(orgId, async ({ head, latest, save }) => {
      if (head.size === 0 || (latest && latest.treeSize >= head.size)) return latest;
      // The tree signed is the tree stored, read in the turn: another process may have grown it further.
      const root = await new CompactRange(this.#hasher, head.size, head.edge.map(hashOf)).root();
      if (latest) {
        const oldRoot = fromHex(latest.rootHash) ?? new Uint8Array(0);
        const proof = await consistencyProof(latest.treeSize, head.size, storedSubtrees(this.store, orgId), this.#hasher);
        await verifyConsistency(this.#hasher, { oldSize: latest.treeSize, newSize: head.size, oldRoot, newRoot: root, proof });
      }
      const note = await signCheckpoint({ origin: checkpointOrigin(this.logName, orgId), size: head.size, rootHash: root }, signer);
      const checkpoint = { orgId, treeSize: head.size, rootHash: toHex(root), note, signedAt: this.store.clock.now() };
      await save(checkpoint);
      return checkpoint;
    });
    // Another process has the turn: it signs what this one grew.
    return turn.taken ? turn.value : trees.latestCheckpoint(orgId);
  }

  /** The key to sign with now; a key not signed with before is published first, from now on. */
  async #signer(): Promise<NoteSigner> {
    const signer = 'current' in this.signingKey ? await this.signingKey.current() : this.signingKey;
    if (signer.verifierKey !== this.#publishedKey) {
      await this.store.merkleTrees.publishKey(signer.verifierKey, this.store.clock.now());
      this.#publishedKey = signer.verifierKey;
    }
    return signer;
  }

  /** Appends the log's new leaves to the stored tree, a step at a time; returns its edge as far as it got. */
  async #growTree(orgId: string): Promise<CompactRange> {
    const trees = this.store.merkleTrees;
    const head = await trees.head(orgId);
    const edge = new CompactRange(this.#hasher, head.size, head.edge.map(hashOf));
    for (;;) {
      const leaves = await trees.leafHashes(orgId, edge.size, LEAVES_PER_STEP);
      if (leaves.length === 0) return edge;
      const fromSize = edge.size;
      const nodes: StoredTreeNode[] = [];
      for (const leaf of leaves) {
        // seq is gapless; a missing one is a deleted row, which the tree must not paper over.
        if (leaf.seq !== edge.size)
          throw new Error(`the log of ${orgId} has no event ${edge.size} (next is ${leaf.seq}); not growing its tree past it`);
        await edge.append(hashOf(leaf.leafHash), (node) => nodes.push({ level: node.level, index: node.index, hash: toHex(node.hash) }));
      }
      const extended = await trees.extend(orgId, fromSize, { size: edge.size, edge: edge.hashes.map(toHex) }, nodes);
      // Another process grew the tree meanwhile; its nodes are the same, and it signs what it grew.
      if (!extended) return new CompactRange(this.#hasher);
    }
  }
}

function hashOf(hex: string): Uint8Array {
  const bytes = fromHex(hex);
  if (bytes?.length !== 32) throw new Error(`a stored hash is not 32 bytes of hex: ${hex}`);
  return bytes;
}
