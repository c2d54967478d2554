import { concatBytes, fromBase64, toBase64, utf8 } from './bytes.js';
import { FormatError, SignatureError } from './integrity-errors.js';
import { formatKeyId, isValidKeyName, type NoteKeyId, type NoteSigner, type NoteVerifier } from './note-keys.js';

/**
 * C2SP signed notes (https://c2sp.org/signed-note): a text, a blank line, then signature lines
 * `— <key name> base64(4-byte key ID ‖ signature)`, each signature made over the text's UTF-8 bytes.
 *
 * @example
 * const note = await signNote('attest.local/org_1\n42\n…=\n', [signer]);
 * const { text } = await openNote(note, [verifier]);
 */

const SIGNATURE_PREFIX = '\u2014 ';
// Parsing a note with thousands of signature lines would let anyone make a verifier spend its time for
// nothing; Go's reference implementation stops at the same number.
const MAX_SIGNATURES = 100;

/** One signature line of a note. */
export interface NoteSignature extends NoteKeyId {
  /** The signature bytes, after the key ID. */
  readonly signature: Uint8Array;
}

/** A note whose signature lines were parsed but not checked. */
export interface ParsedNote {
  /** The signed text, ending in a newline. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** A note checked against trusted keys: its text, who of them signed it, and the signatures by keys not trusted. */
export interface OpenedNote {
  readonly text: string;
  readonly verifiedBy: readonly NoteKeyId[];
  readonly unverified: readonly NoteKeyId[];
}

/** The note of `text` (which must end in a newline) signed by each signer, in order. */
export async function signNote(text: string, signers: readonly NoteSigner[]): Promise<string> {
  assertNoteText(text);
  if (!text.endsWith('\n')) throw new FormatError('a note text ends with a newline');
  const message = utf8(text);
  let note = `${text}\n`;
  for (const signer of signers) {
    if (!isValidKeyName(signer.name))
      throw new FormatError(`the key name ${JSON.stringify(signer.name)} is empty or holds white space or a +`);
    note += signatureLine(signer, await signer.sign(message));
  }
  return note;
}

/** One signature line: `— <name> base64(key ID ‖ signature)`, with its newline. */
export function signatureLine(key: NoteKeyId, signature: Uint8Array): string {
  const keyId = new Uint8Array(4);
  new DataView(keyId.buffer).setUint32(0, key.keyId);
  return `${SIGNATURE_PREFIX}${key.name} ${toBase64(concatBytes(keyId, signature))}\n`;
}

/**
 * Splits a note into its text and signature lines, with the checks of the signed-note format: no control
 * characters but newlines, a blank line before the signatures, every signature line well-formed, at most 100.
 * Throws a `FormatError` naming what is wrong.
 */
export function parseNote(note: string): ParsedNote {
  assertNoteText(note);
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new FormatError('a note has a blank line between its text and its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw new FormatError('a note ends with signature lines, each ending in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new FormatError(`a note carries at most ${MAX_SIGNATURES} signatures, this one ${lines.length}`);
  return { text, signatures: lines.map(parseSignatureLine) };
}

/**
 * Checks a note against the trusted verifiers: every signature by a trusted key (same name and key ID) must
 * hold, and at least one must be there. Signatures by other keys are listed, not checked, so a note
 * co-signed by a witness still opens. Throws a `SignatureError` when a trusted key's signature fails or none
 * signed, and a `FormatError` for a malformed note.
 */
export async function openNote(note: string, verifiers: readonly NoteVerifier[]): Promise<OpenedNote> {
  const { text, signatures } = parseNote(note);
  const message = utf8(text);
  const verifiedBy: NoteKeyId[] = [];
  const unverified: NoteKeyId[] = [];
  for (const { name, keyId, signature } of signatures) {
    const verifier = verifiers.find((candidate) => candidate.name === name && candidate.keyId === keyId);
    if (verifier === undefined) {
      unverified.push({ name, keyId });
      continue;
    }
    if (verifiedBy.some((key) => key.name === name && key.keyId === keyId)) continue;
    if (!(await verifier.verify(message, signature))) {
      throw new SignatureError(`the signature by ${name}+${formatKeyId(keyId)} does not match the note`, signerNames(signatures));
    }
    verifiedBy.push({ name, keyId });
  }
  if (verifiedBy.length === 0) throw new SignatureError('no trusted key signed the note', signerNames(signatures));
  return { text, verifiedBy, unverified };
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) throw new FormatError(`a signature line starts with "${SIGNATURE_PREFIX}"`);
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = rest.slice(0, space);
  const bytes = space < 0 ? undefined : fromBase64(rest.slice(space + 1));
  if (!isValidKeyName(name))
    throw new FormatError(`the signature line's key name ${JSON.stringify(name)} is empty or holds white space or a +`);
  if (bytes === undefined || bytes.length < 5) throw new FormatError(`the signature by ${name} is not base64 of a key ID and a signature`);
  return { name, keyId: new DataView(bytes.buffer).getUint32(0), signature: bytes.slice(4) };
}

function assertNoteText(text: string): void {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u0009\u000b-\u001f]|\p{Surrogate}/u.test(text))
    throw new FormatError('a note holds no control characters other than newlines');
}

function signerNames(signatures: readonly NoteSignature[]): string[] {
  return signatures.map((signature) => signature.name);
}
