import { createHash } from 'node:crypto';
import { Migrator, sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { newId } from '../../src/core/ids.js';
import { nodeMerkleHasher } from '../../src/core/node-merkle-hasher.js';
import { LogCheckpointer } from '../../src/features/integrity/log-checkpointer.js';
import { verifyOrganizationLog } from '../../src/features/integrity/verify-organization-log.js';
import { fromHex, toHex } from '../../src/integrity/bytes.js';
import { checkpointOrigin } from '../../src/integrity/checkpoint.js';
import { CompactRange, type TreeNode } from '../../src/integrity/compact-range.js';
import { consistencyProof } from '../../src/integrity/consistency-proof.js';
import { inclusionProof } from '../../src/integrity/inclusion-proof.js';
import { MemoryMerkleTree } from '../../src/integrity/memory-merkle-tree.js';
import { generateSignerKey, parseSignerKey } from '../../src/integrity/note-keys.js';
import { signCheckpoint } from '../../src/integrity/signed-checkpoint.js';
import { treeRoot } from '../../src/integrity/subtree-hashes.js';
import { AttestStore } from '../../src/store/attest-store.js';
import type { AttestDatabase } from '../../src/store/database-schema.js';
import { appendEventsInTransaction } from '../../src/store/event-log-writer.js';
import { migrationProvider } from '../../src/store/migrations/migration-list.js';
import { openPostgresStoreDialect } from '../../src/store/postgres/postgres-store-dialect.js';
import { openSqliteStoreDialect } from '../../src/store/sqlite/sqlite-store-dialect.js';
import type { StoreDialect } from '../../src/store/store-dialect.js';
import { storedSubtrees } from '../../src/store/stored-subtrees.js';
import { preparedEvents } from '../support/prepared-events.js';
import { storeMatrix } from '../support/store-matrix.js';
import { freshStoreLocation, TEST_POSTGRES_URL, type FreshStoreLocation, type StoreKind } from '../support/test-stores.js';

// A store whose trees migration 0008 wrote (a row per complete node, hex) is converted to tiles by migration
// 0012 when a newer version opens it: proofs, roots, signed checkpoints and `attest verify --org` hold as
// before, and the trees grow on from where they stopped.

const LOG_NAME = 'attest.test';

function openDialect(kind: StoreKind, location: FreshStoreLocation): StoreDialect {
  return kind === 'sqlite'
    ? openSqliteStoreDialect(location.databaseUrl.slice('sqlite:'.length))
    : openPostgresStoreDialect({ connectionString: TEST_POSTGRES_URL, schema: location.schema, maxConnections: 3 });
}

async function migrateTo(kind: StoreKind, location: FreshStoreLocation, dialect: StoreDialect, name: string): Promise<void> {
  await dialect.prepare?.();
  const migrator = new Migrator({
    db: dialect.db,
    provider: migrationProvider,
    ...(kind === 'postgres' ? { migrationTableSchema: location.schema } : {}),
  });
  const migrated = await migrator.migrateTo(name);
  expect(migrated.error).toBeUndefined();
}

/** Stores a tree over `leaves` the way migration 0008's code did: every complete node a row, its head with the edge. */
async function writeOldTree(db: Kysely<AttestDatabase>, orgId: string, leaves: readonly Uint8Array[]): Promise<string> {
  const edge = new CompactRange(nodeMerkleHasher);
  const nodes: TreeNode[] = [];
  for (const leaf of leaves) await edge.append(leaf, (node) => nodes.push(node));
  const old = db as unknown as Kysely<{ merkle_nodes: { org_id: string; level: number; idx: number; hash: string } }>;
  for (let i = 0; i < nodes.length; i += 500) {
    await old
      .insertInto('merkle_nodes')
      .values(nodes.slice(i, i + 500).map((node) => ({ org_id: orgId, level: node.level, idx: node.index, hash: toHex(node.hash) })))
      .execute();
  }
  await db
    .insertInto('merkle_tree_heads')
    .values({ org_id: orgId, tree_size: edge.size, edge: JSON.stringify(edge.hashes.map(toHex)) })
    .execute();
  return toHex(await edge.root());
}

const syntheticLeaf = (i: number): Uint8Array => new Uint8Array(createHash('sha256').update(`leaf ${i}`).digest());

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`migration 0012 turns the stored Merkle nodes into tiles (${kind})`, () => {
    let location: FreshStoreLocation | undefined;
    afterEach(async () => {
      await location?.remove();
    });

    it('keeps every root, proof and signed checkpoint, and the trees grow on', { timeout: 120_000 }, async () => {
      location = freshStoreLocation(kind);
      const [logged, big] = [newId(), newId()];
      const signer = await parseSignerKey(await generateSignerKey(LOG_NAME));

      const old = openDialect(kind, location);
      await migrateTo(kind, location, old, '0011-pruned-log-ranges');
      // An organization with a log of 600 events, its tree and a signed checkpoint of it.
      await old.db
        .transaction()
        .execute((tx) => appendEventsInTransaction(tx, old, preparedEvents(logged, 600, Date.now() - 600_000), systemClock));
      const leafRows = await old.db.selectFrom('audit_events').select('leaf_hash').where('org_id', '=', logged).orderBy('seq').execute();
      const loggedRoot = await writeOldTree(
        old.db,
        logged,
        leafRows.map((row) => fromHex(row.leaf_hash)!),
      );
      const note = await signCheckpoint({ origin: checkpointOrigin(LOG_NAME, logged), size: 600, rootHash: fromHex(loggedRoot)! }, signer);
      await old.db
        .insertInto('log_checkpoints')
        .values({ org_id: logged, tree_size: 600, root_hash: loggedRoot, note, signed_at: Date.now() })
        .execute();
      await old.db.insertInto('log_keys').values({ vkey: signer.verifierKey, valid_from: 0, valid_until: null }).execute();
      // A tree past 2^16 leaves, so that tiles of three levels (tree levels 0, 8 and 16) come out of it.
      const bigLeaves = Array.from({ length: 65_536 + 700 }, (_, i) => syntheticLeaf(i));
      const bigRoot = await writeOldTree(old.db, big, bigLeaves);
      await old.close();

      const store = await AttestStore.open(openDialect(kind, location));
      try {
        const tables = await store.db.introspection.getTables();
        expect(tables.map((table) => table.name)).not.toContain('merkle_nodes');
        // 65,536 + 700 leaves: 259 tiles of leaves (the last 188 wide), 258 nodes of level 8 (2 tiles), 1 of level 16;
        // a tile holds its nodes of eight levels: 510 hashes when full, 2 + 1 when 2 wide.
        const tiles = await store.db.selectFrom('merkle_tiles').select(['level', 'idx', 'hashes']).where('org_id', '=', big).execute();
        expect(tiles.filter((tile) => tile.level === 0)).toHaveLength(259);
        expect(tiles.filter((tile) => tile.level === 1).map((tile) => tile.hashes.length / 32)).toEqual([510, 3]);
        expect(tiles.filter((tile) => tile.level === 2).map((tile) => tile.hashes.length / 32)).toEqual([1]);

        const memory = await MemoryMerkleTree.fromLeafHashes(bigLeaves, nodeMerkleHasher);
        const source = storedSubtrees(store, big);
        expect(toHex(await treeRoot(bigLeaves.length, source, nodeMerkleHasher))).toBe(bigRoot);
        for (const [index, size] of [
          [0, bigLeaves.length],
          [255, bigLeaves.length],
          [65_535, bigLeaves.length],
          [66_235, bigLeaves.length],
          [40_000, 65_537],
          [7, 300],
        ] as const) {
          const stored = await inclusionProof(index, size, source, nodeMerkleHasher);
          expect(stored.map(toHex)).toEqual((await inclusionProof(index, size, memory, nodeMerkleHasher)).map(toHex));
        }
        for (const [from, to] of [
          [1, bigLeaves.length],
          [256, 65_536],
          [65_535, 66_001],
          [1000, 1001],
        ] as const) {
          const stored = await consistencyProof(from, to, source, nodeMerkleHasher);
          expect(stored.map(toHex)).toEqual((await consistencyProof(from, to, memory, nodeMerkleHasher)).map(toHex));
        }

        // The converted tree of the log verifies against its checkpoint, and grows on consistently with it.
        expect(await verifyOrganizationLog(store, logged, LOG_NAME)).toMatchObject({ ok: true, eventsChecked: 600, checkpointsChecked: 1 });
        await store.appendEvents(preparedEvents(logged, 100, Date.now() - 60_000));
        const checkpointer = new LogCheckpointer(store, signer, LOG_NAME);
        expect((await checkpointer.checkpointOrganization(logged))?.treeSize).toBe(700);
        expect(await verifyOrganizationLog(store, logged, LOG_NAME)).toMatchObject({ ok: true, eventsChecked: 700, checkpointsChecked: 2 });
      } finally {
        await store.close();
      }
    });

    it('stops, naming the tree, when a node the tree should hold is missing', async () => {
      location = freshStoreLocation(kind);
      const orgId = newId();
      const old = openDialect(kind, location);
      await migrateTo(kind, location, old, '0011-pruned-log-ranges');
      await writeOldTree(
        old.db,
        orgId,
        Array.from({ length: 20 }, (_, i) => syntheticLeaf(i)),
      );
      await sql`delete from merkle_nodes where level = 0 and idx = 13`.execute(old.db);
      const migrator = new Migrator({
        db: old.db,
        provider: migrationProvider,
        ...(kind === 'postgres' ? { migrationTableSchema: location.schema } : {}),
      });
      const { error } = await migrator.migrateToLatest();
      expect(String(error)).toContain(`the Merkle tree of ${orgId} (20 leaves) lacks nodes 0–19 of level 0`);
      await old.close();
    });
  });
}
