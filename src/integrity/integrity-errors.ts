import { toHex } from './bytes.js';

/**
 * Why a proof, checkpoint or signed note failed to verify. Every subclass carries the evidence that failed
 * (transparency-dev/merkle's `RootMismatchError` is the model), so a report can say what was expected and what
 * was found instead of only "invalid".
 */
export class IntegrityError extends Error {
  override readonly name: string = 'IntegrityError';
}

/** A proof led to a root hash that is not the one the checkpoint (or the caller) holds. */
export class RootMismatchError extends IntegrityError {
  override readonly name = 'RootMismatchError';
  constructor(
    readonly expectedRoot: Uint8Array,
    readonly computedRoot: Uint8Array,
  ) {
    super(`the proof leads to root ${toHex(computedRoot)}, expected ${toHex(expectedRoot)}`);
  }
}

/** A proof holds more or fewer hashes than the tree shape calls for. */
export class ProofLengthError extends IntegrityError {
  override readonly name = 'ProofLengthError';
  constructor(
    readonly expectedLength: number,
    readonly actualLength: number,
  ) {
    super(`the proof has ${actualLength} hashes, the tree shape calls for ${expectedLength}`);
  }
}

/** A leaf index or tree size that cannot be proven: an index past the tree, a size that shrinks, a negative number. */
export class TreeSizeError extends IntegrityError {
  override readonly name = 'TreeSizeError';
}

/** A hash of the wrong length where a 32-byte SHA-256 hash is due. */
export class HashLengthError extends IntegrityError {
  override readonly name = 'HashLengthError';
  constructor(
    readonly what: string,
    readonly actualLength: number,
  ) {
    super(`${what} is ${actualLength} bytes long, a SHA-256 hash is 32`);
  }
}

/** A checkpoint, note, signature line or key that is not written the way its C2SP specification says. */
export class FormatError extends IntegrityError {
  override readonly name = 'FormatError';
}

/** A signed note carries no valid signature by any of the keys the verifier trusts. */
export class SignatureError extends IntegrityError {
  override readonly name = 'SignatureError';
  constructor(
    message: string,
    /** The names of the keys that signed the note, as its signature lines say (verified or not). */
    readonly signerNames: readonly string[],
  ) {
    super(message);
  }
}
