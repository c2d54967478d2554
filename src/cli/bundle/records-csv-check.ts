import { BatchReader } from '../../integrity/batch-reader.js';
import { csvHeaderProblem, csvRowProblem } from '../../integrity/bundle-csv.js';
import { parseRecordLine } from '../../integrity/bundle-format.js';

/** What the records side of a parallel bundle check found. */
export interface RecordsCsvOutcome {
  /** Every record parsed, was of the organization and had a CSV row saying the same, and no row was left over. */
  readonly holds: boolean;
  /** Records checked before the end or the first problem. */
  readonly records: number;
}

/**
 * The half of `verifyBundle`'s checks that reads the records as JSON, run by the verifier's second thread
 * (`records-csv-worker.ts`) while the first hashes the same lines and walks the tree: the CSV header is the
 * export's, each line of `records.jsonl` is a JSON record with a seq, of the checkpoint's organization, and its
 * CSV row says what it says; `events.csv` has no row more. The seq of each record goes to `onSeqs`, a batch per
 * batch of lines, for the other thread to hold against the listed leaves. It stops at the first problem
 * without naming it: the sequential verifier, run again on the bundle, names it in its own words and order.
 * What reading the files throws, it throws.
 */
export async function checkRecordsAgainstCsv(
  records: AsyncIterable<readonly string[]>,
  csvRows: AsyncIterable<readonly (readonly string[])[]>,
  orgId: string,
  onSeqs: (seqs: Float64Array) => void,
): Promise<RecordsCsvOutcome> {
  const rows = new BatchReader(csvRows);
  let checked = 0;
  const outcome = (holds: boolean): RecordsCsvOutcome => ({ holds, records: checked });
  await rows.fill();
  const header = rows.shift();
  if (header === undefined || csvHeaderProblem(header) !== undefined) return outcome(false);
  for await (const lines of records) {
    const seqs = new Float64Array(lines.length);
    for (const [i, line] of lines.entries()) {
      const record = parseRecordLine(line);
      if (record === undefined || record.orgId !== orgId) return outcome(false);
      if (!rows.ready) await rows.fill();
      const row = rows.shift();
      if (row === undefined || csvRowProblem(row, record) !== undefined) return outcome(false);
      seqs[i] = record.seq;
      checked += 1;
    }
    onSeqs(seqs);
  }
  await rows.fill();
  return outcome(rows.shift() === undefined);
}
