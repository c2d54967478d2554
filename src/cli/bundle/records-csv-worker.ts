import { parentPort, workerData } from 'node:worker_threads';
import { PushQueue } from '../../core/push-queue.js';
import { lines, openBundleZip } from './bundle-zip-reader.js';
import { checkRecordsAgainstCsv } from './records-csv-check.js';
import type { RecordsCsvMessage, RecordsCsvWorkerData, ToRecordsThread } from './records-csv-thread.js';

// The records side of `attest verify BUNDLE` (see records-csv-thread.ts): this thread opens the bundle on its
// own and inflates events.csv, is sent the pieces of records.jsonl as the other thread inflates them, and checks
// the two against each other, handing each batch's seqs to the thread that hashes the records and walks the tree.

if (!parentPort) throw new Error('records-csv-worker runs as a worker thread');
const port = parentPort;
const { path, orgId } = workerData as RecordsCsvWorkerData;
const post = (message: RecordsCsvMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

// The pieces of records.jsonl as they are sent; reading them throws when the sender could not read them.
const records = new PushQueue<Buffer>();
port.on('message', (message: ToRecordsThread) => {
  if (message.kind === 'piece') records.push(Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength));
  else if (message.kind === 'end') records.end();
  else records.fail(new Error('records.jsonl could not be read'));
});

try {
  const bundle = await openBundleZip(path);
  try {
    const outcome = await checkRecordsAgainstCsv(
      lines(() => Promise.resolve(records)),
      bundle.files.csvRows,
      orgId,
      (seqs) => post({ kind: 'seqs', seqs }, [seqs.buffer as ArrayBuffer]),
    );
    post({ kind: 'end', ...outcome });
  } finally {
    bundle.close();
  }
} catch (error) {
  // A file that does not read (a bad size, data that does not inflate, a CSV cell left open) does not hold:
  // the sequential verifier, run again, names the problem or throws what it throws.
  post({ kind: 'end', holds: false, records: 0, error: error instanceof Error ? error.message : String(error) });
}
