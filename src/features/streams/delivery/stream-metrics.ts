import { Counter, Gauge, type Registry } from 'prom-client';
import type { AttestStore } from '../../../store/attest-store.js';
import { streamLags } from '../../../store/stream-destination-queries.js';

/** Per destination: events delivered, failed deliveries (`/metrics`), and the lag read from the store at each scrape. */
export class StreamMetrics {
  private readonly delivered: Counter<'stream_id' | 'org_id'>;
  private readonly failed: Counter<'stream_id' | 'org_id'>;

  constructor(registry: Registry, store: AttestStore) {
    this.delivered = new Counter({
      name: 'attest_stream_delivered_events_total',
      help: 'Events delivered to a stream destination by this process',
      labelNames: ['stream_id', 'org_id'],
      registers: [registry],
    });
    this.failed = new Counter({
      name: 'attest_stream_failed_deliveries_total',
      help: 'Delivery attempts a stream destination did not accept, by this process',
      labelNames: ['stream_id', 'org_id'],
      registers: [registry],
    });
    new Gauge({
      name: 'attest_stream_lag_events',
      help: 'Events of the organization committed after the last one the stream destination accepted',
      labelNames: ['stream_id', 'org_id'],
      registers: [registry],
      // From the store, not from this process's loops: another process may be the one delivering.
      async collect() {
        this.reset();
        for (const lag of await streamLags(store.dialect.readDb)) this.set({ stream_id: lag.id, org_id: lag.orgId }, lag.lagEvents);
      },
    });
  }

  countDelivered(streamId: string, orgId: string, events: number): void {
    this.delivered.inc({ stream_id: streamId, org_id: orgId }, events);
  }

  countFailed(streamId: string, orgId: string): void {
    this.failed.inc({ stream_id: streamId, org_id: orgId });
  }
}
