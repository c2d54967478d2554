import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from './support/child-processes.js';
import { incomingEvent } from './support/ingest-harness.js';
import { loadUntilInterrupted, type LoadOutcome } from './support/ingest-load.js';
import { postEvents } from './support/raw-http.js';
import { openLocation, readOrgLog, seedStore } from './support/seed-store.js';
import { storeMatrix } from './support/store-matrix.js';
import { freshStoreLocation, type FreshStoreLocation } from './support/test-stores.js';

// Durability: an event acknowledged by POST /api/v1/events survives a kill -9 of the server that comes
// microseconds after the acknowledgement, while other requests are still being committed. SQLite is the
// interesting case (the commit must be fsynced to the WAL before the answer); PostgreSQL runs the same check.

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`${kind}: acknowledged events survive kill -9`, () => {
    let location: FreshStoreLocation | undefined;
    let servers: ServerProcess[] = [];
    afterEach(async () => {
      for (const server of servers) await server.stop();
      servers = [];
      await location?.remove();
      location = undefined;
    });

    async function expectEveryAcknowledgementStored(loc: FreshStoreLocation, orgId: string, outcome: LoadOutcome) {
      const store = await openLocation(loc);
      try {
        const log = await readOrgLog(store, orgId);
        // Gapless: whatever was cut off by the kill, the committed log has no hole.
        expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i));
        const byKey = new Map(log.map((e) => [e.idempotencyKey, e]));
        let acknowledgedEvents = 0;
        for (const ack of outcome.acknowledged) {
          ack.keys.forEach((key, i) => {
            const stored = byKey.get(key);
            expect(stored, `acknowledged event ${key} is missing`).toBeDefined();
            expect({ logId: stored?.logId, seq: stored?.seq }).toEqual({ logId: ack.events[i]?.logId, seq: ack.events[i]?.seq });
            acknowledgedEvents += 1;
          });
        }
        expect(log.length).toBeGreaterThanOrEqual(acknowledgedEvents);
        return log.length;
      } finally {
        await store.close();
      }
    }

    it('keeps every acknowledged logId with its seq, and the log stays gapless and writable after restart', async () => {
      location = freshStoreLocation(kind);
      const loc = location;
      const { orgId, producerKey } = await seedStore(loc);
      const server = await startServer(loc.env);
      servers.push(server);

      const outcome = await loadUntilInterrupted({
        port: server.port,
        producerKey,
        orgId,
        senders: 12,
        eventsPerRequest: 20,
        interruptAfter: 30,
        interrupt: () => server.child.kill('SIGKILL'),
      });
      const exit = await server.exited;
      expect(exit.signal).toBe('SIGKILL');
      // The kill really came in the middle of the traffic.
      expect(outcome.inFlightAtInterrupt).toBeGreaterThan(0);
      expect(outcome.acknowledged.length).toBeGreaterThanOrEqual(30);
      expect(outcome.otherStatuses).toEqual([]);

      const stored = await expectEveryAcknowledgementStored(loc, orgId, outcome);

      // The killed server's file opens again (WAL recovery) and its log continues where it stopped.
      const restarted = await startServer(loc.env);
      servers.push(restarted);
      const response = await postEvents(restarted.port, producerKey, [incomingEvent(orgId)]);
      expect(response.status).toBe(201);
      expect((JSON.parse(response.body) as { events: Array<{ seq: number }> }).events[0]?.seq).toBe(stored);
    });
  });
}
