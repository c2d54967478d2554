import type { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { verifyOrganizationLog, type LogVerification } from '../../features/integrity/verify-organization-log.js';
import { withCliStore } from '../cli-store.js';

/** Exit codes of `attest verify` (PRODUCT.md §8): everything holds, a problem was found, bad usage. */
const EXIT_VERIFIED = 0;
const EXIT_PROBLEM = 1;
const EXIT_USAGE = 2;

/**
 * `attest verify --org ORG_ID [--json]`: checks an organization's log in the store against its records, its
 * tree and every kept signed checkpoint, and names the first event that does not hold. Exit 0 when
 * everything holds, 1 at the first problem, 2 for bad usage.
 */
export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description("check an organization's log against its records, its Merkle tree and every signed checkpoint; name the first bad event")
    .argument('[bundle]', 'a verifiable export bundle (offline verification is not available yet)')
    .option('--org <orgId>', 'the organization whose log to check in the store')
    .option('--json', 'print a machine-readable report')
    .action(async (bundle: string | undefined, options: { org?: string; json?: boolean }) => {
      if (bundle !== undefined || options.org === undefined) {
        process.stderr.write(
          bundle !== undefined
            ? 'attest verify: offline verification of a bundle is not available yet; use --org ORG_ID\n'
            : 'attest verify: name the organization with --org ORG_ID\n',
        );
        process.exit(EXIT_USAGE);
      }
      const orgId = options.org;
      const result = await withCliStore(async (store, config) => {
        const total = await store.events.lastSeq(orgId).catch(() => -1);
        const bar =
          process.stderr.isTTY && !options.json && total > 50_000
            ? new SingleBar(
                { stream: process.stderr, format: 'verifying [{bar}] {percentage}% | {value}/{total} events | ETA {eta_formatted}' },
                Presets.shades_classic,
              )
            : undefined;
        bar?.start(total + 1, 0);
        try {
          return await verifyOrganizationLog(store, orgId, config.logName, (done) => bar?.update(done));
        } finally {
          bar?.stop();
        }
      });
      process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : describe(result));
      process.exit(result.ok ? EXIT_VERIFIED : EXIT_PROBLEM);
    });
}

function describe(result: LogVerification): string {
  if (result.problem) return `NOT VERIFIED: event ${result.problem.seq}: ${result.problem.reason}\n`;
  const checked = `verified: ${result.eventsChecked} events of ${result.orgId} match their records, their tree and ${result.checkpointsChecked} signed checkpoint${result.checkpointsChecked === 1 ? '' : 's'}`;
  return `${checked}${prunedText(result)}\n`;
}

/** Which events retention purged, and when: the prefix first, then the count of any purged later. */
function prunedText(result: LogVerification): string {
  if (result.eventsPruned === 0) return '';
  const [first] = result.pruned;
  const when = (run: LogVerification['pruned'][number]) =>
    run.firstPrunedAt === run.lastPrunedAt ? `on ${run.firstPrunedAt}` : `between ${run.firstPrunedAt} and ${run.lastPrunedAt}`;
  const prefix = result.prunedBefore > 0 && first ? `; events 0–${result.prunedBefore - 1} were purged by retention ${when(first)}` : '';
  const others = result.eventsPruned - result.prunedBefore;
  const later = others > 0 ? `; ${others} later event${others === 1 ? ' was' : 's were'} purged by retention too` : '';
  return `${prefix}${later} (their leaf hashes, kept in the tree, stood in)`;
}
