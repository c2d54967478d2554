import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { AsyncLock } from '../../core/async-lock.js';
import { stopWorkerThread } from '../../core/stop-worker-thread.js';
import { startSqliteWorker } from './sqlite-worker-thread.js';
import type { AppendedEvent, PreparedEvent } from '../../events/audit-event.js';
import { AttestError, type ErrorCode, type FieldError } from '../../core/errors.js';

/** What the append thread is started with. */
export interface AppendWorkerData {
  path: string;
}

/** One append: the events of one transaction. */
export interface AppendRequest {
  id: number;
  events: readonly PreparedEvent[];
}

/** The answer to an append, sent once its transaction has committed or rolled back. */
export type AppendReply =
  | { id: number; appended: AppendedEvent[] }
  | { id: number; error: { message: string; sqliteCode?: string; attest?: { code: ErrorCode; errors: FieldError[] } } };

interface Pending {
  resolve(appended: AppendedEvent[]): void;
  reject(error: Error): void;
}

/**
 * Appends events to a SQLite store from a worker thread with its own writer connection
 * (`sqlite-append-worker.ts`). better-sqlite3 is synchronous: on the server's thread, every append (hashing,
 * inserting, and the commit's fsync) stopped all request handling until it was done. Here the next requests
 * are read and validated while a commit runs. The answer comes only after the commit, so an acknowledged
 * event is as durable as before.
 *
 * Appends and the server thread's own write transactions take turns through `lock` (see
 * `SqliteImmediateDriver`); SQLite's write lock still orders them against other processes. The thread starts
 * with the first append and starts again after a failure.
 *
 * @example
 * const appender = new SqliteAppendThread('./data/attest.db', lock, () => checkpointer.committed());
 * const appended = await appender.append(events);
 * await appender.stop();
 */
export class SqliteAppendThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private stopped = false;

  constructor(
    private readonly path: string,
    private readonly lock: AsyncLock,
    private readonly afterCommit: () => void,
  ) {}

  /** Appends the events in one transaction; resolves once it has committed. */
  append(events: readonly PreparedEvent[]): Promise<AppendedEvent[]> {
    return this.lock.run(async () => {
      if (this.stopped) throw new Error('database connection is not open');
      const appended = await this.request(events);
      this.afterCommit();
      return appended;
    });
  }

  /** Waits for the append under way, then ends the thread. */
  async stop(): Promise<void> {
    await this.lock.run(async () => {
      this.stopped = true;
      const worker = this.worker;
      if (worker) await stopWorkerThread(worker);
    });
  }

  private request(events: readonly PreparedEvent[]): Promise<AppendedEvent[]> {
    const worker = this.started();
    const id = this.nextId++;
    return new Promise<AppendedEvent[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Keeps the process alive while an append is under way, and only then (a CLI ends when its work does).
      worker.ref();
      worker.postMessage({ id, events } satisfies AppendRequest);
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = startSqliteWorker<AppendWorkerData>('sqlite-append-worker', { path: this.path });
    worker.on('message', (reply: AppendReply) => this.settle(reply));
    worker.on('error', (error) => this.failAll(worker, error));
    worker.on('exit', (code) => this.failAll(worker, new Error(`the append thread ended (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(reply: AppendReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if ('appended' in reply) pending.resolve(reply.appended);
    // Rebuilt as the error type it was (the driver's, or a refusal of the catalogue such as a reused
    // idempotency key), so callers tell a busy or broken store from a bad request.
    else pending.reject(rebuildError(reply.error));
  }

  /**
   * The thread failed or ended: whatever it had not answered fails. Whether such a transaction committed is
   * unknown, as after a lost connection; the producer's idempotency key makes the retry safe.
   */
  private failAll(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

function rebuildError(error: Extract<AppendReply, { error: unknown }>['error']): Error {
  if (error.attest) return new AttestError(error.attest.code, error.message, error.attest.errors);
  if (error.sqliteCode) return new Database.SqliteError(error.message, error.sqliteCode);
  return new Error(error.message);
}
