import { formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { FormatError } from './integrity-errors.js';
import type { NoteKeyId, NoteSigner, NoteVerifier } from './note-keys.js';
import { openNote, signNote } from './signed-note.js';

/**
 * A checkpoint signed as a C2SP signed note by the log's key, and opened again by a verifier who trusts that
 * key. This is what Attest serves and what an auditor keeps.
 *
 * @example
 * const note = await signCheckpoint({ origin, size, rootHash }, signer);
 * const { checkpoint } = await openCheckpoint(note, [verifier], origin);
 */
export function signCheckpoint(checkpoint: Checkpoint, signer: NoteSigner): Promise<string> {
  return signNote(formatCheckpoint(checkpoint), [signer]);
}

/** A signed checkpoint that verified: what it states and which trusted keys signed it. */
export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly verifiedBy: readonly NoteKeyId[];
}

/**
 * Verifies a signed checkpoint with the trusted keys and parses it. With `expectedOrigin` it also refuses a
 * checkpoint of another log (another organization's, or another deployment's): a valid signature alone does
 * not say which log it is about. Throws a `SignatureError` or `FormatError`.
 */
export async function openCheckpoint(note: string, verifiers: readonly NoteVerifier[], expectedOrigin?: string): Promise<OpenedCheckpoint> {
  const { text, verifiedBy } = await openNote(note, verifiers);
  const checkpoint = parseCheckpoint(text);
  if (expectedOrigin !== undefined && checkpoint.origin !== expectedOrigin) {
    throw new FormatError(`the checkpoint is of log ${JSON.stringify(checkpoint.origin)}, not ${JSON.stringify(expectedOrigin)}`);
  }
  return { checkpoint, verifiedBy };
}
