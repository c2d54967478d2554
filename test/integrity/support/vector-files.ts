import { toHex } from '../../../src/integrity/bytes.js';
import { noteForgeries } from './note-corruptions.js';
import { consistencyForgeries, inclusionForgeries, type Forgery } from './proof-corruptions.js';
import { ReferenceTree, syntheticLeafHashes } from './rfc9162-reference.js';

/**
 * The known-answer vector files under test/integrity/vectors/ that are generated rather than published:
 * proofs from the reference tree, then their forgeries from the corrupting generator. The test regenerates
 * them and compares, so the files can be read by anyone (or any other implementation) and never drift;
 * `UPDATE_VECTORS=1` rewrites them.
 */

const LEAVES = syntheticLeafHashes(16);
const INCLUSION_CASES: ReadonlyArray<[index: number, size: number]> = [
  [0, 1],
  [0, 2],
  [1, 2],
  [2, 3],
  [4, 7],
  [6, 7],
  [0, 8],
  [5, 8],
  [15, 16],
];
const CONSISTENCY_CASES: ReadonlyArray<[oldSize: number, newSize: number]> = [
  [1, 1],
  [1, 2],
  [2, 3],
  [3, 7],
  [4, 7],
  [6, 8],
  [7, 16],
];

/** The files keep the flips of a hash's first and last byte; the test suite itself flips every byte. */
const keptInFile = <Claim>(forgery: Forgery<Claim>): boolean => !/byte (?!0 |31 )\d+ flipped/.test(forgery.description);

export function inclusionVectorFile(): object {
  const cases = INCLUSION_CASES.flatMap(([index, size]) => {
    const reference = new ReferenceTree(LEAVES.slice(0, size));
    const good = { index, size, leafHash: LEAVES[index]!, proof: reference.inclusionPath(index), root: reference.root() };
    const forgeries = [...inclusionForgeries(good, LEAVES[(index + 1) % Math.max(size, 2)]!)].filter(keptInFile);
    return [
      { description: `happy path: leaf ${index} of ${size}`, claim: good, expectedError: null },
      ...forgeries.map((f) => ({ ...f, description: `leaf ${index} of ${size}: ${f.description}` })),
    ].map(({ description, claim, expectedError }) => ({
      description,
      index: claim.index,
      size: claim.size,
      leafHash: toHex(claim.leafHash),
      hashes: claim.proof.map(toHex),
      root: toHex(claim.root),
      expectedError,
    }));
  });
  return {
    description:
      'RFC 9162 inclusion proofs over the leaf hashes SHA-256(0x00 ‖ "leaf i"): a valid proof per case, then forgeries of it made by the corrupting generator, each with the error a verifier must give (null: it verifies). Hashes are hex.',
    cases,
  };
}

export function consistencyVectorFile(): object {
  const cases = CONSISTENCY_CASES.flatMap(([oldSize, newSize]) => {
    const reference = new ReferenceTree(LEAVES.slice(0, newSize));
    const good = {
      oldSize,
      newSize,
      oldRoot: reference.root(0, oldSize),
      newRoot: reference.root(),
      proof: reference.consistencyProof(oldSize),
    };
    const forgeries = [...consistencyForgeries(good)].filter(keptInFile);
    return [
      { description: `happy path: ${oldSize} → ${newSize}`, claim: good, expectedError: null },
      ...forgeries.map((f) => ({ ...f, description: `${oldSize} → ${newSize}: ${f.description}` })),
    ].map(({ description, claim, expectedError }) => ({
      description,
      oldSize: claim.oldSize,
      newSize: claim.newSize,
      oldRoot: toHex(claim.oldRoot),
      newRoot: toHex(claim.newRoot),
      hashes: claim.proof.map(toHex),
      expectedError,
    }));
  });
  return {
    description:
      'RFC 9162 consistency proofs over the leaf hashes SHA-256(0x00 ‖ "leaf i"): a valid proof per pair of sizes, then forgeries of it made by the corrupting generator, each with the error a verifier must give (null: it verifies). Hashes are hex.',
    cases,
  };
}

// Published examples, reproduced as data: golang.org/x/mod/sumdb/note's tests (PeterNeumann, and EnochRoot's
// second signature of the same text) and the example of the C2SP signed-note specification.
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIGNATURE =
  '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIGNATURE = '\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
const SPEC_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const SPEC_TEXT = 'This is an example message.\n';
const SPEC_NOTE = `${SPEC_TEXT}\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n`;
const GO_NOTE = `${GO_TEXT}\n${PETER_SIGNATURE}`;

export function signedNoteVectorFile(): object {
  const good = [
    {
      description: 'the Go note package example, verified by its key',
      note: GO_NOTE,
      verifierKeys: [PETER_VKEY],
      expectedText: GO_TEXT,
      expectedError: null,
    },
    {
      description: 'the C2SP signed-note specification example, verified by its key',
      note: SPEC_NOTE,
      verifierKeys: [SPEC_VKEY],
      expectedText: SPEC_TEXT,
      expectedError: null,
    },
    {
      description: 'signed by two keys, either one trusted',
      note: `${GO_NOTE}${ENOCH_SIGNATURE}`,
      verifierKeys: [ENOCH_VKEY],
      expectedText: GO_TEXT,
      expectedError: null,
    },
    {
      description: 'signed by two keys, both trusted',
      note: `${GO_NOTE}${ENOCH_SIGNATURE}`,
      verifierKeys: [PETER_VKEY, ENOCH_VKEY],
      expectedText: GO_TEXT,
      expectedError: null,
    },
    {
      description: 'a signature by an unknown key beside a trusted one is ignored',
      note: `${SPEC_NOTE}\u2014 other.example/key AAAAAAB0ZXN0\n`,
      verifierKeys: [SPEC_VKEY],
      expectedText: SPEC_TEXT,
      expectedError: null,
    },
    {
      description: 'the same signature twice',
      note: `${GO_NOTE}${PETER_SIGNATURE}`,
      verifierKeys: [PETER_VKEY],
      expectedText: GO_TEXT,
      expectedError: null,
    },
    {
      description: 'a valid note, but signed by a key the verifier does not trust',
      note: SPEC_NOTE,
      verifierKeys: [PETER_VKEY],
      expectedText: null,
      expectedError: 'SignatureError',
    },
  ];
  const forged = [
    ...[...noteForgeries(GO_NOTE)].map((f) => ({ ...f, description: `Go example: ${f.description}`, verifierKeys: [PETER_VKEY] })),
    ...[...noteForgeries(SPEC_NOTE)].map((f) => ({ ...f, description: `C2SP example: ${f.description}`, verifierKeys: [SPEC_VKEY] })),
  ].map(({ description, note, verifierKeys, expectedError }) => ({ description, note, verifierKeys, expectedText: null, expectedError }));
  const [name, keyId, key] = PETER_VKEY.split('+') as [string, string, string];
  return {
    description:
      'C2SP signed notes with Ed25519 keys: the published examples (Go note package, C2SP specification), then forgeries of them made by the corrupting generator, each with the error a verifier must give (null: it opens, with that text), and verifier keys that must be refused.',
    signing: [
      {
        description: 'signing the Go example text with its signer key gives the published note (Ed25519 signatures are deterministic)',
        signerKey: PETER_SKEY,
        verifierKey: PETER_VKEY,
        text: GO_TEXT,
        note: GO_NOTE,
      },
    ],
    cases: [...good, ...forged],
    badVerifierKeys: [
      { description: 'a key ID that is not the key\u2019s', verifierKey: `${name}+c74f20a4+${key}`, expectedError: 'FormatError' },
      { description: 'a key ID in upper case', verifierKey: `${name}+${keyId.toUpperCase()}+${key}`, expectedError: 'FormatError' },
      {
        description: 'another name for the same key (the key ID covers the name)',
        verifierKey: `PeterNeuman+${keyId}+${key}`,
        expectedError: 'FormatError',
      },
      {
        description: 'a signature type other than Ed25519',
        verifierKey: `${name}+${keyId}+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW`,
        expectedError: 'FormatError',
      },
      {
        description: 'a key one byte short',
        verifierKey: `${name}+${keyId}+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10Q=`,
        expectedError: 'FormatError',
      },
      { description: 'a missing part', verifierKey: `${name}+${key}`, expectedError: 'FormatError' },
      { description: 'a name with a space', verifierKey: `Peter Neumann+${keyId}+${key}`, expectedError: 'FormatError' },
    ],
  };
}
