import type { Command } from 'commander';
import { DAY_MS } from '../../config.js';
import { pruneCheckpoints } from '../../retention/checkpoint-pruning.js';
import { purgeExpiredEvents } from '../../retention/purge-scheduler.js';
import { withCliStore } from '../cli-store.js';

/** `attest purge`: deletes expired events and the checkpoints retention no longer keeps, now, in small batches, beside a running server. */
export function registerPurgeCommand(program: Command): void {
  program
    .command('purge')
    .description(
      'delete audit events past their retention, in small batches, and checkpoints beyond the hourly ones (safe beside a running server)',
    )
    .action(async () => {
      const { deleted, dropped } = await withCliStore(async (store, config) => ({
        deleted: await purgeExpiredEvents(store, undefined, config.retentionDays),
        dropped: await pruneCheckpoints(store, config.retentionDays * DAY_MS),
      }));
      process.stderr.write(
        `purged ${deleted} expired event${deleted === 1 ? '' : 's'}; dropped ${dropped} checkpoint${dropped === 1 ? '' : 's'}\n`,
      );
    });
}
