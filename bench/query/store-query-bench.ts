import type { AttestStore } from '../../src/store/attest-store.js';
import type { StoredEvent } from '../../src/store/event-rows.js';
import type { QueryDataset } from '../dataset/query-dataset.js';
import type { QueryCase } from './query-scenarios.js';

/** Latency samples (ms) of each kind of read, overall and per scenario. */
export interface QueryTimings {
  firstPage: number[];
  total: number[];
  nextPage: number[];
  logId: number[];
  /** Per scenario name: first-page (or, over HTTP, whole-call) and total samples. */
  byScenario: Record<string, { firstPage: number[]; total: number[] }>;
}

/** An empty set of timings. */
export function emptyTimings(): QueryTimings {
  return { firstPage: [], total: [], nextPage: [], logId: [], byScenario: {} };
}

/** Adds a sample to a scenario's list. */
export function addScenarioSample(timings: QueryTimings, scenario: string, kind: 'firstPage' | 'total', ms: number): void {
  const entry = (timings.byScenario[scenario] ??= { firstPage: [], total: [] });
  entry[kind].push(ms);
}

/** `count` existing log ids of the dataset's measured organizations, picked at random positions (untimed). */
export async function sampleLogIds(
  store: AttestStore,
  dataset: QueryDataset,
  count: number,
  random: () => number,
): Promise<{ orgId: string; logId: string }[]> {
  const orgs = [dataset.bigOrgId, ...dataset.smallOrgIds.slice(0, 1)];
  const picked: { orgId: string; logId: string }[] = [];
  for (let i = 0; i < count; i += 1) {
    const orgId = orgs[i % orgs.length] as string;
    const lastSeq = await store.events.lastSeq(orgId);
    if (lastSeq < 0) continue;
    const seq = Math.floor(random() * (lastSeq + 1));
    const row = await store.dialect.readDb
      .selectFrom('audit_events')
      .select('log_id')
      .where('org_id', '=', orgId)
      .where('seq', '=', seq)
      .executeTakeFirst();
    if (row) picked.push({ orgId, logId: row.log_id });
  }
  return picked;
}

function positionOf(row: StoredEvent): { occurredAtMs: number; seq: number } {
  return { occurredAtMs: Number(row.occurred_at), seq: Number(row.seq) };
}

/**
 * Store-level reads through `store.events` (the reader the API is built on), each timed on its own: the first
 * page of a case, its total, the page after it (pages as the API reads them, `findStoredPage`), and log-id
 * lookups.
 */
export async function measureStoreQueries(
  store: AttestStore,
  cases: readonly QueryCase[],
  logIds: readonly { orgId: string; logId: string }[],
  pageSize: number,
): Promise<QueryTimings> {
  const timings = emptyTimings();
  const reader = store.events;
  for (const queryCase of cases) {
    let started = performance.now();
    const page = await reader.findStoredPage(queryCase.filter, pageSize);
    const firstPageMs = performance.now() - started;
    timings.firstPage.push(firstPageMs);
    addScenarioSample(timings, queryCase.scenario, 'firstPage', firstPageMs);

    started = performance.now();
    await reader.count(queryCase.filter);
    const totalMs = performance.now() - started;
    timings.total.push(totalMs);
    addScenarioSample(timings, queryCase.scenario, 'total', totalMs);

    const last = page[page.length - 1];
    if (page.length === pageSize && last) {
      started = performance.now();
      await reader.findStoredPage(queryCase.filter, pageSize, positionOf(last));
      timings.nextPage.push(performance.now() - started);
    }
  }
  for (const { orgId, logId } of logIds) {
    const started = performance.now();
    const found = await reader.findByLogId(orgId, logId);
    timings.logId.push(performance.now() - started);
    if (!found) throw new Error(`log id ${logId} of ${orgId} was not found`);
  }
  return timings;
}
