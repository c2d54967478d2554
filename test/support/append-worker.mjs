// A writer process for the multi-process tests: opens the store named on the command line through the built
// dist (exactly as the CLI does) and appends batches of events to one organization, then prints every answer
// as JSON on stdout. Any error (SQLITE_BUSY included) exits non-zero with the message on stderr.
//
// usage: node test/support/append-worker.mjs <ATTEST_DATABASE_URL> <orgId> <batches> <eventsPerBatch> <tag>
import { findEventType } from '../../dist/src/catalog/catalog-registry.js';
import { cataloguedEvent } from '../../dist/src/catalog/catalogued-event.js';
import { openStore } from '../../dist/src/store/open-store.js';

const [databaseUrl, orgId, batchesArg, sizeArg, tag] = process.argv.slice(2);
const def = findEventType('user.standard.added');
const store = await openStore(databaseUrl, undefined, { postgresSchema: process.env.ATTEST_POSTGRES_SCHEMA || undefined });
const answers = [];
try {
  for (let b = 0; b < Number(batchesArg); b += 1) {
    const now = Date.now();
    const events = Array.from({ length: Number(sizeArg) }, (_, i) => ({
      ...cataloguedEvent(def, {
        orgId,
        occurredAtMs: now,
        retentionMs: 90 * 86_400_000,
        traceId: '0af7651916cd43dd8448eb211c80319c',
        actor: { id: tag, name: null, email: null, type: 'system' },
        entity: { id: `${tag}-${b}-${i}`, name: null },
        description: `written by ${tag}`,
      }),
      idempotencyKey: `${tag}-${b}-${i}`,
    }));
    answers.push(...(await store.appendEvents(events)));
    // Let the other processes interleave between our transactions.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
  }
} finally {
  await store.close();
}
process.stdout.write(JSON.stringify(answers));
