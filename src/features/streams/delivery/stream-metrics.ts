import { Counter, Gauge, type Registry } from 'prom-client';
import type { AttestStore } from '../../../store/attest-store.js';
import { streamLags, type StreamLag } from '../../../store/stream-destination-queries.js';
import { lagSecondsOf } from '../stream-destination.js';

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
    // Both lags come from the store, not from this process's loops: another process may be the one delivering.
    // A scrape collects every metric at once, so the two gauges share one read of the store while it runs.
    let reading: Promise<StreamLag[]> | undefined;
    const lags = (): Promise<StreamLag[]> =>
      (reading ??= streamLags(store.dialect.readDb).finally(() => {
        reading = undefined;
      }));
    new Gauge({
      name: 'attest_stream_lag_events',
      help: 'Events of the organization committed after the last one the stream destination accepted',
      labelNames: ['stream_id', 'org_id'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const lag of await lags()) this.set({ stream_id: lag.id, org_id: lag.orgId }, lag.lagEvents);
      },
    });
    new Gauge({
      name: 'attest_stream_lag_seconds',
      help: 'Seconds since the oldest event the stream destination has not accepted was committed (0 when caught up)',
      labelNames: ['stream_id', 'org_id'],
      registers: [registry],
      async collect() {
        this.reset();
        const now = store.clock.now();
        for (const lag of await lags())
          this.set({ stream_id: lag.id, org_id: lag.orgId }, lagSecondsOf(lag.oldestUndeliveredAtMs, now) ?? 0);
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
