import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { WalCheckpointWorkerData } from './sqlite-wal-checkpointer.js';

// The checkpointing thread's own code (see sqlite-wal-checkpointer.ts): after each commit it is told of, a
// passive checkpoint, at most one per `minIntervalMs`.

if (!parentPort) throw new Error('sqlite-wal-checkpoint-worker runs as a worker thread');
const port = parentPort;
const { path, minIntervalMs } = workerData as WalCheckpointWorkerData;
const db = new Database(path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
let pending = false;
let timer: NodeJS.Timeout | undefined;

function pass(): void {
  timer = undefined;
  if (!pending) return;
  pending = false;
  try {
    // PASSIVE never waits for, nor blocks, the writer or the readers; what it cannot copy yet waits for the
    // next pass. A failure (the file busy with another process's checkpoint) is left to the next pass too.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // left to the next pass, or to the writer's own automatic checkpoint
  }
  timer = setTimeout(pass, minIntervalMs);
}

port.on('message', (message: 'commit' | 'stop') => {
  if (message === 'stop') {
    clearTimeout(timer);
    db.close();
    port.close();
    return;
  }
  pending = true;
  if (timer === undefined) pass();
});
