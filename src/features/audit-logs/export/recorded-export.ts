import type { AttestStore } from '../../../store/attest-store.js';
import { prepareLogAccessEvent, type LogReader, type ReadLog } from '../query/audit-log-access-events.js';
import { describeQuery, type ExportScope, type ResolvedAuditLogQuery } from '../query/audit-log-query.js';
import type { StoredCheckpoint } from '../../../store/merkle-tree-store.js';
import { auditLogBundleStream } from './audit-log-bundle.js';
import { auditLogCsvChunks } from './audit-log-csv-stream.js';

/** What an export hands out: the CSV (the default), or the verifiable bundle (a zip, PRODUCT.md §8). */
export type ExportFormat = 'csv' | 'bundle';

/** Everything an export needs: what to read, who reads it, and where the record of it goes. */
export interface RecordedExportOptions {
  store: AttestStore;
  query: ResolvedAuditLogQuery;
  scope: ExportScope;
  /** The CSV unless told; a bundle is proven against `checkpoint`. */
  format?: ExportFormat;
  checkpoint?: StoredCheckpoint;
  timeZone: string;
  reader: LogReader;
  log: ReadLog;
  traceId: string;
  retentionDays: number;
  /** Rows written so far, after each page (progress bars). */
  onRows?(rowsSoFar: number): void;
  /** Recording a download cut short failed; nobody is left to answer, so the caller logs it. */
  onRecordError?(error: unknown): void;
}

/**
 * The chunks of an export (CSV text, or the bundle's zip bytes), followed by the `audit_log.exported` record
 * (PRODUCT.md §3): the format, the filters, the scope and the row count (a bundle's: the records in it, and
 * the size of the checkpoint they are proven against). The record is committed before the stream ends, so a finished download always has
 * its event. A download cut short (client gone, disk full) is recorded too, with `completed: false` and the
 * rows handed out until then: whatever left the building is accounted for.
 */
export async function* recordedExportChunks(options: RecordedExportOptions): AsyncGenerator<string | Buffer> {
  const format = options.format ?? 'csv';
  let rowCount = 0;
  let recorded = false;
  const record = async (completed: boolean) => {
    recorded = true;
    const metadata = {
      format,
      scope: options.scope,
      ...describeQuery(options.query),
      ...(options.checkpoint && format === 'bundle' ? { treeSize: options.checkpoint.treeSize } : {}),
      rowCount,
      completed,
    };
    const now = options.store.clock.now();
    const event = prepareLogAccessEvent('audit_log.exported', options.reader, options.log, metadata, {
      nowMs: now,
      retentionDays: options.retentionDays,
      traceId: options.traceId,
    });
    await options.store.appendEvents([event]);
  };
  try {
    const progress = {
      onRows: (rows: number) => {
        rowCount = rows;
        options.onRows?.(rows);
      },
    };
    if (format === 'bundle') yield* bundleChunks(options, progress.onRows);
    else yield* auditLogCsvChunks(options.store.events, options.query.filter, options.timeZone, progress);
    await record(true);
  } finally {
    if (!recorded) await record(false).catch((error: unknown) => options.onRecordError?.(error));
  }
}

/** The bundle's zip bytes, pulled from its stream only as fast as they are taken. */
async function* bundleChunks(options: RecordedExportOptions, onRows: (rows: number) => void): AsyncGenerator<Buffer> {
  if (!options.checkpoint) throw new Error('a bundle export needs the checkpoint it is proven against');
  const zip = auditLogBundleStream({
    store: options.store,
    orgId: options.query.filter.orgId,
    scope: options.scope,
    // Everything below the checkpoint, or what the filters keep of it (proof.json repeats them).
    ...(options.scope === 'filtered' ? { filter: options.query.filter, filters: describeQuery(options.query) } : {}),
    timeZone: options.timeZone,
    checkpoint: options.checkpoint,
    onRows,
  });
  for await (const chunk of zip) yield chunk as Buffer;
}
