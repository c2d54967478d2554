import { Worker } from 'node:worker_threads';
import { workerModuleUrl } from '../../core/worker-module-url.js';
import { CliError } from '../cli-error.js';
import type { RecordsCsvOutcome } from './records-csv-check.js';

/** What `records-csv-worker.ts` is started with. */
export interface RecordsCsvWorkerData {
  readonly path: string;
  readonly orgId: string;
}

/** What the worker posts: the seqs of each batch of records, then how its check ended. */
export type RecordsCsvMessage =
  { readonly kind: 'seqs'; readonly seqs: Float64Array } | ({ readonly kind: 'end'; readonly error?: string } & RecordsCsvOutcome);

/**
 * The records thread stopped without saying how its check ended: an error in the verifier, not in the bundle,
 * which `attest verify` reports as not verified (exit 1) in these words.
 */
export class RecordsThreadError extends CliError {}

// The thread makes garbage at a high rate (a million parsed records and CSV rows): a young generation larger
// than V8's default is collected less often, which took a second off the check of a million records.
const YOUNG_GENERATION_MB = 48;

/**
 * The records side of a bundle check (`records-csv-check.ts`) on a thread of its own, so that the verifier
 * uses a second core: `seqs` yields each batch's record seqs as the thread posts them and ends when the thread
 * ends its check, `outcome` is how it ended. A thread that dies or exits without ending its check makes both
 * throw a {@link RecordsThreadError}. `stop` ends the thread early.
 *
 * @example
 * const thread = startRecordsCsvThread({ path, orgId });
 * for await (const seqs of thread.seqs) check(seqs);
 * if (!(await thread.outcome).holds) …
 */
export function startRecordsCsvThread(
  data: RecordsCsvWorkerData,
  moduleUrl: URL = workerModuleUrl(import.meta.url, 'records-csv-worker'),
): { seqs: AsyncIterable<readonly number[]>; outcome: Promise<RecordsCsvOutcome>; stop(): Promise<void> } {
  const worker = new Worker(moduleUrl, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
  const batches: (readonly number[])[] = [];
  let ended: { outcome: RecordsCsvOutcome } | { error: Error } | undefined;
  let wake: (() => void) | undefined;
  let settle: { resolve: (outcome: RecordsCsvOutcome) => void; reject: (error: Error) => void } | undefined;
  const outcome = new Promise<RecordsCsvOutcome>((resolve, reject) => (settle = { resolve, reject }));
  // Read by `seqs` too: an unread rejection here is not an unhandled one.
  outcome.catch(() => {});
  const end = (how: { outcome: RecordsCsvOutcome } | { error: Error }) => {
    if (ended) return;
    ended = how;
    if ('error' in how) settle!.reject(how.error);
    else settle!.resolve(how.outcome);
    wake?.();
  };
  worker.on('message', (message: RecordsCsvMessage) => {
    if (message.kind === 'seqs') {
      batches.push(Array.from(message.seqs));
      wake?.();
    } else end({ outcome: { holds: message.holds, records: message.records } });
  });
  worker.on('error', (error) => end({ error: new RecordsThreadError(`the records thread failed: ${error.message}`) }));
  worker.on('exit', (code) => end({ error: new RecordsThreadError(`the records thread exited (code ${code}) before its check ended`) }));
  const seqs = async function* (): AsyncGenerator<readonly number[]> {
    for (;;) {
      const batch = batches.shift();
      if (batch !== undefined) yield batch;
      else if (ended) {
        if ('error' in ended) throw ended.error;
        return;
      } else await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  return {
    seqs: seqs(),
    outcome,
    stop: async () => {
      await worker.terminate();
    },
  };
}
