import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { AttestError } from '../../core/errors.js';
import { isUuid } from '../../core/ids.js';
import { newTraceId } from '../../core/trace-context.js';
import { auditLogCsvStream } from '../../features/audit-logs/export/audit-log-csv-stream.js';
import { recordedExportChunks, type ExportFormat } from '../../features/audit-logs/export/recorded-export.js';
import {
  hasAnyFilter,
  parseAuditLogFilters,
  resolveExportQuery,
  type AuditLogQueryParams,
  type ExportScope,
} from '../../features/audit-logs/query/audit-log-query.js';
import { findOrganization } from '../../store/queries/tenancy-queries.js';
import { CliError, withCliStore } from '../cli-store.js';

interface ExportOptions {
  org: string;
  scope?: string;
  format: string;
  out: string;
  from?: string;
  to?: string;
  action?: string[];
  actor?: string;
  security?: boolean;
  type?: string[];
  product?: string[];
}

/** A rejected parameter in the words of the API's problem details, for the terminal. */
function cliErrorOf(error: AttestError): CliError {
  const reasons = error.errors.map((e) => `--${e.field} ${e.reason}`).join('; ');
  return new CliError(reasons ? `${error.message} (${reasons})` : error.message);
}

/**
 * `attest export`: the same CSV (or, with `--format bundle`, the same verifiable bundle) as
 * `GET /audit-logs/export`, written to a file (first to `<out>.partial`, renamed when complete, so a failed
 * export never leaves a file that looks whole), with a progress bar on stderr, and recorded as
 * `audit_log.exported` by the system actor `cli`.
 */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description("export an organization's audit log to a CSV file (same columns as the web export) or a verifiable bundle")
    .requiredOption('--org <orgId>', 'organization id')
    .requiredOption('--out <file>', 'file to write (CSV, or a zip with --format bundle)')
    .option('--format <format>', 'csv, or bundle: a zip that `attest verify BUNDLE --key VKEY` checks offline', 'csv')
    .option(
      '--scope <scope>',
      'all: everything retained; filtered: the filters and range (default: filtered when a filter is given, else all)',
    )
    .option('--from <iso>', "start of the range, inclusive (ISO-8601; without an offset: the organization's zone)")
    .option('--to <iso>', 'end of the range, exclusive (ISO-8601)')
    .option('--action <action...>', 'action type(s), e.g. Create Update')
    .option('--actor <email>', 'actor email')
    .option('--security', 'only security actions')
    .option('--type <type...>', 'event type(s)')
    .option('--product <product...>', 'product area(s)')
    .action(async (options: ExportOptions) => {
      const params: AuditLogQueryParams = {
        from: options.from,
        to: options.to,
        action: options.action,
        actor: options.actor,
        security: options.security,
        type: options.type,
        product: options.product,
      };
      const rows = await withCliStore(async (store, config) => {
        const org = isUuid(options.org) ? await findOrganization(store.db, options.org) : undefined;
        if (!org) throw new CliError(`no organization ${options.org}`);
        let scope: ExportScope;
        let query;
        const format = options.format as ExportFormat;
        if (format !== 'csv' && format !== 'bundle') throw new CliError(`--format must be csv or bundle (got ${options.format})`);
        const checkpoint = format === 'bundle' ? await store.merkleTrees.latestCheckpoint(org.id) : undefined;
        if (format === 'bundle' && !checkpoint)
          throw new CliError(
            `the log of ${org.id} has no signed checkpoint yet to prove a bundle against; start the server, then try again`,
          );
        try {
          scope = (options.scope ?? (hasAnyFilter(parseAuditLogFilters(params)) ? 'filtered' : 'all')) as ExportScope;
          if (scope !== 'all' && scope !== 'filtered') throw new CliError(`--scope must be all or filtered (got ${options.scope})`);
          query = resolveExportQuery(scope, params, {
            orgId: org.id,
            nowMs: store.clock.now(),
            retentionDays: config.retentionDays,
            timeZone: org.timeZone,
          });
        } catch (error) {
          throw error instanceof AttestError ? cliErrorOf(error) : error;
        }
        // A bundle holds the events below its checkpoint; the count of the filter is close enough for the bar.
        const total = await store.events.count(query.filter);
        const bar = new SingleBar(
          { stream: process.stderr, format: 'exporting [{bar}] {percentage}% | {value}/{total} events | ETA {eta_formatted}' },
          Presets.shades_classic,
        );
        bar.start(total, 0);
        let written = 0;
        const chunks = recordedExportChunks({
          store,
          query,
          scope,
          format,
          checkpoint,
          timeZone: org.timeZone,
          reader: { id: 'cli', name: 'attest CLI', email: null, type: 'system' },
          log: { orgId: org.id, orgName: org.name },
          traceId: newTraceId(),
          retentionDays: config.retentionDays,
          onRows: (n) => {
            written = n;
            // Events may arrive between the count and the last page; grow the bar rather than overflow it.
            if (n > total) bar.setTotal(n);
            bar.update(n);
          },
        });
        const partial = `${options.out}.partial`;
        try {
          await pipeline(auditLogCsvStream(chunks), createWriteStream(partial));
          await rename(partial, options.out);
        } catch (error) {
          await rm(partial, { force: true });
          throw error;
        } finally {
          bar.stop();
        }
        return written;
      });
      process.stderr.write(`exported ${rows} event${rows === 1 ? '' : 's'} to ${options.out}\n`);
    });
}
