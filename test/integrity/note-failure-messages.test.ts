import { describe, expect, it } from 'vitest';
import { concatBytes, toBase64 } from '../../src/integrity/bytes.js';
import {
  formatKeyId,
  formatSignerKey,
  formatVerifierKey,
  generateSignerKey,
  keyIdOf,
  parseSignerKey,
  parseVerifierKey,
  type NoteSigner,
} from '../../src/integrity/note-keys.js';
import { openNote, parseNote, signNote, signatureLine } from '../../src/integrity/signed-note.js';

/**
 * Every refusal of a signed note or a key says what is wrong in words a report can show (the page shows them
 * under "the proof does not verify", `attest verify` prints them): each malformed input here is refused with its
 * exact message, and the edge cases that decide between opening and refusing a note are pinned (a note whose
 * text is a single newline, the same key signing twice, two keys of one name after a rotation).
 */

const DASH = '\u2014 ';
const A_SIGNATURE = `${DASH}attest.example ${toBase64(new Uint8Array(68))}\n`;

async function message(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

/** `note` with one character of its signature (not of its key ID) changed. */
function corruptLastSignature(note: string): string {
  const at = note.length - 10;
  return `${note.slice(0, at)}${note[at] === 'A' ? 'B' : 'A'}${note.slice(at + 1)}`;
}

describe('signed notes: what each refusal says', () => {
  it('names each way a note is malformed', async () => {
    const cases: [note: string, expected: string][] = [
      [`a\tb\n\n${A_SIGNATURE}`, 'a note holds no control characters other than newlines'],
      [`text\n${A_SIGNATURE}`, 'a note has a blank line between its text and its signatures'],
      ['text\n\n', 'a note ends with signature lines, each ending in a newline'],
      [`text\n\n${A_SIGNATURE.slice(0, -1)}`, 'a note ends with signature lines, each ending in a newline'],
      [`text\n\n${A_SIGNATURE.repeat(101)}`, 'a note carries at most 100 signatures, this one 101'],
      [`text\n\n- attest.example AAAA\n`, `a signature line starts with "${DASH}"`],
      [`text\n\n${DASH} ${toBase64(new Uint8Array(68))}\n`, 'the signature line\'s key name "" is empty or holds white space or a +'],
      [`text\n\n${DASH}attest.example !!!!\n`, 'the signature by attest.example is not base64 of a key ID and a signature'],
      [`text\n\n${DASH}attest.example AAAAAA==\n`, 'the signature by attest.example is not base64 of a key ID and a signature'],
    ];
    for (const [note, expected] of cases) expect(await message(() => parseNote(note)), JSON.stringify(note)).toBe(expected);
  });

  it('says whose signature failed, and when no trusted key signed at all', async () => {
    const signer = await parseSignerKey(await generateSignerKey('attest.example'));
    const verifier = await parseVerifierKey(signer.verifierKey);
    const note = await signNote('attest.example/org\n1\n', [signer]);
    expect(await message(() => openNote(corruptLastSignature(note), [verifier]))).toBe(
      `the signature by attest.example+${formatKeyId(signer.keyId)} does not match the note`,
    );
    const stranger = await parseVerifierKey((await parseSignerKey(await generateSignerKey('other.example'))).verifierKey);
    expect(await message(() => openNote(note, [stranger]))).toBe('no trusted key signed the note');
  });

  it('refuses to sign a text without its final newline, or under a key name a note cannot carry', async () => {
    const signer = await parseSignerKey(await generateSignerKey('attest.example'));
    expect(await message(() => signNote('no newline', [signer]))).toBe('a note text ends with a newline');
    expect(await message(() => signNote('text\n', [{ ...signer, name: 'two words' }]))).toBe(
      'the key name "two words" is empty or holds white space or a +',
    );
  });

  it('opens a note whose text is one newline, so the blank line before the signatures is its first character', async () => {
    const signer = await parseSignerKey(await generateSignerKey('attest.example'));
    const note = await signNote('\n', [signer]);
    expect(note.startsWith('\n\n')).toBe(true);
    expect((await openNote(note, [await parseVerifierKey(signer.verifierKey)])).text).toBe('\n');
  });

  it('checks one signature per trusted key: a second copy by the same key is skipped, a second key of the same name is checked', async () => {
    const signer = await parseSignerKey(await generateSignerKey('attest.example'));
    const verifier = await parseVerifierKey(signer.verifierKey);
    const text = 'attest.example/org\n2\n';
    const once = await signNote(text, [signer]);
    // The same key's signature again, damaged: the first already proved the key signed; the copy is not read.
    const twice = `${once}${corruptLastSignature(signatureLine(signer, await signer.sign(new TextEncoder().encode(text))))}`;
    expect(parseNote(twice).signatures).toHaveLength(2);
    expect((await openNote(twice, [verifier])).verifiedBy).toEqual([{ name: 'attest.example', keyId: signer.keyId }]);

    // After a rotation two keys share the name; each one's signature is checked on its own.
    const rotated: NoteSigner = await parseSignerKey(await generateSignerKey('attest.example'));
    const both = await signNote(text, [signer, rotated]);
    const verifiers = [verifier, await parseVerifierKey(rotated.verifierKey)];
    expect((await openNote(both, verifiers)).verifiedBy).toEqual([
      { name: 'attest.example', keyId: signer.keyId },
      { name: 'attest.example', keyId: rotated.keyId },
    ]);
    expect(await message(() => openNote(corruptLastSignature(both), verifiers))).toBe(
      `the signature by attest.example+${formatKeyId(rotated.keyId)} does not match the note`,
    );
  });
});

describe('note keys: what each refusal says', () => {
  const publicKey = new Uint8Array(32).fill(7);
  const typed = (type: number, key: Uint8Array) => toBase64(concatBytes(new Uint8Array([type]), key));

  it('names each way a verifier key is malformed', async () => {
    const keyId = formatKeyId(await keyIdOf('attest.example', publicKey));
    const cases: [vkey: string, expected: string][] = [
      ['attest.example', 'a verifier key is written <name>+<key ID>+<key>'],
      ['attest.example+0123abcd', 'a verifier key is written <name>+<key ID>+<key>'],
      [`two words+${keyId}+${typed(1, publicKey)}`, 'the key name "two words" is empty or holds white space or a +'],
      [`attest.example+0123ABCD+${typed(1, publicKey)}`, 'the verifier key\'s ID "0123ABCD" is not 8 lowercase hex digits'],
      [`attest.example+0123abc+${typed(1, publicKey)}`, 'the verifier key\'s ID "0123abc" is not 8 lowercase hex digits'],
      [`attest.example+${keyId}+!!!!`, 'the verifier key is not base64'],
      [`attest.example+${keyId}+${typed(2, publicKey)}`, "the verifier key's type 2 is not Ed25519 (1)"],
      [`attest.example+${keyId}+${typed(1, publicKey.slice(1))}`, 'an Ed25519 verifier key is 32 bytes, not 31'],
      [`attest.example+${keyId}+${typed(1, concatBytes(publicKey, new Uint8Array(1)))}`, 'an Ed25519 verifier key is 32 bytes, not 33'],
      [`attest.example+0123abcd+${typed(1, publicKey)}`, `the key ID 0123abcd is not this key's (${keyId})`],
    ];
    for (const [vkey, expected] of cases) expect(await message(() => parseVerifierKey(vkey)), vkey).toBe(expected);
  });

  it('names each way a signer key or seed is malformed', async () => {
    const seed = new Uint8Array(32).fill(3);
    const good = await formatSignerKey('attest.example', seed);
    const keyId = good.split('+')[3]!;
    const cases: [skey: string, expected: string][] = [
      ['attest.example+0123abcd+AQ==', 'a signer key starts with PRIVATE+KEY+'],
      ['PRIVATE+KEY+attest.example', 'a signer key is written PRIVATE+KEY+<name>+<key ID>+<key>'],
      [`PRIVATE+KEY+attest.example+${keyId}+!!!!`, 'the signer key is not base64'],
      [`PRIVATE+KEY+attest.example+${keyId}+${typed(1, seed.slice(1))}`, 'an Ed25519 signer key is 32 bytes, not 31'],
      [`PRIVATE+KEY+attest.example+0123abcd+${typed(1, seed)}`, `the key ID 0123abcd is not this key's (${keyId})`],
    ];
    for (const [skey, expected] of cases) expect(await message(() => parseSignerKey(skey)), skey).toBe(expected);
    expect(await message(() => formatSignerKey('attest.example', seed.slice(1)))).toBe('an Ed25519 seed is 32 bytes, not 31');
    expect(await message(() => formatVerifierKey('attest.example', publicKey.slice(1)))).toBe('an Ed25519 public key is 32 bytes, not 31');
    expect(await message(() => formatVerifierKey('a+b', publicKey))).toBe('the key name "a+b" is empty or holds white space or a +');
  });
});
