import { fromHex, toHex } from '../../integrity/bytes.js';
import { checkpointOrigin } from '../../integrity/checkpoint.js';
import { CompactRange } from '../../integrity/compact-range.js';
import { consistencyProof, verifyConsistency } from '../../integrity/consistency-proof.js';
import type { MerkleHasher } from '../../integrity/merkle-hasher.js';
import type { NoteSigner } from '../../integrity/note-keys.js';
import { signCheckpoint } from '../../integrity/signed-checkpoint.js';
import type { AttestStore } from '../../store/attest-store.js';
import { partialTiles, TileWriter } from '../../integrity/merkle-tiles.js';
import type { StoredCheckpoint, StoredTreeHead, TreeExtension } from '../../store/merkle-tree-store.js';
import type { SigningKeySource } from './log-signing-key.js';
import { nodeMerkleHasher } from '../../core/node-merkle-hasher.js';
import { storedSubtrees } from '../../store/stored-subtrees.js';

/** Leaves read and stored per transaction while a tree catches up with its log. */
const LEAVES_PER_STEP = 5000;
/** How often the store is also asked for trees behind their log: events committed by other processes (the CLI, another server) announce nothing here. */
const DEFAULT_POLL_INTERVAL_MS = 1000;
/**
 * Least time from the start of one round to the start of the next. Under full ingest a commit lands every few
 * milliseconds, and a round right after each one spent the append thread's time: every round is two write
 * transactions, each an fsync on the event loop and a wait of the append thread for the write lock. Rounds
 * 200 ms apart keep the checkpoint lag (target p99 ≤ 1 s) well inside its bound and cost a fraction of that.
 */
const DEFAULT_MIN_ROUND_INTERVAL_MS = 200;

/** Where the checkpointer reports a failure it cannot throw to anyone (it runs in the background). */
export interface CheckpointerLog {
  error(details: object, message: string): void;
}

/**
 * Keeps every organization's Merkle tree up with its log and signs a checkpoint of it, in the background:
 * woken by the store's notifier after commits (and by a poll, for commits of other processes), at most one
 * round per {@link DEFAULT_MIN_ROUND_INTERVAL_MS} however often commits land, it reads the new leaf hashes by
 * `seq`, stores the tiles of hashes they complete or grow, and signs the new tree size. The append path is
 * untouched. Before signing it proves the new tree consistent with the latest checkpoint from the stored
 * tiles: the log never signs two checkpoints that contradict each
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
  readonly #minRoundIntervalMs: number;
  #lastRoundAt = Number.NEGATIVE_INFINITY;
  #endPause: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #runAgain = false;
  #stop: (() => void) | undefined;
  #closed = false;
  #publishedKey: string | undefined;

  constructor(
    private readonly store: AttestStore,
    private readonly signingKey: NoteSigner | SigningKeySource,
    private readonly logName: string,
    private readonly options: { log?: CheckpointerLog; pollIntervalMs?: number; minRoundIntervalMs?: number; hasher?: MerkleHasher } = {},
  ) {
    this.#hasher = options.hasher ?? nodeMerkleHasher;
    this.#pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.#minRoundIntervalMs = options.minRoundIntervalMs ?? DEFAULT_MIN_ROUND_INTERVAL_MS;
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
    this.#endPause?.();
    await this.idle();
  }

  /** Waits until {@link DEFAULT_MIN_ROUND_INTERVAL_MS} (or the option) has passed since the last round began, or the checkpointer closes. */
  async #pace(): Promise<void> {
    const wait = this.#lastRoundAt + this.#minRoundIntervalMs - performance.now();
    if (wait > 0 && !this.#closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.#endPause = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#endPause = undefined;
    }
    this.#lastRoundAt = performance.now();
  }

  async #catchUpAll(): Promise<void> {
    do {
      // Commits that arrive during the pause are covered by the round after it: they only set #runAgain.
      await this.#pace();
      if (this.#closed) return;
      this.#runAgain = false;
      try {
        const behind = await this.store.merkleTrees.organizationsBehind();
        if (this.#closed) return;
        for (const [orgId, outcome] of await this.checkpointOrganizations(behind)) {
          if (outcome instanceof Error)
            this.options.log?.error({ err: outcome, orgId }, 'the checkpointer failed; it tries again on the next commit or poll');
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
    const outcome = (await this.checkpointOrganizations([orgId])).get(orgId);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }

  /**
   * `checkpointOrganization` for several organizations at once, in one transaction per step of growth and one
   * signing transaction for all: under full ingest every write transaction waits for a group commit, so a
   * round over ten organizations waits three times, not forty. What went wrong with one organization (a gap
   * in its log, a tree inconsistent with its checkpoint) is its outcome, and does not hold up the others.
   */
  async checkpointOrganizations(orgIds: readonly string[]): Promise<Map<string, StoredCheckpoint | undefined | Error>> {
    const outcomes = new Map<string, StoredCheckpoint | undefined | Error>();
    if (orgIds.length === 0) return outcomes;
    const signer = await this.#signer();
    const trees = this.store.merkleTrees;
    for (const [orgId, error] of await this.#growTrees(orgIds)) outcomes.set(orgId, error);
    const signing = orgIds.filter((orgId) => !outcomes.has(orgId));
    const signed = await trees.withSigningTurns(signing, async ({ orgId, head, latest, save }) => {
      try {
        return await this.#signInTurn(orgId, signer, head, latest, save);
      } catch (error) {
        // Thrown out of the turn it would roll back the other organizations' checkpoints too.
        return error instanceof Error ? error : new Error(String(error));
      }
    });
    for (const orgId of signing) {
      // Another process has the turn: it signs what this one grew.
      outcomes.set(orgId, signed.has(orgId) ? signed.get(orgId) : await trees.latestCheckpoint(orgId));
    }
    return outcomes;
  }

  async #signInTurn(
    orgId: string,
    signer: NoteSigner,
    head: StoredTreeHead,
    latest: StoredCheckpoint | undefined,
    save: (checkpoint: StoredCheckpoint) => Promise<void>,
  ): Promise<StoredCheckpoint | undefined> {
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

  /**
   * Appends each log's new leaves to its stored tree, a step of at most {@link LEAVES_PER_STEP} leaves per
   * organization at a time, all organizations' steps in one transaction. Returns the organizations that
   * could not be grown, with why; a tree another process grew meanwhile is left to it.
   */
  async #growTrees(orgIds: readonly string[]): Promise<Map<string, Error>> {
    const trees = this.store.merkleTrees;
    const failed = new Map<string, Error>();
    const heads = await trees.heads(orgIds);
    let growing = new Map(
      orgIds.map((orgId) => {
        const head = heads.get(orgId) ?? { size: 0, edge: [] };
        return [orgId, new CompactRange(this.#hasher, head.size, head.edge.map(hashOf))] as const;
      }),
    );
    while (growing.size > 0) {
      const extensions: TreeExtension[] = [];
      const full = new Set<string>();
      for (const [orgId, edge] of growing) {
        const leaves = await trees.leafHashes(orgId, edge.size, LEAVES_PER_STEP);
        if (leaves.length === 0) continue;
        if (leaves.length === LEAVES_PER_STEP) full.add(orgId);
        const fromSize = edge.size;
        try {
          // The tiles still filling, as stored at this size (a later, longer one is cut to it).
          const open = partialTiles(fromSize);
          const stored = await trees.tiles(orgId, open);
          const tiles = new TileWriter(
            fromSize,
            open.flatMap((tile, i) => (stored[i] ? [{ ...tile, hashes: stored[i] }] : [])),
          );
          for (const leaf of leaves) {
            // seq is gapless; a missing one is a deleted row, which the tree must not paper over.
            if (leaf.seq !== edge.size)
              throw new Error(`the log of ${orgId} has no event ${edge.size} (next is ${leaf.seq}); not growing its tree past it`);
            await edge.append(hashOf(leaf.leafHash), (node) => tiles.add(node));
          }
          extensions.push({ orgId, fromSize, head: { size: edge.size, edge: edge.hashes.map(toHex) }, tiles: tiles.changed() });
        } catch (error) {
          failed.set(orgId, error instanceof Error ? error : new Error(String(error)));
        }
      }
      const grown = await trees.extendMany(extensions);
      // Only a full step may have more leaves behind it; a tree another process grew meanwhile is its to sign.
      growing = new Map([...growing].filter(([orgId]) => full.has(orgId) && grown.has(orgId)));
    }
    return failed;
  }
}

function hashOf(hex: string): Uint8Array {
  const bytes = fromHex(hex);
  if (bytes?.length !== 32) throw new Error(`a stored hash is not 32 bytes of hex: ${hex}`);
  return bytes;
}
