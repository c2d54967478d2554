import { sql, type Kysely, type Transaction } from 'kysely';
import { toHex } from '../integrity/bytes.js';
import { tileHash, tileWidth, TILE_WIDTH, type Tile, type TileAddress } from '../integrity/merkle-tiles.js';
import type { AttestDatabase } from './database-schema.js';

/** An organization's Merkle tree as stored: how many leaves it holds and its right edge (hex, largest subtree first). */
export interface StoredTreeHead {
  readonly size: number;
  readonly edge: readonly string[];
}

/** A signed checkpoint as stored. */
export interface StoredCheckpoint {
  readonly orgId: string;
  readonly treeSize: number;
  /** Lowercase hex. */
  readonly rootHash: string;
  /** The signed note's exact text. */
  readonly note: string;
  readonly signedAt: number;
}

/** A run of consecutive events retention purged from an organization's log, and when (`log_pruned_ranges`). */
export interface PrunedRange {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstPrunedAt: number;
  readonly lastPrunedAt: number;
}

/** One organization's tree growth for `extendMany`: from the size it was read at to `head`, with the tiles it changed. */
export interface TreeExtension {
  readonly orgId: string;
  readonly fromSize: number;
  readonly head: StoredTreeHead;
  /** Tiles completed or grown (`TileWriter.changed`): each replaces the stored tile of its address. */
  readonly tiles: readonly Tile[];
}

/** What a signing turn (`withSigningTurn`) sees and may do, inside its transaction. */
export interface SigningTurn {
  readonly head: StoredTreeHead;
  readonly latest: StoredCheckpoint | undefined;
  save(checkpoint: StoredCheckpoint): Promise<void>;
}

/** A verifier key the log signed with, and when it was in use. */
export interface StoredLogKey {
  readonly vkey: string;
  readonly validFrom: number;
  readonly validUntil: number | null;
}

// 4 columns × 500 rows stays far below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const TILE_ROWS_PER_INSERT = 500;
const HOUR_MS = 3_600_000;

/**
 * The organizations' Merkle trees, signed checkpoints and log keys in the store's own tables (migrations 0008
 * and 0012): the named queries the integrity feature builds on. A tree is kept as tiles of 256 hashes
 * (`integrity/merkle-tiles.ts`), one row each: a full tile is written once, the last tile of each level grows
 * with the tree, and proofs recompute the levels between from them. Tile level 0 is the tree's own copy of
 * the events' leaf hashes, so proofs outlive the purge of expired events and a rewritten `leaf_hash` in the
 * log shows against it.
 *
 * @example
 * const head = await store.merkleTrees.head(orgId);
 * const leaves = await store.merkleTrees.leafHashes(orgId, head.size, 5000);
 */
export class MerkleTreeStore {
  constructor(
    private readonly db: Kysely<AttestDatabase>,
    private readonly readDb: Kysely<AttestDatabase>,
    /** The dialect's `supportsRowLocks`: whether a signing turn must lock the tree's head row (else the write transaction excludes everyone). */
    private readonly rowLocks: boolean,
  ) {}

  /** The stored tree of `orgId`; size 0 and no edge before its first leaf. */
  async head(orgId: string): Promise<StoredTreeHead> {
    const row = await this.db.selectFrom('merkle_tree_heads').select(['tree_size', 'edge']).where('org_id', '=', orgId).executeTakeFirst();
    return row ? { size: Number(row.tree_size), edge: JSON.parse(row.edge) as string[] } : { size: 0, edge: [] };
  }

  /** The stored trees of `orgIds` (those with none are left out), read without waiting for a commit. */
  async heads(orgIds: readonly string[]): Promise<Map<string, StoredTreeHead>> {
    if (orgIds.length === 0) return new Map();
    const rows = await this.readDb
      .selectFrom('merkle_tree_heads')
      .select(['org_id', 'tree_size', 'edge'])
      .where('org_id', 'in', orgIds)
      .execute();
    return new Map(rows.map((row) => [row.org_id, { size: Number(row.tree_size), edge: JSON.parse(row.edge) as string[] }]));
  }

  /** The leaf hashes of events `fromSeq` onwards, at most `limit`, in seq order. */
  async leafHashes(orgId: string, fromSeq: number, limit: number): Promise<Array<{ seq: number; leafHash: string }>> {
    const rows = await this.readDb
      .selectFrom('audit_events')
      .select(['seq', 'leaf_hash'])
      .where('org_id', '=', orgId)
      .where('seq', '>=', fromSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ seq: Number(row.seq), leafHash: row.leaf_hash }));
  }

  /** The organizations whose log holds events their tree does not hold yet. */
  async organizationsBehind(): Promise<string[]> {
    const rows = await this.readDb
      .selectFrom('org_log_heads as h')
      .leftJoin('merkle_tree_heads as t', 't.org_id', 'h.org_id')
      .select('h.org_id')
      .where((eb) => eb.or([eb('t.tree_size', 'is', null), eb('t.tree_size', '<', eb.ref('h.next_seq'))]))
      .where('h.next_seq', '>', 0)
      .execute();
    return rows.map((row) => row.org_id);
  }

  /**
   * Grows the stored tree from `fromSize` leaves to `head.size`: writes the tiles the new leaves changed and
   * the new head, in one transaction. Returns false, writing nothing, when the tree is no longer `fromSize`
   * leaves (another process grew it meanwhile), so two writers never interleave their nodes.
   */
  async extend(orgId: string, fromSize: number, head: StoredTreeHead, tiles: readonly Tile[]): Promise<boolean> {
    return (await this.extendMany([{ orgId, fromSize, head, tiles }])).has(orgId);
  }

  /**
   * `extend` for several organizations in one transaction: the checkpointer grows every tree behind its log
   * in one go, so it waits for the database's write lock once a round, not once per organization (under full
   * ingest each wait is a group commit). Returns the organizations whose tree was grown.
   */
  async extendMany(extensions: readonly TreeExtension[]): Promise<Set<string>> {
    if (extensions.length === 0) return new Set();
    return this.db.transaction().execute(async (tx) => {
      const grown = new Set<string>();
      for (const { orgId, fromSize, head, tiles } of extensions) {
        const moved = fromSize === 0 ? await this.#claimNewTree(tx, orgId, head) : await this.#moveHead(tx, orgId, fromSize, head);
        if (!moved) continue;
        grown.add(orgId);
        for (let i = 0; i < tiles.length; i += TILE_ROWS_PER_INSERT) {
          await tx
            .insertInto('merkle_tiles')
            .values(
              tiles
                .slice(i, i + TILE_ROWS_PER_INSERT)
                .map((tile) => ({ org_id: orgId, level: tile.level, idx: tile.index, hashes: blob(tile.hashes) })),
            )
            // A grown partial tile replaces the one stored; the head moved above says no one else writes it.
            .onConflict((oc) => oc.columns(['org_id', 'level', 'idx']).doUpdateSet((eb) => ({ hashes: eb.ref('excluded.hashes') })))
            .execute();
        }
      }
      return grown;
    });
  }

  async #claimNewTree(tx: Transaction<AttestDatabase>, orgId: string, head: StoredTreeHead): Promise<boolean> {
    const inserted = await tx
      .insertInto('merkle_tree_heads')
      .values({ org_id: orgId, tree_size: head.size, edge: JSON.stringify(head.edge) })
      .onConflict((oc) => oc.column('org_id').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async #moveHead(tx: Transaction<AttestDatabase>, orgId: string, fromSize: number, head: StoredTreeHead): Promise<boolean> {
    const updated = await tx
      .updateTable('merkle_tree_heads')
      .set({ tree_size: head.size, edge: JSON.stringify(head.edge) })
      .where('org_id', '=', orgId)
      .where('tree_size', '=', fromSize)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }

  /** The stored tiles of `orgId`'s tree at `addresses`, in the order asked; undefined for a tile not stored. */
  async tiles(orgId: string, addresses: readonly TileAddress[]): Promise<Array<Uint8Array | undefined>> {
    const found = new Map<string, Uint8Array>();
    const wanted = [...new Map(addresses.map((tile) => [`${tile.level}:${tile.index}`, tile])).values()];
    if (wanted.length > 0) {
      const rows = await this.readDb
        .selectFrom('merkle_tiles')
        .select(['level', 'idx', 'hashes'])
        .where('org_id', '=', orgId)
        // A row-value list, not an OR of (level, idx) pairs: SQLite searches the primary key once per pair for
        // it, but answered the OR by scanning every row of the organization.
        // The casts give PostgreSQL the parameters' types, which it cannot infer inside VALUES.
        .where(
          sql<boolean>`(level, idx) in (values ${sql.join(wanted.map((tile) => sql`(cast(${tile.level} as integer), cast(${tile.index} as bigint))`))})`,
        )
        .execute();
      for (const row of rows) found.set(`${row.level}:${Number(row.idx)}`, row.hashes);
    }
    return addresses.map(({ level, index }) => found.get(`${level}:${index}`));
  }

  /** How many tile rows `orgId`'s tree takes, and the bytes of their hashes. */
  async tileStatistics(orgId: string): Promise<{ storedTiles: number; storedBytes: number }> {
    const row = await this.readDb
      .selectFrom('merkle_tiles')
      .select((eb) => [eb.fn.countAll().as('tiles'), eb.fn.sum(eb.fn('length', ['hashes'])).as('bytes')])
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    return { storedTiles: Number(row?.tiles ?? 0), storedBytes: Number(row?.bytes ?? 0) };
  }

  /** The tree's own copy of the leaf hashes (hex) from `fromIndex` on, at most `limit`, in order; a missing tile leaves a gap. */
  async treeLeaves(orgId: string, fromIndex: number, limit: number): Promise<Array<{ index: number; hash: string }>> {
    if (limit <= 0) return [];
    const end = fromIndex + limit;
    const rows = await this.readDb
      .selectFrom('merkle_tiles')
      .select(['idx', 'hashes'])
      .where('org_id', '=', orgId)
      .where('level', '=', 0)
      .where('idx', '>=', Math.floor(fromIndex / TILE_WIDTH))
      .where('idx', '<', Math.ceil(end / TILE_WIDTH))
      .orderBy('idx')
      .execute();
    const leaves: Array<{ index: number; hash: string }> = [];
    for (const row of rows) {
      const first = Number(row.idx) * TILE_WIDTH;
      for (let i = Math.max(0, fromIndex - first); i < tileWidth(row.hashes) && first + i < end; i += 1)
        leaves.push({ index: first + i, hash: toHex(tileHash(row.hashes, i)) });
    }
    return leaves;
  }

  /** The stored events from `fromSeq` on, at most `limit`, in seq order: seq, leaf hash and the canonical record. */
  async storedRecords(orgId: string, fromSeq: number, limit: number): Promise<Array<{ seq: number; leafHash: string; record: string }>> {
    const rows = await this.readDb
      .selectFrom('audit_events')
      .select(['seq', 'leaf_hash', 'record'])
      .where('org_id', '=', orgId)
      .where('seq', '>=', fromSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ seq: Number(row.seq), leafHash: row.leaf_hash, record: row.record }));
  }

  /**
   * Runs `work` in `orgId`'s signing turn: a transaction that no other process's signing turn of the same
   * organization overlaps, given the tree's head and latest checkpoint as they stand in it, and a `save` that
   * stores a checkpoint in it. With several processes on one PostgreSQL exactly one signs an organization's
   * checkpoint at a time: the turn locks the organization's tree head row, and a process that finds it locked
   * skips (`FOR UPDATE SKIP LOCKED`): the holder signs, and the next round looks again. The head row lock
   * also holds `extend` back, so the tree signed is the tree stored. SQLite signs before its short write
   * transaction and stores a checkpoint only if no other came first (`#signingTurnsThenCommit`). Returns `{ taken: false }` when another
   * process has the turn, or the organization has no tree yet.
   */
  async withSigningTurn<T>(orgId: string, work: (turn: SigningTurn) => Promise<T>): Promise<{ taken: true; value: T } | { taken: false }> {
    const turns = await this.withSigningTurns([orgId], work);
    return turns.has(orgId) ? { taken: true, value: turns.get(orgId) as T } : { taken: false };
  }

  /**
   * `withSigningTurn` for several organizations in one transaction (one wait for the write lock a round):
   * `work` runs for each organization whose turn this process got, one after another; returns what it
   * returned, by organization. A `work` that throws rolls back the turns of all, so the caller catches what
   * one organization's turn may throw.
   */
  async withSigningTurns<T>(
    orgIds: readonly string[],
    work: (turn: SigningTurn & { orgId: string }) => Promise<T>,
  ): Promise<Map<string, T>> {
    const results = new Map<string, T>();
    if (orgIds.length === 0) return results;
    if (!this.rowLocks) return this.#signingTurnsThenCommit(orgIds, work);
    await this.db.transaction().execute(async (tx) => {
      const heads = await tx
        .selectFrom('merkle_tree_heads')
        .select(['org_id', 'tree_size', 'edge'])
        .where('org_id', 'in', orgIds)
        .orderBy('org_id')
        .$if(this.rowLocks, (query) => query.forUpdate().skipLocked())
        .execute();
      for (const head of heads) {
        const orgId = head.org_id;
        const latest = await tx
          .selectFrom('log_checkpoints')
          .selectAll()
          .where('org_id', '=', orgId)
          .orderBy('tree_size', 'desc')
          .limit(1)
          .executeTakeFirst();
        const value = await work({
          orgId,
          head: { size: Number(head.tree_size), edge: JSON.parse(head.edge) as string[] },
          latest: latest && checkpointOfRow(latest),
          save: async (checkpoint) => {
            await tx.insertInto('log_checkpoints').values(checkpointRow(checkpoint)).execute();
          },
        });
        results.set(orgId, value);
      }
    });
    return results;
  }

  /**
   * The signing turns on SQLite, whose write transaction holds the whole database: `work` (proving and signing,
   * with awaits that let the event loop run on) happens before it, on the head and latest checkpoint as read,
   * and only the checkpoints it saved are written in a short transaction, each if the organization's latest
   * checkpoint is still the one `work` was given. Held across `work`, the write lock kept the append thread
   * from committing for a median 190 ms a round under full ingest. A tree grown meanwhile does not matter: the
   * tree of the size read stays what it was. An organization whose latest checkpoint changed meanwhile (another
   * process on the file signed) is left out of the result, as a turn another process had.
   */
  async #signingTurnsThenCommit<T>(
    orgIds: readonly string[],
    work: (turn: SigningTurn & { orgId: string }) => Promise<T>,
  ): Promise<Map<string, T>> {
    const results = new Map<string, T>();
    const saved = new Map<string, { latestSize: number | undefined; checkpoints: StoredCheckpoint[] }>();
    const heads = await this.heads(orgIds);
    // The organizations' turns side by side: each awaits a signature (a round trip to the thread pool), and
    // one after another they waited for a busy event loop ten times a round.
    await Promise.all(
      [...heads.keys()].sort().map(async (orgId) => {
        const latest = await this.latestCheckpoint(orgId);
        const checkpoints: StoredCheckpoint[] = [];
        const value = await work({
          orgId,
          head: heads.get(orgId)!,
          latest,
          save: (checkpoint) => {
            checkpoints.push(checkpoint);
            return Promise.resolve();
          },
        });
        results.set(orgId, value);
        if (checkpoints.length > 0) saved.set(orgId, { latestSize: latest?.treeSize, checkpoints });
      }),
    );
    if (saved.size === 0) return results;
    await this.db.transaction().execute(async (tx) => {
      for (const [orgId, { latestSize, checkpoints }] of saved) {
        const now = await tx
          .selectFrom('log_checkpoints')
          .select((eb) => eb.fn.max('tree_size').as('size'))
          .where('org_id', '=', orgId)
          .executeTakeFirst();
        const nowSize = now?.size === null || now?.size === undefined ? undefined : Number(now.size);
        if (nowSize !== latestSize) {
          results.delete(orgId);
          continue;
        }
        await tx.insertInto('log_checkpoints').values(checkpoints.map(checkpointRow)).execute();
      }
    });
    return results;
  }

  /** Stores a signed checkpoint; false when one of that size is already stored (the tree is deterministic: it says the same). */
  async saveCheckpoint(checkpoint: StoredCheckpoint): Promise<boolean> {
    const inserted = await this.db
      .insertInto('log_checkpoints')
      .values(checkpointRow(checkpoint))
      .onConflict((oc) => oc.columns(['org_id', 'tree_size']).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  /** The checkpoint of the largest tree of `orgId`, if any was signed. */
  async latestCheckpoint(orgId: string): Promise<StoredCheckpoint | undefined> {
    const row = await this.db
      .selectFrom('log_checkpoints')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('tree_size', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && checkpointOfRow(row);
  }

  /** The checkpoint of `orgId`'s tree of exactly `treeSize` leaves, if one was signed. */
  async checkpointOfSize(orgId: string, treeSize: number): Promise<StoredCheckpoint | undefined> {
    const row = await this.readDb
      .selectFrom('log_checkpoints')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('tree_size', '=', treeSize)
      .executeTakeFirst();
    return row && checkpointOfRow(row);
  }

  /** Every kept checkpoint of `orgId`, smallest tree first. */
  async checkpoints(orgId: string): Promise<StoredCheckpoint[]> {
    const rows = await this.readDb.selectFrom('log_checkpoints').selectAll().where('org_id', '=', orgId).orderBy('tree_size').execute();
    return rows.map(checkpointOfRow);
  }

  /** The runs of `orgId`'s log that retention purged, in seq order. */
  async prunedRanges(orgId: string): Promise<PrunedRange[]> {
    const rows = await this.readDb.selectFrom('log_pruned_ranges').selectAll().where('org_id', '=', orgId).orderBy('first_seq').execute();
    return rows.map((row) => ({
      firstSeq: Number(row.first_seq),
      lastSeq: Number(row.last_seq),
      firstPrunedAt: Number(row.first_pruned_at),
      lastPrunedAt: Number(row.last_pruned_at),
    }));
  }

  /** The organizations with a checkpoint signed before `beforeMs`: the ones checkpoint pruning looks at. */
  async organizationsWithCheckpointsBefore(beforeMs: number): Promise<string[]> {
    const rows = await this.readDb.selectFrom('log_checkpoints').select('org_id').distinct().where('signed_at', '<', beforeMs).execute();
    return rows.map((row) => row.org_id);
  }

  /**
   * Drops the checkpoints of `orgId` signed before `recentFromMs` that are neither its latest nor the last
   * checkpoint of their clock hour (UTC) since `keepFromMs`: what is left is at least one checkpoint per hour of
   * the retention period, every checkpoint of the last hour, and the latest. Returns how many were dropped.
   */
  async pruneCheckpoints(orgId: string, keepFromMs: number, recentFromMs: number): Promise<number> {
    const deleted = await this.db
      .deleteFrom('log_checkpoints')
      .where('org_id', '=', orgId)
      .where('signed_at', '<', recentFromMs)
      .where('tree_size', '<', (eb) =>
        eb
          .selectFrom('log_checkpoints')
          .select((s) => s.fn.max('tree_size').as('m'))
          .where('org_id', '=', orgId),
      )
      .where('tree_size', 'not in', (eb) =>
        eb
          .selectFrom('log_checkpoints')
          .select((s) => s.fn.max('tree_size').as('m'))
          .where('org_id', '=', orgId)
          .where('signed_at', '>=', keepFromMs)
          // Integer division on both databases: bigint / integer truncates in PostgreSQL and SQLite alike.
          .groupBy(sql`signed_at / ${sql.lit(HOUR_MS)}`),
      )
      .executeTakeFirst();
    return Number(deleted.numDeletedRows);
  }

  /**
   * Publishes `vkey` as the key in use from `now`, unless it already is listed; a key in use before it is
   * marked as used until `now`, and stays listed for the checkpoints it signed.
   */
  async publishKey(vkey: string, now: number): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      // Processes sharing the store and the key file start together: the first insert wins, and the others,
      // finding the key listed, change nothing (a plain read-then-insert let both insert, and one failed).
      const inserted = await tx
        .insertInto('log_keys')
        .values({ vkey, valid_from: now, valid_until: null })
        .onConflict((conflict) => conflict.column('vkey').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return;
      await tx.updateTable('log_keys').set({ valid_until: now }).where('valid_until', 'is', null).where('vkey', '<>', vkey).execute();
    });
  }

  /** Every published verifier key, newest first. */
  async keys(): Promise<StoredLogKey[]> {
    const rows = await this.readDb.selectFrom('log_keys').selectAll().orderBy('valid_from', 'desc').execute();
    return rows.map((row) => ({
      vkey: row.vkey,
      validFrom: Number(row.valid_from),
      validUntil: row.valid_until === null ? null : Number(row.valid_until),
    }));
  }
}

/** The bytes as a Buffer view, which both drivers bind as a BLOB / bytea. */
function blob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function checkpointRow(checkpoint: StoredCheckpoint): AttestDatabase['log_checkpoints'] {
  return {
    org_id: checkpoint.orgId,
    tree_size: checkpoint.treeSize,
    root_hash: checkpoint.rootHash,
    note: checkpoint.note,
    signed_at: checkpoint.signedAt,
  };
}

function checkpointOfRow(row: { org_id: string; tree_size: number; root_hash: string; note: string; signed_at: number }): StoredCheckpoint {
  return { orgId: row.org_id, treeSize: Number(row.tree_size), rootHash: row.root_hash, note: row.note, signedAt: Number(row.signed_at) };
}
