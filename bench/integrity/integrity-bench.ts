import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex } from '../../src/integrity/bytes.js';
import { inclusionProof, verifyInclusion } from '../../src/integrity/inclusion-proof.js';
import { generateSignerKey, parseSignerKey } from '../../src/integrity/note-keys.js';
import { LogCheckpointer } from '../../src/features/integrity/log-checkpointer.js';
import { nodeMerkleHasher } from '../../src/core/node-merkle-hasher.js';
import { storedSubtrees } from '../../src/store/stored-subtrees.js';
import { openStore } from '../../src/store/open-store.js';
import type { QueryDataset } from '../dataset/query-dataset.js';
import { createBenchOrganizations, createBenchProducerKey } from '../dataset/seed-tenancy.js';
import { runLoadGenerator } from '../ingest/ingest-bench.js';
import type { LoadResult } from '../ingest/load-generator.js';
import { atLeast, atMost, type BenchFigure } from '../report/bench-figure.js';
import { summarizeLatencies, type LatencySummary } from '../report/latency-stats.js';
import { startServerChild } from '../server/server-child.js';
import { syntheticProofLookups, type SyntheticProofResult } from './synthetic-proof-tree.js';

/** Sizes of the integrity benchmark. */
export interface IntegrityBenchOptions {
  dataDir: string;
  warmupMs: number;
  durationMs: number;
  batchConcurrency: number;
  orgs: number;
  /** Inclusion proofs looked up at random in the dataset's big organization, and in the synthetic tree. */
  proofLookups: number;
  /** Leaves of the synthetic tree (`synthetic-proof-tree.ts`) proofs are timed on; 0 for none. */
  proofLeaves: number;
  /** Node options of the server children (`--cpu-prof` with `--profile`). */
  serverNodeArgs: string[];
  keepFiles: boolean;
  log: (line: string) => void;
}

/** One acknowledged probe event and when the first signed checkpoint covering it was stored. */
interface ProbeLag {
  orgId: string;
  seq: number;
  ackMs: number;
  /** Ack to the first checkpoint of a larger tree; 0 when it was signed before the answer arrived; Infinity when none came. */
  lagMs: number;
}

/** Figures plus the raw measurements for the JSON report. */
export interface IntegrityBenchResult {
  figures: BenchFigure[];
  details: {
    withTree: LoadResult;
    withoutTree: LoadResult;
    checkpointLag: LatencySummary;
    uncoveredProbes: number;
    proofs: { treeSize: number; builtLeaves: number; treeBuildSeconds: number; lookups: LatencySummary };
    syntheticProofs: SyntheticProofResult | undefined;
  };
}

/**
 * The integrity benchmark (PRODUCT.md §8). Ingest: the batch phase of the ingest benchmark (batches of 100,
 * the real server as a child, the load generator as another) on a fresh SQLite file, once with the
 * checkpointer off (`ATTEST_INTERNAL_CHECKPOINTER=off`) and once with it on; during the second the benchmark
 * also sends one single-event probe every 50 ms and afterwards reads, for each, when the first signed
 * checkpoint covering it was stored (`log_checkpoints.signed_at`, the same machine's clock): the checkpoint
 * lag. Proofs: the dataset's big organization gets its tree grown by the checkpointer (timed), then random
 * inclusion proofs are read from the stored tiles as the proof route reads them; then the same at the
 * issue's size on a synthetic tree (`synthetic-proof-tree.ts`).
 */
export async function runIntegrityBench(dataset: QueryDataset, options: IntegrityBenchOptions): Promise<IntegrityBenchResult> {
  const withoutTree = await ingestPhase(options, false);
  const { load: withTree, probes } = await ingestPhase(options, true);
  const covered = probes.filter((probe) => Number.isFinite(probe.lagMs));
  const checkpointLag = summarizeLatencies(covered.map((probe) => probe.lagMs));
  const uncoveredProbes = probes.length - covered.length;
  const proofs = await proofLookups(dataset, options);
  const syntheticProofs =
    options.proofLeaves > 0
      ? await syntheticProofLookups(options.dataDir, options.proofLeaves, options.proofLookups, options.log)
      : undefined;
  const ratio = withTree.eventsPerSecond / withoutTree.load.eventsPerSecond;
  const figures: BenchFigure[] = [
    {
      section: 'integrity',
      name: 'HTTP batches of 100, no tree (checkpointer off)',
      value: withoutTree.load.eventsPerSecond,
      unit: 'events/s',
    },
    {
      section: 'integrity',
      name: 'HTTP batches of 100, tree and checkpoints maintained',
      value: withTree.eventsPerSecond,
      unit: 'events/s',
    },
    atLeast({ section: 'integrity', name: 'ingest with the tree / without', value: ratio, unit: 'ratio' }, 0.9),
    {
      section: 'integrity',
      name: 'checkpoint lag (ack → covering signed checkpoint), p50',
      value: checkpointLag.p50,
      unit: 'ms',
      note: `${probes.length} probes during the batches`,
    },
    atMost(
      {
        section: 'integrity',
        name: 'checkpoint lag (ack → covering signed checkpoint), p99',
        value: checkpointLag.p99,
        unit: 'ms',
        note: uncoveredProbes > 0 ? `${uncoveredProbes} probes never covered` : `max ${checkpointLag.max.toFixed(0)} ms`,
      },
      1000,
    ),
    ...(proofs.builtLeaves > 0
      ? [
          {
            section: 'integrity' as const,
            name: `tree build of ${proofs.builtLeaves.toLocaleString('en-US')} leaves (checkpointer catching up)`,
            value: proofs.builtLeaves / proofs.treeBuildSeconds,
            unit: 'leaves/s',
            note: `${proofs.treeBuildSeconds.toFixed(1)} s; kept in the cached dataset`,
          },
        ]
      : []),
    atMost(
      {
        section: 'integrity',
        name: `inclusion proof lookup at ${proofs.treeSize.toLocaleString('en-US')} leaves, p95`,
        value: proofs.lookups.p95,
        unit: 'ms',
        note: `p50 ${proofs.lookups.p50.toFixed(2)} ms, ${proofs.lookups.count} lookups; the target is for 10M`,
      },
      5,
    ),
    ...(syntheticProofs ? syntheticProofFigures(syntheticProofs) : []),
  ];
  return { figures, details: { withTree, withoutTree: withoutTree.load, checkpointLag, uncoveredProbes, proofs, syntheticProofs } };
}

function syntheticProofFigures(result: SyntheticProofResult): BenchFigure[] {
  const leaves = result.treeSize.toLocaleString('en-US');
  return [
    ...(result.buildSeconds === undefined
      ? []
      : [
          {
            section: 'integrity' as const,
            name: `synthetic tree of ${leaves} leaves built through the store (tiles, 5000 leaves a transaction)`,
            value: result.treeSize / result.buildSeconds,
            unit: 'leaves/s',
            note: `${result.buildSeconds.toFixed(0)} s; cached`,
          },
        ]),
    atMost(
      {
        section: 'integrity',
        name: `inclusion proof lookup at ${leaves} synthetic leaves (stored tiles, no events), p95`,
        value: result.lookups.p95,
        unit: 'ms',
        note: `p50 ${result.lookups.p50.toFixed(2)} ms, CPU p50/p95 ${result.lookupCpu.p50.toFixed(2)}/${result.lookupCpu.p95.toFixed(2)} ms, ${result.lookups.count} lookups; ${result.storedTiles.toLocaleString('en-US')} tiles, ${(result.storedBytes / 2 ** 20).toFixed(0)} MiB`,
      },
      5,
    ),
  ];
}

async function ingestPhase(options: IntegrityBenchOptions, tree: boolean): Promise<{ load: LoadResult; probes: ProbeLag[] }> {
  const dir = join(options.dataDir, `integrity-${tree ? 'tree' : 'no-tree'}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const databaseUrl = `sqlite:${join(dir, 'attest.db')}`;
  try {
    const seed = await openStore(databaseUrl);
    const orgIds = await createBenchOrganizations(seed, options.orgs, 'Integrity Org');
    const producerKey = await createBenchProducerKey(seed, ['UserManagement']);
    await seed.close();
    const server = await startServerChild({
      databaseUrl,
      nodeArgs: options.serverNodeArgs,
      env: { ATTEST_LOG_KEY_FILE: join(dir, 'log-key'), ATTEST_INTERNAL_CHECKPOINTER: tree ? 'on' : 'off' },
    });
    let load: LoadResult;
    let acks: Array<Omit<ProbeLag, 'lagMs'>> = [];
    try {
      options.log(
        `integrity: batches of 100, ${tree ? 'with the tree and checkpoints' : 'checkpointer off'}, ${(options.warmupMs + options.durationMs) / 1000} s…`,
      );
      const batchLoad = runLoadGenerator({
        url: server.url,
        producerKey,
        orgIds,
        warmupMs: options.warmupMs,
        durationMs: options.durationMs,
        eventsPerRequest: 100,
        concurrency: options.batchConcurrency,
        seed: 3,
      });
      if (tree) [load, acks] = await Promise.all([batchLoad, probeAcks(server.url, producerKey, orgIds, batchLoad, options.warmupMs)]);
      else load = await batchLoad;
      // The last probes' checkpoints: a second is the target, two leave room to see a miss.
      if (tree) await new Promise((resolve) => setTimeout(resolve, 2000));
    } finally {
      await server.stop();
    }
    return { load, probes: tree ? await checkpointLags(databaseUrl, acks) : [] };
  } finally {
    if (!options.keepFiles) rmSync(dir, { recursive: true, force: true });
  }
}

/** Sends one single-event request every 50 ms after the warm-up until `load` settles; each ack's org, seq and time. */
async function probeAcks(
  url: string,
  producerKey: string,
  orgIds: string[],
  load: Promise<unknown>,
  warmupMs: number,
): Promise<Array<Omit<ProbeLag, 'lagMs'>>> {
  let done = false;
  void load.finally(() => (done = true));
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  const acks: Array<Omit<ProbeLag, 'lagMs'>> = [];
  for (let i = 0; !done; i += 1) {
    const orgId = orgIds[i % orgIds.length]!;
    const response = await fetch(`${url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${producerKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [{ type: 'user.standard.added', orgId, actor: { id: 'probe', type: 'service' }, entity: { id: `probe-${i}` } }],
      }),
    });
    const ackMs = Date.now();
    if (response.status === 201) {
      const { events } = (await response.json()) as { events: Array<{ seq: number }> };
      acks.push({ orgId, seq: events[0]!.seq, ackMs });
    } else await response.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return acks;
}

/** For each ack, how long after it the first checkpoint covering its seq was stored. */
async function checkpointLags(databaseUrl: string, acks: ReadonlyArray<Omit<ProbeLag, 'lagMs'>>): Promise<ProbeLag[]> {
  const store = await openStore(databaseUrl);
  try {
    const lags: ProbeLag[] = [];
    for (const ack of acks) {
      const row = await store.db
        .selectFrom('log_checkpoints')
        .select((eb) => eb.fn.min('signed_at').as('signedAt'))
        .where('org_id', '=', ack.orgId)
        .where('tree_size', '>', ack.seq)
        .executeTakeFirst();
      const signedAt = row?.signedAt === null || row?.signedAt === undefined ? undefined : Number(row.signedAt);
      lags.push({ ...ack, lagMs: signedAt === undefined ? Number.POSITIVE_INFINITY : Math.max(0, signedAt - ack.ackMs) });
    }
    return lags;
  } finally {
    await store.close();
  }
}

/** Grows the big organization's tree in the dataset (once; it stays in the cached file), then times random inclusion proofs. */
async function proofLookups(dataset: QueryDataset, options: IntegrityBenchOptions): Promise<IntegrityBenchResult['details']['proofs']> {
  const store = await openStore(`sqlite:${dataset.path}`);
  try {
    const orgId = dataset.bigOrgId;
    const signer = await parseSignerKey(await generateSignerKey('attest.bench'));
    const checkpointer = new LogCheckpointer(store, signer, 'attest.bench');
    options.log(`integrity: growing the tree of the dataset's big organization (${dataset.bigOrgEvents.toLocaleString('en-US')} events)…`);
    const before = (await store.merkleTrees.head(orgId)).size;
    const started = performance.now();
    const checkpoint = await checkpointer.checkpointOrganization(orgId);
    const treeBuildSeconds = (performance.now() - started) / 1000;
    if (!checkpoint) throw new Error('the dataset has no events in its big organization');
    const size = checkpoint.treeSize;
    const root = fromHex(checkpoint.rootHash)!;
    const source = storedSubtrees(store, orgId);
    options.log(`integrity: ${options.proofLookups} inclusion proofs at ${size.toLocaleString('en-US')} leaves…`);
    const samples: number[] = [];
    let state = 0x9e3779b9;
    for (let i = 0; i < options.proofLookups; i += 1) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      const index = state % size;
      const begun = performance.now();
      const proof = await inclusionProof(index, size, source, nodeMerkleHasher);
      samples.push(performance.now() - begun);
      // Every tenth proof is checked, outside the timing: a fast wrong proof would be worthless.
      if (i % 10 === 0) {
        const [leaf] = await store.merkleTrees.treeLeaves(orgId, index, 1);
        await verifyInclusion(nodeMerkleHasher, { index, size, leafHash: fromHex(leaf!.hash)!, proof, root });
      }
    }
    return { treeSize: size, builtLeaves: size - before, treeBuildSeconds, lookups: summarizeLatencies(samples) };
  } finally {
    await store.close();
  }
}
