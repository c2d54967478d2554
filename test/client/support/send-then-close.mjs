// A producer process: queues COUNT events with the built @attest/client, awaits close() and exits at once.
// The events sit in the client's queue (a long time window) until close() sends them, so anything lost on
// exit would show as missing rows. Args: baseUrl producerKey orgId count.
import { AttestClient } from '../../../packages/client/dist/index.js';

const [baseUrl, producerKey, orgId, count] = process.argv.slice(2);
const client = new AttestClient({ baseUrl, producerKey, flushIntervalMs: 60_000, maxBatchSize: 100 });
for (let n = 0; n < Number(count); n += 1) {
  // Not awaited one by one: a service fires events and moves on; close() is what must deliver them.
  client
    .send({ type: 'engage.campaign.created', orgId, actor: { id: 'svc', type: 'service' }, entity: { id: `campaign_${n}` } })
    .catch((error) => {
      console.error(`event ${n} failed: ${error}`);
      process.exitCode = 1;
    });
}
await client.close();
console.log(`closed with ${client.pendingEvents} pending`);
process.exit();
