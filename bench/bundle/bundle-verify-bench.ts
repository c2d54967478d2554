import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { DAY_MS } from '../../src/config.js';
import { seededRandom } from '../../src/core/seeded-random.js';
import type { PreparedEvent } from '../../src/events/audit-event.js';
import { auditLogBundleStream } from '../../src/features/audit-logs/export/audit-log-bundle.js';
import { LogCheckpointer } from '../../src/features/integrity/log-checkpointer.js';
import { generateSignerKey, parseSignerKey } from '../../src/integrity/note-keys.js';
import { openStore } from '../../src/store/open-store.js';
import { atMost, type BenchFigure } from '../report/bench-figure.js';
import { measureBundleVerifyFloor, type BundleVerifyFloor } from './bundle-verify-floor.js';
import { createBenchOrganizations } from '../dataset/seed-tenancy.js';
import { SyntheticEventSource, syntheticActors } from '../dataset/synthetic-events.js';

const EVENTS_PER_TRANSACTION = 10_000;
const RETENTION_MS = 90 * DAY_MS;
const LOG_NAME = 'attest.bench';
// USER_HZ, what /proc counts CPU time in: 100 on every Linux Node runs on.
const CLOCK_TICKS_PER_SECOND = 100;
// dist/bench/bundle/ → the repository root, where bin/attest.js is.
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** What the bundle benchmark measured besides its figures. */
export interface BundleBenchResult {
  figures: BenchFigure[];
  details: {
    events: number;
    bundleBytes: number;
    loadSeconds: number;
    checkpointSeconds: number;
    exportSeconds: number;
    verifySeconds: number;
    /** User and system CPU seconds of the `attest verify` child (all its threads); null where /proc is missing. */
    verifyCpu: { userSeconds: number; systemSeconds: number } | null;
    /** The 1-minute load average as the verify ended: the wall time is the machine's as much as the code's. */
    verifyLoadAverage: number;
    /** CPU seconds of reading, parsing and hashing the bundle on their own: the floor under any verifier. */
    floor: BundleVerifyFloor;
  };
}

/**
 * `attest verify` of a verifiable export bundle (issue 14's target: 1,000,000 records in ≤ 10 s). Builds a
 * fresh SQLite store with one organization of `events` synthetic events, grows its Merkle tree and signs a
 * checkpoint (the server's checkpointer), writes the scope=all bundle with the export's own stream, then times
 * the real CLI, `node bin/attest.js verify BUNDLE --key VKEY --json`, as a child process: open the zip, inflate
 * and check every record, leaf hash, CSV row and the proof. The load, checkpoint and export times are figures
 * too, without targets.
 */
export async function runBundleVerifyBench(options: {
  dataDir: string;
  events: number;
  keepFiles: boolean;
  log: (line: string) => void;
}): Promise<BundleBenchResult> {
  const { dataDir, events, log } = options;
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, `bundle-${events}.db`);
  const bundlePath = join(dataDir, `bundle-${events}.zip`);
  // Kept with --keep beside the bundle, to run `attest verify` on it again by hand.
  const keyPath = join(dataDir, `bundle-${events}.vkey`);
  const removeFiles = () => {
    for (const file of [path, `${path}-wal`, `${path}-shm`, bundlePath, keyPath]) rmSync(file, { force: true });
  };
  removeFiles();
  const store = await openStore(`sqlite:${path}`);
  let details: BundleBenchResult['details'];
  let vkey: string;
  try {
    const [orgId] = await createBenchOrganizations(store, 1, 'Bundle Organization');
    if (!orgId) throw new Error('no organization was created');
    const source = new SyntheticEventSource(seededRandom(14), syntheticActors(200));
    const startMs = Date.now() - 80 * DAY_MS;
    const stepMs = (79 * DAY_MS) / events;
    log(`bundle: loading ${events.toLocaleString('en-US')} events into ${path}…`);
    let started = performance.now();
    for (let offset = 0; offset < events; offset += EVENTS_PER_TRANSACTION) {
      const batch: PreparedEvent[] = [];
      for (let i = offset; i < Math.min(events, offset + EVENTS_PER_TRANSACTION); i++)
        batch.push(source.prepared(orgId, Math.floor(startMs + i * stepMs), RETENTION_MS));
      await store.appendEvents(batch);
    }
    const loadSeconds = (performance.now() - started) / 1000;

    const signer = await parseSignerKey(await generateSignerKey(LOG_NAME));
    vkey = signer.verifierKey;
    writeFileSync(keyPath, `${vkey}\n`);
    started = performance.now();
    const checkpoint = await new LogCheckpointer(store, signer, LOG_NAME).checkpointOrganization(orgId);
    if (!checkpoint) throw new Error('no checkpoint was signed');
    const checkpointSeconds = (performance.now() - started) / 1000;
    log(`bundle: tree grown and checkpoint signed in ${checkpointSeconds.toFixed(1)} s; writing the bundle…`);

    started = performance.now();
    await pipeline(
      auditLogBundleStream({ store, orgId, scope: 'all', timeZone: 'Europe/Paris', checkpoint }),
      createWriteStream(bundlePath),
    );
    const exportSeconds = (performance.now() - started) / 1000;
    details = {
      events,
      bundleBytes: statSync(bundlePath).size,
      loadSeconds,
      checkpointSeconds,
      exportSeconds,
      verifySeconds: 0,
      verifyCpu: null,
      verifyLoadAverage: 0,
      floor: { readSeconds: 0, parseSeconds: 0, hashSeconds: 0 },
    };
  } finally {
    await store.close();
  }

  log(`bundle: ${(details.bundleBytes / 1_048_576).toFixed(0)} MiB written in ${details.exportSeconds.toFixed(1)} s; attest verify…`);
  const cpuBefore = endedChildrenCpu();
  const started = performance.now();
  const { code, stdout } = await runAttest(['verify', bundlePath, '--key', vkey, '--json']);
  details.verifySeconds = (performance.now() - started) / 1000;
  const cpuAfter = endedChildrenCpu();
  details.verifyLoadAverage = loadavg()[0]!;
  if (cpuBefore && cpuAfter)
    details.verifyCpu = { userSeconds: cpuAfter.user - cpuBefore.user, systemSeconds: cpuAfter.system - cpuBefore.system };
  const report = JSON.parse(stdout) as { ok: boolean; recordsChecked: number };
  if (code !== 0 || !report.ok || report.recordsChecked !== events) throw new Error(`attest verify did not verify the bundle: ${stdout}`);
  log('bundle: the floor (reading, parsing and hashing the records on their own)…');
  details.floor = await measureBundleVerifyFloor(bundlePath);
  if (!options.keepFiles) removeFiles();

  const count = events.toLocaleString('en-US');
  const load = `load average ${details.verifyLoadAverage.toFixed(1)} on ${availableParallelism()} cores`;
  const cpu = details.verifyCpu;
  return {
    figures: [
      atMost(
        {
          section: 'bundle',
          name: `attest verify of a ${count}-record bundle (child process, offline)`,
          value: details.verifySeconds,
          unit: 's',
          note: load,
        },
        10,
      ),
      ...(cpu
        ? [
            // No target here: the verifier checks a large bundle on two threads, so its CPU time is meant to
            // exceed its wall time; the figure shows what the second thread costs and is less bound to the load.
            {
              section: 'bundle' as const,
              name: `attest verify of the ${count}-record bundle: CPU time, user + system, all threads`,
              value: cpu.userSeconds + cpu.systemSeconds,
              unit: 's',
              note: `${cpu.userSeconds.toFixed(2)} s user, ${cpu.systemSeconds.toFixed(2)} s system; less bound to the load than the wall time`,
            },
          ]
        : []),
      {
        section: 'bundle',
        name: `floor under any verifier of the ${count}-record bundle: CPU to read, JSON.parse and hash the records`,
        value: details.floor.readSeconds + details.floor.parseSeconds + details.floor.hashSeconds,
        unit: 's',
        note: `inflate and split the long files ${details.floor.readSeconds.toFixed(2)} s + JSON.parse ${details.floor.parseSeconds.toFixed(2)} s + SHA-256 ${details.floor.hashSeconds.toFixed(2)} s, one thread each`,
      },
      { section: 'bundle', name: `write the ${count}-record bundle (export stream, in process)`, value: details.exportSeconds, unit: 's' },
      { section: 'bundle', name: `grow the tree of ${count} leaves and sign (checkpointer)`, value: details.checkpointSeconds, unit: 's' },
    ],
    details,
  };
}

/**
 * User and system CPU seconds of this process's children that have ended and been waited for (`cutime` and
 * `cstime` of /proc/self/stat, in clock ticks of 1/100 s), or null off Linux. Read before and after the one
 * child the bundle phase runs, the difference is that child's CPU time, every thread of it counted.
 */
function endedChildrenCpu(): { user: number; system: number } | null {
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return null;
  }
  // Fields 16 and 17, counted after the parenthesized command name (field 2), which may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = (field: number) => Number(fields[field - 3]) / CLOCK_TICKS_PER_SECOND;
  return { user: ticks(16), system: ticks(17) };
}

function runAttest(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'attest.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}
