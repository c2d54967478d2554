import type { Worker } from 'node:worker_threads';
import { stopWorkerThread } from '../../core/stop-worker-thread.js';
import { startSqliteWorker } from './sqlite-worker-thread.js';

/** The shortest time between two checkpoints: a burst of commits is copied back in a few passes, not one each. */
const MIN_INTERVAL_MS = 10;

/** What the checkpointing thread (`sqlite-wal-checkpoint-worker.ts`) is started with. */
export interface WalCheckpointWorkerData {
  path: string;
  minIntervalMs: number;
}

/**
 * Copies committed WAL frames back into a SQLite file from a worker thread, after commits. SQLite otherwise
 * checkpoints inside the commit that finds the WAL over its threshold, so that one commit, and every request
 * waiting on the event loop behind it, pays for copying megabytes: measured with `npm run bench -- --only
 * ingest`, the p99 of single-event requests went from 29.5 ms to 14.3 ms with this beside the writer. The
 * writer keeps its own automatic checkpoint as a backstop, should this thread ever fall behind.
 *
 * @example
 * const checkpointer = SqliteWalCheckpointer.start('./data/attest.db');
 * // after each commit:
 * checkpointer.committed();
 * await checkpointer.stop();
 */
export class SqliteWalCheckpointer {
  private stopped = false;

  private constructor(
    private readonly worker: Worker,
    /** Settles when the worker has ended, whether stopped or failed (say, at start). */
    private readonly exited: Promise<void>,
  ) {}

  /** Starts the worker for a database file that exists and is in WAL mode. */
  static start(path: string): SqliteWalCheckpointer {
    const worker = startSqliteWorker<WalCheckpointWorkerData>('sqlite-wal-checkpoint-worker', { path, minIntervalMs: MIN_INTERVAL_MS });
    // An error in it leaves the writer's backstop to do the work.
    worker.on('error', () => undefined);
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    return new SqliteWalCheckpointer(worker, exited);
  }

  /** Tells the worker that a transaction committed: there may be frames to copy. */
  committed(): void {
    if (!this.stopped) this.worker.postMessage('commit');
  }

  /** Stops the worker and waits until it has closed its connection. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await stopWorkerThread(this.worker, this.exited);
  }
}
