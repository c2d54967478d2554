import type { FastifyBaseLogger } from 'fastify';
import type { StreamsConfig } from '../../../config.js';
import { newId } from '../../../core/ids.js';
import type { AttestStore } from '../../../store/attest-store.js';
import { listStreamDestinationIds, streamCredentialKey } from '../../../store/stream-destination-queries.js';
import { DestinationDeliveryLoop, type DeliveryContext } from './destination-delivery-loop.js';
import type { StreamMetrics } from './stream-metrics.js';

/** Tuning of the engine; the defaults suit a service, tests shorten them. */
export interface StreamDeliveryOptions {
  /** How often the engine looks for destinations another process created or deleted. */
  scanIntervalMs?: number;
  /** How often an idle destination looks for events another process committed. */
  idlePollMs?: number;
  random?: () => number;
}

/**
 * Runs one {@link DestinationDeliveryLoop} per destination of the store, in this process. Every process
 * serving the store runs an engine; the loops' leases make one of them deliver for each destination at a time.
 */
export class StreamDeliveryEngine {
  private readonly loops = new Map<string, DestinationDeliveryLoop>();
  private readonly delivery: DeliveryContext;
  private readonly scanIntervalMs: number;
  private scanTimer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private stopped = false;
  private key: Promise<Buffer> | undefined;

  constructor(
    store: AttestStore,
    config: StreamsConfig,
    metrics: StreamMetrics,
    log: FastifyBaseLogger,
    options: StreamDeliveryOptions = {},
  ) {
    this.scanIntervalMs = options.scanIntervalMs ?? 5000;
    this.delivery = {
      store,
      config,
      metrics,
      log,
      processId: newId(),
      credentialKey: () => (this.key ??= streamCredentialKey(store.db, store.clock.now())),
      leaseMs: Math.max(3000, config.timeoutMs * 3),
      idlePollMs: options.idlePollMs ?? 1000,
      random: options.random ?? Math.random,
    };
  }

  /** Starts a loop for every destination, and looks for new ones periodically. */
  start(): void {
    this.scanning = this.scan();
    this.scanTimer = setInterval(() => {
      this.scanning = this.scan();
    }, this.scanIntervalMs);
    this.scanTimer.unref();
  }

  /** A destination was created or changed in this process: make sure its loop runs, and let it look now. */
  wake(streamId: string): void {
    if (this.stopped) return;
    const loop = this.loops.get(streamId) ?? this.startLoop(streamId);
    loop.reload();
  }

  /** Stops every loop after its delivery under way; leases are given up. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.scanTimer);
    await this.scanning;
    await Promise.all([...this.loops.values()].map((loop) => loop.stop()));
    this.loops.clear();
  }

  private startLoop(streamId: string): DestinationDeliveryLoop {
    const loop = new DestinationDeliveryLoop(streamId, this.delivery);
    this.loops.set(streamId, loop);
    // A loop ends by itself when its destination is deleted; forget it then.
    void loop.done.then(() => {
      if (this.loops.get(streamId) === loop) this.loops.delete(streamId);
    });
    return loop;
  }

  private async scan(): Promise<void> {
    try {
      const ids = await listStreamDestinationIds(this.delivery.store.dialect.readDb);
      for (const id of ids) if (!this.stopped && !this.loops.has(id)) this.startLoop(id);
    } catch (error) {
      if (!this.stopped) this.delivery.log.warn({ err: error }, 'could not list stream destinations');
    }
  }
}
