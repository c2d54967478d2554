import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventRecord } from '../../src/events/audit-event.js';
import { canonicalRecordJson, type HashedRecord } from '../../src/events/canonical-record.js';
import { leafHash } from '../../src/events/leaf-hash.js';
import { fromHex, toHex } from '../../src/integrity/bytes.js';
import { checkpointOrigin } from '../../src/integrity/checkpoint.js';
import { inclusionProof } from '../../src/integrity/inclusion-proof.js';
import { MemoryMerkleTree } from '../../src/integrity/memory-merkle-tree.js';
import { MerkleHasher } from '../../src/integrity/merkle-hasher.js';
import { generateSignerKey, parseSignerKey, type NoteSigner } from '../../src/integrity/note-keys.js';
import { signCheckpoint } from '../../src/integrity/signed-checkpoint.js';
import {
  recordLeafHash,
  verifyEventProof,
  type InclusionProofAnswer,
  type LogKeysAnswer,
} from '../../web/src/features/audit-logs/proof/verify-event-proof.js';

/**
 * The check the Activity Details panel runs in the browser (web/src/features/audit-logs/proof/), here on
 * Node's WebCrypto with answers built as the server builds them: records hashed by the server's own canonical
 * form, a tree, a checkpoint signed by a generated log key. The Chromium test shows it on the page; this one
 * walks every way a proof can fail to hold and checks each is refused with its reason.
 */

const ORG = '0190a5b4-0000-7000-8000-000000000001';
const LOG_NAME = 'attest.test';
const hasher = new MerkleHasher();

function record(seq: number): AuditEventRecord {
  const hashed: HashedRecord = {
    logId: `0190a5b4-1c2d-7e3f-8a4b-${String(seq).padStart(12, '0')}`,
    orgId: ORG,
    seq,
    product: 'UserManagement',
    type: 'user.standard.added',
    action: 'Create',
    activity: 'Added a standard user',
    description: `Added user ${seq}`,
    securityAction: false,
    occurredAt: '2026-11-25T10:00:00.000Z',
    recordedAt: '2026-11-25T10:00:00.123Z',
    actor: { id: 'u-1', type: 'user', name: 'Ana', email: 'ana@example.com' },
    entity: { id: `u-${seq}`, type: 'user', name: `User ${seq}`, product: 'UserManagement' },
    metadata: { '10': 'ten', '9': 'nine', seq },
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    expiresAt: '2027-02-23T10:00:00.000Z',
  };
  // As the API hands it out: the stored canonical JSON with leafHash added as the last member.
  const json = canonicalRecordJson(hashed);
  return JSON.parse(`${json.slice(0, -1)},"leafHash":"${leafHash(json)}"}`) as AuditEventRecord;
}

describe('the page’s proof check', () => {
  const records = Array.from({ length: 11 }, (_, seq) => record(seq));
  let signer: NoteSigner;
  let keys: LogKeysAnswer;

  async function proofOf(seq: number, options: { size?: number; origin?: string; by?: NoteSigner } = {}): Promise<InclusionProofAnswer> {
    const size = options.size ?? records.length;
    const tree = await MemoryMerkleTree.fromLeafHashes(
      records.slice(0, size).map((r) => fromHex(r.leafHash)!),
      hasher,
    );
    const checkpoint = await signCheckpoint(
      { origin: options.origin ?? checkpointOrigin(LOG_NAME, ORG), size, rootHash: await tree.root() },
      options.by ?? signer,
    );
    const hashes = await inclusionProof(seq, size, tree, hasher);
    return { seq, leafHash: records[seq]!.leafHash, treeSize: size, hashes: hashes.map(toHex), checkpoint };
  }

  beforeAll(async () => {
    signer = await parseSignerKey(await generateSignerKey(LOG_NAME));
    keys = { keys: [{ vkey: signer.verifierKey, validFrom: '2026-11-01T00:00:00.000Z', validUntil: null }] };
  });

  it('recomputes each record’s leaf hash from what the API shows, integer-like metadata keys included', async () => {
    for (const r of records) expect(await recordLeafHash(r)).toBe(r.leafHash);
  });

  it('proves every event in the latest checkpoint and in an earlier one, naming the checkpoint and the key', async () => {
    for (const seq of [0, 5, 10]) {
      expect(await verifyEventProof(records[seq]!, await proofOf(seq), keys)).toEqual({
        kind: 'proven',
        treeSize: 11,
        keyName: LOG_NAME,
        keyId: signer.verifierKey.split('+')[1],
      });
    }
    expect(await verifyEventProof(records[2]!, await proofOf(2, { size: 3 }), keys)).toMatchObject({ kind: 'proven', treeSize: 3 });
    // An older key still listed (a rotation) proves what it signed.
    const older = await parseSignerKey(await generateSignerKey(LOG_NAME));
    const both: LogKeysAnswer = {
      keys: [...keys.keys, { vkey: older.verifierKey, validFrom: '2026-10-01T00:00:00.000Z', validUntil: null }],
    };
    expect(await verifyEventProof(records[4]!, await proofOf(4, { by: older }), both)).toMatchObject({ kind: 'proven' });
  });

  it('refuses, with the reason, a proof that does not hold', async () => {
    const good = await proofOf(3);
    const shown = records[3]!;
    const flipped = (hex: string) => `${hex[0] === '0' ? '1' : '0'}${hex.slice(1)}`;
    const cases: [what: string, run: () => Promise<unknown>, reason: string | RegExp][] = [
      [
        'a record whose contents changed',
        () => verifyEventProof({ ...shown, description: 'Nothing happened' }, good, keys),
        'the record shown does not hash to its leafHash: its contents were changed',
      ],
      [
        'a record whose leaf hash was rewritten to match nothing',
        () => verifyEventProof({ ...shown, leafHash: flipped(shown.leafHash) }, good, keys),
        'the record shown does not hash to its leafHash: its contents were changed',
      ],
      [
        'another leaf’s proof',
        async () => verifyEventProof(shown, { ...(await proofOf(4)), seq: 3 }, keys),
        `the proof is for leaf hash ${records[4]!.leafHash}, not this record's ${shown.leafHash}`,
      ],
      ['another position', () => verifyEventProof(shown, { ...good, seq: 4 }, keys), "the proof is for seq 4, not this record's 3"],
      ['no published key', () => verifyEventProof(shown, good, { keys: [] }), 'the log publishes no verifier key'],
      [
        'a checkpoint by a key the log does not publish',
        async () => verifyEventProof(shown, await proofOf(3, { by: await parseSignerKey(await generateSignerKey(LOG_NAME)) }), keys),
        'no trusted key signed the note',
      ],
      [
        'another organization’s checkpoint',
        async () => verifyEventProof(shown, await proofOf(3, { origin: checkpointOrigin(LOG_NAME, 'another-org') }), keys),
        `the checkpoint is of log ${LOG_NAME}/another-org, not ${LOG_NAME}/${ORG}`,
      ],
      [
        'a proof claiming another tree size than its checkpoint',
        () => verifyEventProof(shown, { ...good, treeSize: 12 }, keys),
        'the proof is for a tree of 12 events, its checkpoint of 11',
      ],
      [
        'a flipped proof hash',
        () => verifyEventProof(shown, { ...good, hashes: [flipped(good.hashes[0]!), ...good.hashes.slice(1)] }, keys),
        /^the proof leads to root [0-9a-f]{64}, expected [0-9a-f]{64}$/,
      ],
      [
        'a proof hash short',
        () => verifyEventProof(shown, { ...good, hashes: good.hashes.slice(1) }, keys),
        `the proof has ${good.hashes.length - 1} hashes, the tree shape calls for ${good.hashes.length}`,
      ],
      [
        'a proof hash that is not hex',
        () => verifyEventProof(shown, { ...good, hashes: [...good.hashes.slice(0, -1), 'zz'] }, keys),
        `proof hash ${good.hashes.length - 1} is not hex`,
      ],
      [
        'a proof hash of the wrong length',
        () => verifyEventProof(shown, { ...good, hashes: ['00', ...good.hashes.slice(1)] }, keys),
        'proof hash 0 is 1 bytes long, a SHA-256 hash is 32',
      ],
      ['a malformed verifier key', () => verifyEventProof(shown, good, { keys: [{ ...keys.keys[0]!, vkey: 'nonsense' }] }), /verifier key/],
    ];
    for (const [what, run, reason] of cases) {
      const verdict = (await run()) as { kind: string; reason?: string };
      expect(verdict.kind, what).toBe('failed');
      if (typeof reason === 'string') expect(verdict.reason, what).toBe(reason);
      else expect(verdict.reason, what).toMatch(reason);
    }
  });
});
