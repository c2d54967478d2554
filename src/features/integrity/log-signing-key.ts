import { mkdir, readFile, writeFile } from 'node:fs/promises';
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
