import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { SqliteWalCheckpointer } from '../src/store/sqlite/sqlite-wal-checkpointer.js';
import { preparedEvent } from './support/prepared-events.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

/**
 * How far the WAL of a SQLite file has been copied back, read from its shared-memory index without touching the
 * database (https://sqlite.org/walformat.html#the_wal_index_file_format): `mxFrame`, the last committed frame,
 * is the 32-bit native-order word at byte 16 of the index header; `nBackfill`, the frames already copied into
 * the database file, the word at byte 96, after the header's two copies.
 */
function walProgress(databasePath: string): { committedFrames: number; copiedFrames: number } {
  const index = readFileSync(`${databasePath}-shm`);
  return { committedFrames: index.readUInt32LE(16), copiedFrames: index.readUInt32LE(96) };
}

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Commits copy nothing back themselves until 64 MiB of WAL; a worker thread does it after each commit.
describe('SQLite WAL checkpointer', () => {
  let testStore: TestStore | undefined;
  afterEach(async () => {
    await testStore?.dispose();
    testStore = undefined;
  });

  it('copies committed frames back into the database file soon after each commit, from another thread', async () => {
    testStore = await createTestStore('sqlite');
    const path = testStore.databaseUrl.slice('sqlite:'.length);
    const orgId = newId();
    for (let round = 1; round <= 3; round += 1) {
      await testStore.store.appendEvents(Array.from({ length: 200 }, () => preparedEvent(orgId)));
      // Far below the writer's own threshold of 16,384 frames: only the worker copies these.
      const { committedFrames } = walProgress(path);
      expect(committedFrames).toBeGreaterThan(0);
      expect(committedFrames).toBeLessThan(16_384);
      await eventually(() => walProgress(path).copiedFrames >= walProgress(path).committedFrames);
    }
    const page = await testStore.store.events.findPage({ orgId, fromMs: 0, toMs: Date.now() + 60_000 }, 1000);
    expect(page).toHaveLength(600);
  });
});

describe('SQLite WAL checkpointer that could not start', () => {
  it('stops at once instead of waiting for a worker that has already ended', async () => {
    // No such file: the worker fails as it opens the database and ends.
    const checkpointer = SqliteWalCheckpointer.start(join(tmpdir(), `attest-missing-${newId()}.db`));
    checkpointer.committed();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expect(checkpointer.stop()).resolves.toBeUndefined();
  });
});
