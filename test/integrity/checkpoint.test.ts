import { createHash, createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkpointOrigin, formatCheckpoint, parseCheckpoint } from '../../src/integrity/checkpoint.js';
import { generateSignerKey, parseSignerKey, parseVerifierKey } from '../../src/integrity/note-keys.js';
import { openCheckpoint, signCheckpoint } from '../../src/integrity/signed-checkpoint.js';

const ROOT = new Uint8Array(32).map((_, i) => i * 7);

/**
 * An independent verifier of a signed checkpoint, written here from the C2SP tlog-checkpoint and signed-note
 * specifications with node:crypto only: it shares no code with src/integrity/. Returns the checkpoint's
 * lines when the note carries a valid Ed25519 signature by `vkey`, and throws otherwise.
 */
function independentlyVerify(note: string, vkey: string): { origin: string; size: bigint; root: Buffer } {
  const [name, keyIdHex, keyBase64] = [vkey.slice(0, vkey.indexOf('+')), vkey.split('+')[1]!, vkey.split('+').slice(2).join('+')];
  const typedKey = Buffer.from(keyBase64, 'base64');
  if (typedKey[0] !== 0x01 || typedKey.length !== 33) throw new Error('not an Ed25519 verifier key');
  const publicKey = typedKey.subarray(1);
  // Key ID: the first four bytes of SHA-256(name || 0x0A || 0x01 || public key).
  const keyId = createHash('sha256')
    .update(name)
    .update(Buffer.from([0x0a, 0x01]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
  if (keyId.toString('hex') !== keyIdHex) throw new Error('the verifier key ID does not match its key');
  const separator = note.lastIndexOf('\n\n');
  const body = note.slice(0, separator + 1);
  const lines = note
    .slice(separator + 2)
    .split('\n')
    .filter((line) => line !== '');
  const mine = lines.find(
    (line) => line.startsWith(`\u2014 ${name} `) && Buffer.from(line.split(' ')[2]!, 'base64').subarray(0, 4).equals(keyId),
  );
  if (mine === undefined) throw new Error('no signature by the key');
  const signature = Buffer.from(mine.split(' ')[2]!, 'base64').subarray(4);
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') }, format: 'jwk' });
  if (!verify(null, Buffer.from(body, 'utf8'), key, signature)) throw new Error('the signature does not verify');
  const [origin, size, root, ...rest] = body.split('\n');
  if (rest.join('') !== '') throw new Error('unexpected extension lines');
  return { origin: origin!, size: BigInt(size!), root: Buffer.from(root!, 'base64') };
}

describe('C2SP checkpoints', () => {
  it('writes the three lines of a checkpoint body and reads them back', () => {
    const origin = checkpointOrigin('attest.local', 'org_1');
    const text = formatCheckpoint({ origin, size: 1234, rootHash: ROOT });
    expect(text).toBe(`attest.local/org_1\n1234\n${Buffer.from(ROOT).toString('base64')}\n`);
    expect(parseCheckpoint(text)).toEqual({ origin, size: 1234, rootHash: ROOT, extensions: [] });
    expect(parseCheckpoint(`${text}ext one\n`).extensions).toEqual(['ext one']);
    expect(formatCheckpoint({ origin, size: 0, rootHash: ROOT, extensions: ['x'] })).toBe(
      `attest.local/org_1\n0\n${Buffer.from(ROOT).toString('base64')}\nx\n`,
    );
  });

  it.each([
    ['no final newline', 'a/b\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ['a missing root line', 'a/b\n1\n'],
    ['an empty origin', '\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n'],
    ['an origin with a space', 'a b\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n'],
    ['an origin with a +', 'a+b\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n'],
    ['a size with a leading zero', 'a/b\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n'],
    ['a negative size', 'a/b\n-1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n'],
    ['a size past 2^53', 'a/b\n18446744073709551616\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n'],
    ['a root of 31 bytes', 'a/b\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n'],
    ['a root in hex', `a/b\n1\n${'00'.repeat(32)}\n`],
    ['an empty extension line', 'a/b\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n'],
  ])('refuses a checkpoint body with %s', (_what, text) => {
    expect(() => parseCheckpoint(text)).toThrow(expect.objectContaining({ name: 'FormatError' }));
  });

  it.each([
    ['an origin with a space', { origin: 'a b', size: 1, rootHash: ROOT }],
    ['a fractional size', { origin: 'a', size: 1.5, rootHash: ROOT }],
    ['a root of 31 bytes', { origin: 'a', size: 1, rootHash: ROOT.slice(1) }],
    ['an extension with a newline', { origin: 'a', size: 1, rootHash: ROOT, extensions: ['x\ny'] }],
  ])('refuses to write a checkpoint with %s', (_what, checkpoint) => {
    expect(() => formatCheckpoint(checkpoint)).toThrow(expect.objectContaining({ name: 'FormatError' }));
  });

  it('signs a checkpoint that an independent verifier written from the specifications accepts', async () => {
    const signer = await parseSignerKey(await generateSignerKey('attest.local'));
    const note = await signCheckpoint({ origin: 'attest.local/org_1', size: 42, rootHash: ROOT }, signer);
    expect(independentlyVerify(note, signer.verifierKey)).toEqual({ origin: 'attest.local/org_1', size: 42n, root: Buffer.from(ROOT) });
    // The same verifier refuses the note once its size is changed: it checks, it does not just parse.
    expect(() => independentlyVerify(note.replace('\n42\n', '\n43\n'), signer.verifierKey)).toThrow('the signature does not verify');
  });

  it('opens a signed checkpoint of the expected log, and refuses one of another log or another key', async () => {
    const signer = await parseSignerKey(await generateSignerKey('attest.local'));
    const verifier = await parseVerifierKey(signer.verifierKey);
    const note = await signCheckpoint({ origin: 'attest.local/org_1', size: 7, rootHash: ROOT }, signer);
    const opened = await openCheckpoint(note, [verifier], 'attest.local/org_1');
    expect(opened.checkpoint).toEqual({ origin: 'attest.local/org_1', size: 7, rootHash: ROOT, extensions: [] });
    expect(opened.verifiedBy).toEqual([{ name: 'attest.local', keyId: signer.keyId }]);
    expect((await openCheckpoint(note, [verifier])).checkpoint.size).toBe(7);
    await expect(openCheckpoint(note, [verifier], 'attest.local/org_2')).rejects.toMatchObject({ name: 'FormatError' });
    const stranger = await parseVerifierKey((await parseSignerKey(await generateSignerKey('attest.local'))).verifierKey);
    await expect(openCheckpoint(note, [stranger], 'attest.local/org_1')).rejects.toMatchObject({ name: 'SignatureError' });
  });
});
