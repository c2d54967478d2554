import type { Command } from 'commander';
import { purgeExpiredEvents } from '../../retention/purge-scheduler.js';
import { withCliStore } from '../cli-store.js';

/** `attest purge`: deletes expired events now, in small batches, beside a running server. */
export function registerPurgeCommand(program: Command): void {
  program
    .command('purge')
    .description('delete audit events past their retention, in small batches (safe beside a running server)')
    .action(async () => {
      const deleted = await withCliStore((store, config) => purgeExpiredEvents(store, undefined, config.retentionDays));
      process.stderr.write(`purged ${deleted} expired event${deleted === 1 ? '' : 's'}\n`);
    });
}
