import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAY_MS } from '../../src/config.js';
import type { PreparedEvent } from '../../src/events/audit-event.js';
import { openStore } from '../../src/store/open-store.js';
import { createBenchOrganizations } from './seed-tenancy.js';
import { SyntheticEventSource, syntheticActors } from './synthetic-events.js';
import { seededRandom } from '../../src/core/seeded-random.js';

/**
 * Bump when the generated data or its layout in the file changes, so cached datasets are rebuilt. 2: rows
 * clustered by organization (migration 0004), which a file written before keeps unclustered.
 */
const DATASET_VERSION = 2;
/** Default retention (PRODUCT.md §5): stored `expiresAt` is `occurredAt` + this. */
const RETENTION_MS = 90 * DAY_MS;
/**
 * Events span 89 days, not the full 90: the server purges expired events when it starts, and a dataset whose
 * oldest day expires leaves a margin of one day in which the cached file can be reused unchanged.
 */
const SPREAD_MS = 89 * DAY_MS;
const EVENTS_PER_TRANSACTION = 10_000;
const ACTOR_COUNT = 200;
const SMALL_ORG_ACTORS = 20;

/** What shapes a query dataset; a cached file is reused only when all of it matches. */
export interface QueryDatasetShape {
  events: number;
  /** Share of all events that belong to the one big organization (0.5 = 5 million of 10 million). */
  bigOrgShare: number;
  smallOrgs: number;
}

/** A built query dataset: where it is and what it holds. */
export interface QueryDataset extends QueryDatasetShape {
  version: number;
  path: string;
  bigOrgId: string;
  bigOrgEvents: number;
  smallOrgIds: string[];
  actorEmails: string[];
  /** When the newest event occurred (build time); events go back {@link SPREAD_MS} from here. */
  anchorMs: number;
  spreadMs: number;
  /** How fast it was loaded (events/s through `store.appendEvents`), measured when it was built. */
  loadEventsPerSecond: number;
  loadSeconds: number;
  /** True when this run built it, false when a cached file was reused. */
  builtNow: boolean;
}

function metaPath(dataDir: string, events: number): string {
  return join(dataDir, `query-${events}.json`);
}

function readReusable(dataDir: string, shape: QueryDatasetShape, nowMs: number): QueryDataset | undefined {
  const file = metaPath(dataDir, shape.events);
  if (!existsSync(file)) return undefined;
  const meta = JSON.parse(readFileSync(file, 'utf8')) as QueryDataset;
  const sameShape =
    meta.version === DATASET_VERSION &&
    meta.events === shape.events &&
    meta.bigOrgShare === shape.bigOrgShare &&
    meta.smallOrgs === shape.smallOrgs;
  // Past this instant the oldest events have expired and the server's start-up purge would change the file.
  const reusableUntil = meta.anchorMs + RETENTION_MS - meta.spreadMs - 3_600_000;
  if (!sameShape || nowMs > reusableUntil || !existsSync(meta.path)) return undefined;
  return { ...meta, builtNow: false };
}

/**
 * Opens the cached query dataset of this shape (`bench/.data/query-<N>.db`), or builds it: organizations,
 * then `events` synthetic events in time order, one big organization and the rest spread over the small ones,
 * appended straight through `store.appendEvents` in transactions of 10,000 events.
 */
export async function openOrBuildQueryDataset(
  dataDir: string,
  shape: QueryDatasetShape,
  log: (line: string) => void,
): Promise<QueryDataset> {
  const nowMs = Date.now();
  const cached = readReusable(dataDir, shape, nowMs);
  if (cached) {
    log(
      `query dataset: reusing ${cached.path} (${cached.events.toLocaleString('en-US')} events, built ${new Date(cached.anchorMs).toISOString()})`,
    );
    return cached;
  }
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, `query-${shape.events}.db`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  rmSync(metaPath(dataDir, shape.events), { force: true });
  log(`query dataset: building ${path} with ${shape.events.toLocaleString('en-US')} events…`);

  const store = await openStore(`sqlite:${path}`);
  try {
    const [bigOrgId, ...smallOrgIds] = await createBenchOrganizations(store, shape.smallOrgs + 1, 'Bench Organization');
    if (!bigOrgId) throw new Error('no organization was created');
    const random = seededRandom(20_260_101);
    const actors = syntheticActors(ACTOR_COUNT);
    const source = new SyntheticEventSource(random, actors);
    const smallOrgActors = smallOrgIds.map((_, i) =>
      Array.from({ length: SMALL_ORG_ACTORS }, (_unused, j) => actors[(i * 7 + j) % ACTOR_COUNT]!),
    );
    const anchorMs = nowMs;
    const startMs = anchorMs - SPREAD_MS;
    const stepMs = SPREAD_MS / shape.events;
    let bigOrgEvents = 0;
    let nextReport = 0.1;
    const started = performance.now();
    for (let offset = 0; offset < shape.events; offset += EVENTS_PER_TRANSACTION) {
      const batch: PreparedEvent[] = [];
      const end = Math.min(shape.events, offset + EVENTS_PER_TRANSACTION);
      for (let i = offset; i < end; i += 1) {
        // Time ordered, so each organization's seq order matches its occurredAt order as in a live log.
        const occurredAtMs = Math.floor(startMs + i * stepMs);
        if (smallOrgIds.length === 0 || random() < shape.bigOrgShare) {
          batch.push(source.prepared(bigOrgId, occurredAtMs, RETENTION_MS));
          bigOrgEvents += 1;
        } else {
          const index = Math.floor(random() * smallOrgIds.length);
          batch.push(source.prepared(smallOrgIds[index]!, occurredAtMs, RETENTION_MS, smallOrgActors[index]));
        }
      }
      await store.appendEvents(batch);
      if (end / shape.events >= nextReport) {
        const rate = end / ((performance.now() - started) / 1000);
        log(
          `  ${Math.round((end / shape.events) * 100)}% (${end.toLocaleString('en-US')} events, ${Math.round(rate).toLocaleString('en-US')} events/s)`,
        );
        nextReport += 0.1;
      }
    }
    const loadSeconds = (performance.now() - started) / 1000;
    const dataset: QueryDataset = {
      version: DATASET_VERSION,
      ...shape,
      path,
      bigOrgId,
      bigOrgEvents,
      smallOrgIds,
      actorEmails: actors.map((a) => a.email),
      anchorMs,
      spreadMs: SPREAD_MS,
      loadEventsPerSecond: shape.events / loadSeconds,
      loadSeconds,
      builtNow: true,
    };
    // Written last: a build that was interrupted leaves no metadata, so the next run rebuilds it.
    writeFileSync(metaPath(dataDir, shape.events), `${JSON.stringify(dataset, null, 2)}\n`);
    return dataset;
  } finally {
    await store.close();
  }
}
