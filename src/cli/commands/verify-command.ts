import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { verifyConsistentWith, type ConsistencyVerification } from '../../features/integrity/verify-consistent-with.js';
import { verifyOrganizationLog, type LogVerification } from '../../features/integrity/verify-organization-log.js';
import { IntegrityError } from '../../integrity/integrity-errors.js';
import { parseVerifierKey, type NoteVerifier } from '../../integrity/note-keys.js';
import { describeBundleReport, verifyBundleFile } from '../bundle/verify-bundle-file.js';
import { CliError, withCliStore } from '../cli-store.js';

/** Exit codes of `attest verify` (PRODUCT.md §8): everything holds, a problem was found, bad usage. */
const EXIT_VERIFIED = 0;
const EXIT_PROBLEM = 1;
const EXIT_USAGE = 2;

interface VerifyOptions {
  org?: string;
  key?: string;
  consistentWith?: string;
  json?: boolean;
}

/**
 * `attest verify`, three ways (PRODUCT.md §8), each exiting 0 when everything holds, 1 at the first problem
 * (named: which seq, what is wrong), 2 for bad usage:
 * - `attest verify BUNDLE --key VKEY [--json]`: an export bundle, offline, with the log's public key only;
 * - `attest verify --org ORG_ID [--json]`: an organization's log in the store against its records, its tree
 *   and every kept signed checkpoint;
 * - `attest verify --consistent-with CHECKPOINT_FILE --org ORG_ID [--json]`: the log only grew since a
 *   checkpoint saved earlier.
 */
export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description(
      'verify an export bundle offline (BUNDLE --key VKEY), an organization log in the store (--org), or that it only grew (--consistent-with)',
    )
    .argument('[bundle]', 'a verifiable export bundle (zip) to check offline; needs --key')
    .option('--key <vkey>', "the log's verifier key (<name>+<key id>+<base64>), or a file holding it")
    .option('--org <orgId>', 'the organization whose log to check in the store')
    .option('--consistent-with <file>', 'a signed checkpoint saved earlier: prove the log only grew since (needs --org)')
    .option('--json', 'print a machine-readable report')
    .action(async (bundle: string | undefined, options: VerifyOptions) => {
      const usage = (message: string): never => {
        process.stderr.write(`attest verify: ${message}\n`);
        process.exit(EXIT_USAGE);
      };
      if (bundle !== undefined) {
        if (options.org !== undefined || options.consistentWith !== undefined) usage('a bundle is checked offline: give --key, not --org');
        if (options.key === undefined) usage("name the log's verifier key with --key VKEY");
        if (!existsSync(bundle)) usage(`no file ${bundle}`);
        await verifyBundleCommand(bundle, await verifierOf(options.key!, usage), options.json === true);
        return;
      }
      if (options.org === undefined) usage('name a bundle (with --key) or the organization with --org ORG_ID');
      if (options.key !== undefined) usage('--key is for a bundle; --org checks the store against the keys the log published');
      if (options.consistentWith !== undefined) {
        if (!existsSync(options.consistentWith)) usage(`no file ${options.consistentWith}`);
        await consistentWithCommand(options.org!, await readFile(options.consistentWith, 'utf8'), options.json === true);
        return;
      }
      await organizationLogCommand(options.org!, options.json === true);
    });
}

/** The verifier key given on the command line, or read from the file it names. */
async function verifierOf(key: string, usage: (message: string) => never): Promise<NoteVerifier> {
  const text = !key.includes('+') && existsSync(key) ? (await readFile(key, 'utf8')).trim() : key.trim();
  try {
    return await parseVerifierKey(text);
  } catch (error) {
    if (!(error instanceof IntegrityError)) throw error;
    return usage(`--key is not a verifier key: ${error.message}`);
  }
}

async function verifyBundleCommand(file: string, verifier: NoteVerifier, json: boolean): Promise<void> {
  let report;
  try {
    report = await verifyBundleFile(file, verifier);
  } catch (error) {
    // A file that is not a bundle (not a zip, a file missing in it, data that does not inflate) is a problem
    // with what was handed over, not a crash.
    const reason =
      error instanceof CliError ? error.message : `the zip cannot be read: ${error instanceof Error ? error.message : String(error)}`;
    report = { ok: false, recordsChecked: 0, verifiedBy: [], problem: { seq: null, file, reason } };
  }
  process.stdout.write(json ? `${JSON.stringify(report)}\n` : describeBundleReport(report));
  process.exit(report.ok ? EXIT_VERIFIED : EXIT_PROBLEM);
}

async function consistentWithCommand(orgId: string, savedNote: string, json: boolean): Promise<void> {
  const result = await withCliStore((store, config) => verifyConsistentWith(store, orgId, config.logName, savedNote));
  process.stdout.write(json ? `${JSON.stringify(result)}\n` : describeConsistency(result));
  process.exit(result.ok ? EXIT_VERIFIED : EXIT_PROBLEM);
}

async function organizationLogCommand(orgId: string, json: boolean): Promise<void> {
  const result = await withCliStore(async (store, config) => {
    const total = await store.events.lastSeq(orgId).catch(() => -1);
    const bar =
      process.stderr.isTTY && !json && total > 50_000
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
  process.stdout.write(json ? `${JSON.stringify(result)}\n` : describe(result));
  process.exit(result.ok ? EXIT_VERIFIED : EXIT_PROBLEM);
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

function describeConsistency(result: ConsistencyVerification): string {
  if (result.problem) return `NOT VERIFIED: ${result.problem}\n`;
  return `verified: the log of ${result.orgId} only grew, from the saved checkpoint of ${result.savedSize} events to the latest of ${result.latestSize}\n`;
}
