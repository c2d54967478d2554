import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditEventRecord } from '../../src/events/audit-event.js';
import { auditLogCsvChunks } from '../../src/features/audit-logs/export/audit-log-csv-stream.js';
import { csvHeader } from '../../src/features/audit-logs/export/audit-log-csv-columns.js';
import type { EventFilter, EventLogReader } from '../../src/store/event-log-reader.js';
import { configureProperties } from './fast-check-settings.js';

// The audit CSV export read back by csv-parse gives every cell as written (RFC 4180 quoting of commas, quotes
// and line breaks), with only the formula neutralization (a leading ') added to cells a spreadsheet would run.

configureProperties(150);

const text = fc.oneof(
  fc.string(),
  fc.constantFrom('=SUM(A1)', '+1', '-2', '@cmd', '\tx', '\rx', 'a,b', 'say "hi"', 'line\nbreak', 'crlf\r\nend', ''),
);

const event: fc.Arbitrary<AuditEventRecord> = fc.record({
  logId: fc.uuid(),
  orgId: fc.uuid(),
  seq: fc.nat(),
  product: fc.constantFrom('UserManagement', 'AuditLogs'),
  type: fc.constant('user.standard.added'),
  action: fc.constantFrom('Create', 'Update'),
  activity: text,
  description: text,
  securityAction: fc.boolean(),
  occurredAt: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  recordedAt: fc.constant('2026-01-01T00:00:00.000Z'),
  actor: fc.record({
    id: text,
    name: fc.option(text, { nil: null }),
    email: fc.option(text, { nil: null }),
    type: fc.constant('user' as const),
  }),
  entity: fc.record({ id: text, name: fc.option(text, { nil: null }), type: text, product: fc.constant('UserManagement') }),
  traceId: fc.stringMatching(/^[0-9a-f]{32}$/),
  expiresAt: fc.constant('2026-04-01T00:00:00.000Z'),
  leafHash: fc.stringMatching(/^[0-9a-f]{64}$/),
});

/** What the export promises for a cell: the value, with a leading ' when it would start a formula. */
function expectedCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The export's own page source, over a fixed list: the writer under test is the real one. */
function readerOf(pages: AuditEventRecord[][]): EventLogReader {
  return {
    async *pages(_filter: EventFilter, _size: number) {
      for (const page of pages) yield page;
    },
  } as unknown as EventLogReader;
}

describe('CSV export (property)', () => {
  it('reads back, through csv-parse, exactly the cells it wrote', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(event, { maxLength: 4 }), { maxLength: 3 }), async (pages) => {
        let csv = '';
        for await (const chunk of auditLogCsvChunks(readerOf(pages), {} as EventFilter, 'UTC')) csv += chunk;
        const rows = parse(csv, { bom: true, relaxQuotes: false }) as string[][];
        expect(rows[0]).toEqual(csvHeader('UTC'));
        const events = pages.flat();
        expect(rows).toHaveLength(events.length + 1);
        events.forEach((e, i) => {
          const row = rows[i + 1] as string[];
          expect(row[0]).toBe(e.logId);
          expect(row[2]).toBe(e.occurredAt);
          expect(row[4]).toBe(expectedCell(e.activity));
          expect(row[5]).toBe(expectedCell(e.description));
          expect(row[6]).toBe(e.securityAction ? 'Yes' : 'No');
          expect(row[7]).toBe(expectedCell(e.entity.name ?? ''));
          expect(row[9]).toBe(expectedCell(e.entity.id));
          expect(row[11]).toBe(expectedCell(e.actor.name ?? ''));
          expect(row[12]).toBe(expectedCell(e.actor.email ?? ''));
        });
      }),
    );
  });
});
