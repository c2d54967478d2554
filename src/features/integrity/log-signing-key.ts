import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateSignerKey, parseSignerKey, type NoteSigner } from '../../integrity/note-keys.js';

/**
 * The log's Ed25519 signing key, kept in `ATTEST_LOG_KEY_FILE` as a signer key text
 * (`PRIVATE+KEY+<name>+<key ID>+<key>`). Created with mode 0600 on first start when the file is missing; the
 * file is opened with `wx`, so two processes starting together cannot both write one — the second reads the
 * first's. The key's name must be `ATTEST_LOG_NAME`: checkpoints name their signer, and a verifier looks it
 * up by that name. The key is never logged or served; only its verifier key is published.
 */
export async function openLogSigningKey(file: string, logName: string): Promise<NoteSigner> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    text = await createKeyFile(file, logName);
  }
  return parseLogKey(text, file, logName);
}

/**
 * `attest log-key rotate`: replaces the key in `file` with a new Ed25519 key and returns its signer. The new
 * key is written to a temporary file of mode 0600 beside it and renamed over it, so a process reading the
 * file at that moment sees the old key or the new one, never half of either; the old private key is gone
 * with the old file and signs nothing more. Its verifier key stays published for the checkpoints it signed.
 */
export async function rotateLogSigningKey(file: string, logName: string): Promise<NoteSigner> {
  const text = `${await generateSignerKey(logName)}\n`;
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${randomBytes(6).toString('hex')}.new`;
  try {
    await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return parseLogKey(text, file, logName);
}

/** Where the checkpointer finds the key to sign with now: a key that may be rotated while the server runs. */
export interface SigningKeySource {
  current(): Promise<NoteSigner>;
}

/**
 * The log key as a running server uses it: read again whenever `ATTEST_LOG_KEY_FILE` was replaced (by
 * `attest log-key rotate`, in this or any other process sharing the file), so a rotation takes effect at the
 * next checkpoint without a restart. Checking costs one `stat` per checkpointing round.
 *
 * @example
 * const key = await LogSigningKeyFile.open(config.logKeyFile, config.logName);
 * const signer = await key.current();
 */
export class LogSigningKeyFile implements SigningKeySource {
  #signer: NoteSigner;
  #version: string;

  private constructor(
    private readonly file: string,
    private readonly logName: string,
    signer: NoteSigner,
    version: string,
  ) {
    this.#signer = signer;
    this.#version = version;
  }

  /** Opens (or on a first start creates) the key file. */
  static async open(file: string, logName: string): Promise<LogSigningKeyFile> {
    const signer = await openLogSigningKey(file, logName);
    return new LogSigningKeyFile(file, logName, signer, await fileVersion(file));
  }

  /** The key in the file now; the one read before when the file has not changed (or cannot be read: a rotation is under way). */
  async current(): Promise<NoteSigner> {
    const version = await fileVersion(this.file).catch(() => this.#version);
    if (version === this.#version) return this.#signer;
    this.#signer = await parseLogKey(await readFile(this.file, 'utf8'), this.file, this.logName);
    this.#version = version;
    return this.#signer;
  }
}

/** What tells a replaced file from the one read before: a rename gives a new inode, an edit a new time or size. */
async function fileVersion(file: string): Promise<string> {
  const info = await stat(file, { bigint: true });
  return `${info.dev}:${info.ino}:${info.mtimeNs}:${info.size}`;
}

async function parseLogKey(text: string, file: string, logName: string): Promise<NoteSigner> {
  const signer = await parseSignerKey(text.trim());
  if (signer.name !== logName) throw new Error(`the log key in ${file} is named ${signer.name}, but ATTEST_LOG_NAME is ${logName}`);
  return signer;
}

async function createKeyFile(file: string, logName: string): Promise<string> {
  const text = `${await generateSignerKey(logName)}\n`;
  await mkdir(dirname(file), { recursive: true });
  try {
    await writeFile(file, text, { mode: 0o600, flag: 'wx' });
    return text;
  } catch (error) {
    // Another process created it between our read and our write: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFile(file, 'utf8');
    throw error;
  }
}
