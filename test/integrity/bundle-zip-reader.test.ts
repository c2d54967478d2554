import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeMerkleHasher } from '../../src/core/node-merkle-hasher.js';
import { openBundleZip } from '../../src/cli/bundle/bundle-zip-reader.js';
import { verifyBundle } from '../../src/integrity/verify-bundle.js';
import { writeBundleZip } from './support/bundle-texts.js';
import { buildPureBundle, type PureBundle } from './support/pure-bundle.js';

/**
 * The CLI's zip reader: a bundle read from its file in large pieces verifies, and an entry that inflates to
 * another size than its zip states is refused as yauzl would refuse it.
 */
let dir: string;
let bundle: PureBundle;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attest-zip-reader-'));
  bundle = await buildPureBundle(300);
  file = join(dir, 'bundle.zip');
  await writeBundleZip(file, bundle.texts);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function verifyFile(path: string) {
  const zip = await openBundleZip(path);
  try {
    return await verifyBundle(zip.files, [bundle.verifier], nodeMerkleHasher);
  } finally {
    zip.close();
  }
}

/** The zip with the size its central directory states for `name` changed by `delta`. */
async function withStatedSize(name: string, delta: number): Promise<string> {
  const bytes = await readFile(file);
  const at = bytes.indexOf(Buffer.concat([Buffer.from([0x50, 0x4b, 0x01, 0x02])]), bytes.lastIndexOf(Buffer.from(name)) - 46);
  expect(bytes.toString('latin1', at + 46, at + 46 + name.length)).toBe(name);
  bytes.writeUInt32LE(bytes.readUInt32LE(at + 24) + delta, at + 24);
  const changed = join(dir, `${name}${delta}.zip`);
  await writeFile(changed, bytes);
  return changed;
}

describe('openBundleZip', () => {
  it('reads a bundle that verifies', async () => {
    expect(await verifyFile(file)).toMatchObject({ ok: true, recordsChecked: 300 });
  });

  it('refuses an entry that inflates to more or fewer bytes than the zip states', async () => {
    await expect(verifyFile(await withStatedSize('records.jsonl', -1))).rejects.toThrow(
      /records\.jsonl holds more than the \d+ bytes the zip states/,
    );
    await expect(verifyFile(await withStatedSize('events.csv', 1))).rejects.toThrow(/events\.csv holds \d+ bytes, the zip states \d+/);
  });
});
