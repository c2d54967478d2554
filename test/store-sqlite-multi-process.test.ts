import { afterEach, describe, expect, it } from 'vitest';
import type { AppendedEvent } from '../src/events/audit-event.js';
import { runNode, startServer, type ServerProcess } from './support/child-processes.js';
import { incomingEvent } from './support/ingest-harness.js';
import { postEvents } from './support/raw-http.js';
import { openLocation, readOrgLog, seedStore } from './support/seed-store.js';
import { freshStoreLocation, type FreshStoreLocation } from './support/test-stores.js';

// SQLite with several writer processes on one file: the CLI (or a second tool) appending beside a running
// server. Each writer is a real `node` process using the built store; the file's write lock must serialize
// them so that seq stays gapless and unique and nobody sees SQLITE_BUSY.

const WORKER = 'test/support/append-worker.mjs';

function runWorker(location: FreshStoreLocation, orgId: string, batches: number, size: number, tag: string) {
  return runNode([WORKER, location.databaseUrl, orgId, String(batches), String(size), tag]);
}

function parseAnswers(stdout: string): AppendedEvent[] {
  return JSON.parse(stdout) as AppendedEvent[];
}

/** The organization's log is 0, 1, 2 … without gaps and holds exactly the answered events at their seqs. */
async function expectOneGaplessLog(loc: FreshStoreLocation, orgId: string, answers: AppendedEvent[]): Promise<void> {
  const store = await openLocation(loc);
  try {
    const log = await readOrgLog(store, orgId);
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i));
    expect(log).toHaveLength(answers.length);
    const seqByLogId = new Map(log.map((e) => [e.logId, e.seq]));
    for (const answer of answers) expect(seqByLogId.get(answer.logId)).toBe(answer.seq);
  } finally {
    await store.close();
  }
}

describe('sqlite: several writer processes on one file', () => {
  let location: FreshStoreLocation | undefined;
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await location?.remove();
    location = undefined;
  });

  it('three processes creating and appending to a brand-new file at once get gapless, unique seqs', async () => {
    location = freshStoreLocation('sqlite');
    const loc = location;
    const orgId = '0190a5b4-0000-7000-8000-0000000000aa';
    // Started together on a file that does not exist yet: they also race to create the schema.
    const results = await Promise.all(['w1', 'w2', 'w3'].map((tag) => runWorker(loc, orgId, 15, 4, tag)));
    for (const result of results) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    const answers = results.flatMap((r) => parseAnswers(r.stdout));
    expect(answers).toHaveLength(3 * 15 * 4);
    expect(answers.every((a) => !a.duplicate)).toBe(true);

    await expectOneGaplessLog(loc, orgId, answers);
  });

  it('writers appending beside a running server that is ingesting over HTTP all succeed, in one gapless log', async () => {
    location = freshStoreLocation('sqlite');
    const loc = location;
    const { orgId, producerKey } = await seedStore(loc);
    server = await startServer(loc.env);
    const port = server.port;

    const httpSender = async (sender: number): Promise<AppendedEvent[]> => {
      const answers: AppendedEvent[] = [];
      for (let r = 0; r < 12; r += 1) {
        const response = await postEvents(
          port,
          producerKey,
          Array.from({ length: 5 }, (_, i) => incomingEvent(orgId, { idempotencyKey: `http-${sender}-${r}-${i}` })),
        );
        expect(response.status, response.body).toBe(201);
        answers.push(...(JSON.parse(response.body) as { events: AppendedEvent[] }).events);
      }
      return answers;
    };
    const [workerResults, httpAnswers] = await Promise.all([
      Promise.all(['cli-1', 'cli-2'].map((tag) => runWorker(loc, orgId, 20, 3, tag))),
      Promise.all([0, 1, 2].map(httpSender)),
    ]);
    for (const result of workerResults) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    const answers = [...workerResults.flatMap((r) => parseAnswers(r.stdout)), ...httpAnswers.flat()];
    expect(answers).toHaveLength(2 * 20 * 3 + 3 * 12 * 5);

    await server.stop();
    await expectOneGaplessLog(loc, orgId, answers);
    expect(server.stderr()).not.toMatch(/SQLITE_BUSY/);
  });
});
