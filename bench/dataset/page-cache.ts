import { spawnSync } from 'node:child_process';

/**
 * Asks the kernel to drop a file's pages from the page cache (`posix_fadvise(DONTNEED)`, through GNU dd's
 * `iflag=nocache`; no root needed), so a phase reads from the disk as after a restart, whatever ran before.
 * Without it a figure depends on what earlier phases and the machine's memory reclaim happened to leave
 * cached (this machine drops memory unused for about a minute). False when dd could not do it.
 */
export function evictFromPageCache(path: string): boolean {
  return spawnSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']).status === 0;
}

/** Evicts a SQLite dataset and its WAL (absent or empty once the dataset is built; no harm either way). */
export function evictDatasetFromPageCache(path: string): boolean {
  const evicted = evictFromPageCache(path);
  evictFromPageCache(`${path}-wal`);
  return evicted;
}
