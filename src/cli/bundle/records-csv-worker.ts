import { parentPort, workerData } from 'node:worker_threads';
import { openBundleZip } from './bundle-zip-reader.js';
import { checkRecordsAgainstCsv } from './records-csv-check.js';
import type { RecordsCsvMessage, RecordsCsvWorkerData } from './records-csv-thread.js';

// The records side of `attest verify BUNDLE` (see records-csv-thread.ts): this thread opens the bundle on its
// own, inflates records.jsonl and events.csv and checks them against each other, handing each batch's seqs to
// the thread that hashes the records and walks the tree.

if (!parentPort) throw new Error('records-csv-worker runs as a worker thread');
const port = parentPort;
const { path, orgId } = workerData as RecordsCsvWorkerData;
const post = (message: RecordsCsvMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

try {
  const bundle = await openBundleZip(path);
  try {
    const outcome = await checkRecordsAgainstCsv(bundle.files.records, bundle.files.csvRows, orgId, (seqs) =>
      post({ kind: 'seqs', seqs }, [seqs.buffer as ArrayBuffer]),
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
