import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../../src/integrity/integrity-errors.js';
import { formatSignerKey, generateSignerKey, parseSignerKey, parseVerifierKey } from '../../src/integrity/note-keys.js';
import { openNote, signNote } from '../../src/integrity/signed-note.js';
import { fromBase64 } from '../../src/integrity/bytes.js';
import { signedNoteVectorFile } from './support/vector-files.js';

const FILE = join(import.meta.dirname, 'vectors', 'signed-notes.json');

interface SignedNoteVectors {
  signing: Array<{ description: string; signerKey: string; verifierKey: string; text: string; note: string }>;
  cases: Array<{ description: string; note: string; verifierKeys: string[]; expectedText: string | null; expectedError: string | null }>;
  badVerifierKeys: Array<{ description: string; verifierKey: string; expectedError: string }>;
}

async function outcome<T>(run: () => Promise<T>): Promise<T | string> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof IntegrityError)) throw error;
    return error.name;
  }
}

describe('C2SP signed notes', () => {
  it('signed-notes.json is what the generator makes from the published examples', () => {
    const generated = `${JSON.stringify(signedNoteVectorFile(), null, 2)}\n`;
    if (process.env.UPDATE_VECTORS === '1') writeFileSync(FILE, generated);
    expect(readFileSync(FILE, 'utf8')).toBe(generated);
  });

  const vectors = (): SignedNoteVectors => JSON.parse(readFileSync(FILE, 'utf8')) as SignedNoteVectors;

  it('reproduces the Go example byte for byte: the key ID, the verifier key and the signed note', async () => {
    for (const { signerKey, verifierKey, text, note } of vectors().signing) {
      const signer = await parseSignerKey(signerKey);
      expect(signer.verifierKey).toBe(verifierKey);
      expect(signer.keyId.toString(16)).toBe(verifierKey.split('+')[1]);
      expect(await signNote(text, [signer])).toBe(note);
      // The signer key's text form round-trips through its seed.
      expect(await formatSignerKey(signer.name, fromBase64(signerKey.split('+').slice(4).join('+'))!.slice(1))).toBe(signerKey);
    }
  });

  it('opens or refuses every note of the vector file as it says', async () => {
    const { cases } = vectors();
    expect(cases.length).toBeGreaterThan(30);
    for (const c of cases) {
      const verifiers = await Promise.all(c.verifierKeys.map(parseVerifierKey));
      const result = await outcome(() => openNote(c.note, verifiers));
      expect(typeof result === 'string' ? result : null, c.description).toBe(c.expectedError);
      if (typeof result !== 'string') expect(result.text, c.description).toBe(c.expectedText);
    }
  });

  it('refuses every bad verifier key of the vector file', async () => {
    for (const c of vectors().badVerifierKeys)
      expect(await outcome(() => parseVerifierKey(c.verifierKey)), c.description).toBe(c.expectedError);
  });

  it('signs with a generated key, opens with its verifier key, and names the trusted and the other signers', async () => {
    const signer = await parseSignerKey(await generateSignerKey('attest.example'));
    const other = await parseSignerKey(await generateSignerKey('witness.example'));
    const note = await signNote('attest.example/org_1\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n', [signer, other]);
    const opened = await openNote(note, [await parseVerifierKey(signer.verifierKey)]);
    expect(opened.verifiedBy).toEqual([{ name: 'attest.example', keyId: signer.keyId }]);
    expect(opened.unverified).toEqual([{ name: 'witness.example', keyId: other.keyId }]);
    // A key of the same name but another secret has another key ID: the note does not open with it.
    const impostor = await parseSignerKey(await generateSignerKey('attest.example'));
    await expect(openNote(note, [await parseVerifierKey(impostor.verifierKey)])).rejects.toMatchObject({
      name: 'SignatureError',
      signerNames: ['attest.example', 'witness.example'],
    });
  });

  it('refuses to sign what is not a note text or with a key name that is not one', async () => {
    const signer = await parseSignerKey(await generateSignerKey('attest.example'));
    await expect(signNote('no final newline', [signer])).rejects.toMatchObject({ name: 'FormatError' });
    await expect(signNote('a\tb\n', [signer])).rejects.toMatchObject({ name: 'FormatError' });
    await expect(signNote('text\n', [{ ...signer, name: 'two words' }])).rejects.toMatchObject({ name: 'FormatError' });
    await expect(generateSignerKey('a+b')).rejects.toMatchObject({ name: 'FormatError' });
    await expect(generateSignerKey('')).rejects.toMatchObject({ name: 'FormatError' });
  });
});
