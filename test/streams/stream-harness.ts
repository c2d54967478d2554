import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { PreparedEvent } from '../../src/events/audit-event.js';
import { authHeaders, buildTestApp, createTenancy, variedEvent, type TestTenancy } from '../support/audit-fixtures.js';
import { seededRandom } from '../support/seeded-random.js';
import type { TestStore } from '../support/test-stores.js';
import type { ReceivedBatch } from './webhook-receiver.js';

/** A destination as the API returns it. */
export interface StreamState {
  id: string;
  state: string;
  lastDeliveredSeq: number;
  lagEvents: number;
  lastError: string | null;
  secret?: string;
}

/** Settings that make retries quick enough for a test; the policy is the same as in a deployment. */
export const QUICK_RETRIES = {
  ATTEST_STREAMS_ALLOW_PRIVATE: 'true',
  ATTEST_STREAMS_RETRY_BASE_MS: '100',
  ATTEST_STREAMS_RETRY_MAX_MS: '800',
  ATTEST_STREAMS_TIMEOUT_MS: '1000',
};

/** An app over a test store with a tenancy, and the calls the delivery tests make. */
export interface StreamHarness {
  app: FastifyInstance;
  t: TestTenancy;
  createStream(body: Record<string, unknown>): Promise<StreamState>;
  patchStream(id: string, body: Record<string, unknown>): Promise<StreamState>;
  readStream(id: string): Promise<StreamState>;
  /** Appends `count` varied events to an organization (A by default), as ingest would; returns its last seq. */
  append(count: number, orgId?: string): Promise<number>;
  close(): Promise<void>;
}

let seed = 1;

export async function streamHarness(ts: TestStore, env: Record<string, string> = QUICK_RETRIES): Promise<StreamHarness> {
  const t = await createTenancy(ts.store);
  const { app } = await buildTestApp(ts.store, env);
  const owner = authHeaders(t.owner, 'cookie');
  const base = `/api/v1/orgs/${t.org.id}/streams`;
  const random = seededRandom(seed++).next;
  return {
    app,
    t,
    async createStream(body) {
      const res = await app.inject({ method: 'POST', url: base, headers: owner, payload: body });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<StreamState>();
    },
    async patchStream(id, body) {
      const res = await app.inject({ method: 'PATCH', url: `${base}/${id}`, headers: owner, payload: body });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<StreamState>();
    },
    async readStream(id) {
      return (await app.inject({ url: `${base}/${id}`, headers: owner })).json<StreamState>();
    },
    async append(count, orgId = t.org.id) {
      const now = Date.now();
      const events: PreparedEvent[] = Array.from({ length: count }, (_, i) => variedEvent(orgId, now - count + i, i, random));
      const appended = await ts.store.appendEvents(events);
      return appended.at(-1)?.seq ?? -1;
    },
    async close() {
      await app.close();
    },
  };
}

/** The seqs of the records received, in the order received. */
export function seqsOf(batches: readonly ReceivedBatch[]): number[] {
  return batches.flatMap((b) => b.records.map((r) => r.seq));
}

/** `from`, `from + 1`, … `to`. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
