import { Worker } from 'node:worker_threads';
import { PushQueue } from '../../core/push-queue.js';
import { workerModuleUrl } from '../../core/worker-module-url.js';
import { CliError } from '../cli-error.js';
import type { RecordsCsvOutcome } from './records-csv-check.js';

/** What `records-csv-worker.ts` is started with. */
export interface RecordsCsvWorkerData {
  readonly path: string;
  readonly orgId: string;
}

/** What the worker is sent: the inflated pieces of records.jsonl, then their end, or that they failed to read. */
export type ToRecordsThread = { readonly kind: 'piece'; readonly bytes: Uint8Array } | { readonly kind: 'end' | 'failed' };

/** What the worker posts: the seqs of each batch of records, then how its check ended. */
export type RecordsCsvMessage =
  { readonly kind: 'seqs'; readonly seqs: Float64Array } | ({ readonly kind: 'end'; readonly error?: string } & RecordsCsvOutcome);

/**
 * The records thread stopped without saying how its check ended: an error in the verifier, not in the bundle,
 * which `attest verify` reports as not verified (exit 1) in these words.
 */
export class RecordsThreadError extends CliError {}

// Pieces of records.jsonl read ahead of what this thread has hashed: the records thread is sent them as they
// are read, so it does not wait for this one (which waits for its seqs) to read the next.
const READ_AHEAD_PIECES = 16;

// The thread makes garbage at a high rate (a million parsed records and CSV rows); by hand, with --max-semi-space-size,
// a larger young generation saved the single-threaded verifier some collections. For this thread the runs at hand
// (load average 8–15 on two cores) do not separate the sizes: 6.6–7.1 s of its CPU at 16 MB, 6.2–7.5 s at 48 MB,
// 6.8–8.5 s at 96 and 192 MB. Worth measuring again on a quiet machine.
const YOUNG_GENERATION_MB = 48;

/**
 * The records side of a bundle check (`records-csv-check.ts`) on a thread of its own, so that the verifier
 * uses a second core: `seqs` yields each batch's record seqs as the thread posts them and ends when the thread
 * ends its check, `outcome` is how it ended. A thread that dies or exits without ending its check makes both
 * throw a {@link RecordsThreadError}. The thread reads events.csv itself, but records.jsonl is inflated once,
 * here: `share` hands the thread a copy of each piece as it is read, and yields the pieces for this thread's
 * own use. `stop` ends the thread early.
 *
 * @example
 * const thread = startRecordsCsvThread({ path, orgId });
 * for await (const seqs of thread.seqs) check(seqs);
 * if (!(await thread.outcome).holds) …
 */
export function startRecordsCsvThread(
  data: RecordsCsvWorkerData,
  moduleUrl: URL = workerModuleUrl(import.meta.url, 'records-csv-worker'),
): {
  seqs: AsyncIterable<readonly number[]>;
  outcome: Promise<RecordsCsvOutcome>;
  share(pieces: AsyncIterable<Buffer>): AsyncIterable<Buffer>;
  stop(): Promise<void>;
} {
  const worker = new Worker(moduleUrl, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
  const seqs = new PushQueue<readonly number[]>();
  let ended = false;
  let settle: { resolve: (outcome: RecordsCsvOutcome) => void; reject: (error: Error) => void } | undefined;
  const outcome = new Promise<RecordsCsvOutcome>((resolve, reject) => (settle = { resolve, reject }));
  // Read by `seqs` too: an unread rejection here is not an unhandled one.
  outcome.catch(() => {});
  const end = (how: { outcome: RecordsCsvOutcome } | { error: Error }) => {
    if (ended) return;
    ended = true;
    if ('error' in how) {
      settle!.reject(how.error);
      seqs.fail(how.error);
    } else {
      settle!.resolve(how.outcome);
      seqs.end();
    }
  };
  worker.on('message', (message: RecordsCsvMessage) => {
    if (message.kind === 'seqs') seqs.push(Array.from(message.seqs));
    else end({ outcome: { holds: message.holds, records: message.records } });
  });
  worker.on('error', (error) => end({ error: new RecordsThreadError(`the records thread failed: ${error.message}`) }));
  worker.on('exit', (code) => end({ error: new RecordsThreadError(`the records thread exited (code ${code}) before its check ended`) }));
  const send = (message: ToRecordsThread, transfer: ArrayBuffer[] = []) => worker.postMessage(message, transfer);
  return {
    seqs,
    outcome,
    share: (pieces) =>
      readAhead(pieces, READ_AHEAD_PIECES, {
        piece: (piece) => {
          // A copy of its own to hand over: the inflater may write its next output into the same memory.
          const bytes = new Uint8Array(piece);
          send({ kind: 'piece', bytes }, [bytes.buffer]);
        },
        end: () => send({ kind: 'end' }),
        failed: () => send({ kind: 'failed' }),
      }),
    stop: async () => {
      await worker.terminate();
    },
  };
}

/**
 * The pieces of `source`, read up to `ahead` pieces before they are asked for, each announced to `on.piece` as
 * it is read, then `on.end` (or `on.failed` when reading throws, which the reader of the pieces gets too).
 */
function readAhead(
  source: AsyncIterable<Buffer>,
  ahead: number,
  on: { piece(piece: Buffer): void; end(): void; failed(): void },
): AsyncIterable<Buffer> {
  let wakePump: (() => void) | undefined;
  const queue = new PushQueue<Buffer>(() => wakePump?.());
  const pump = async () => {
    try {
      for await (const piece of source) {
        on.piece(piece);
        queue.push(piece);
        while (queue.length >= ahead) await new Promise<void>((resolve) => (wakePump = resolve));
      }
      on.end();
      queue.end();
    } catch (error) {
      on.failed();
      queue.fail(error);
    }
  };
  return {
    async *[Symbol.asyncIterator]() {
      void pump();
      yield* queue;
    },
  };
}
