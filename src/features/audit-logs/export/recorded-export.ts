import type { AttestStore } from '../../../store/attest-store.js';
import { prepareLogAccessEvent, type LogReader, type ReadLog } from '../query/audit-log-access-events.js';
import { describeQuery, type ExportScope, type ResolvedAuditLogQuery } from '../query/audit-log-query.js';
import { auditLogCsvChunks } from './audit-log-csv-stream.js';

/** Everything an export needs: what to read, who reads it, and where the record of it goes. */
export interface RecordedExportOptions {
  store: AttestStore;
  query: ResolvedAuditLogQuery;
  scope: ExportScope;
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
 * The CSV chunks of an export, followed by the `audit_log.exported` record (PRODUCT.md §3): the filters, the
 * scope and the row count. The record is committed before the stream ends, so a finished download always has
 * its event. A download cut short (client gone, disk full) is recorded too, with `completed: false` and the
 * rows handed out until then: whatever left the building is accounted for.
 */
export async function* recordedExportChunks(options: RecordedExportOptions): AsyncGenerator<string> {
  let rowCount = 0;
  let recorded = false;
  const record = async (completed: boolean) => {
    recorded = true;
    const metadata = { scope: options.scope, ...describeQuery(options.query), rowCount, completed };
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
    yield* auditLogCsvChunks(options.store.events, options.query.filter, options.timeZone, progress);
    await record(true);
  } finally {
    if (!recorded) await record(false).catch((error: unknown) => options.onRecordError?.(error));
  }
}
