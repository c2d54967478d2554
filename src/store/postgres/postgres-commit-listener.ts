import pg from 'pg';
import type { CommitFollowerHandlers } from '../store-dialect.js';
import { decodeCommitPayload } from './postgres-commit-channel.js';

/** First wait before reconnecting after the connection was lost; it doubles per failed attempt up to the max. */
const RECONNECT_BASE_MS = 100;
const RECONNECT_MAX_MS = 5_000;
/**
 * How often the idle listening connection is asked `select 1`. A connection whose server or network vanished
 * without closing it would otherwise look alive, and wait for notifications forever.
 */
const HEALTH_CHECK_MS = 10_000;

/**
 * One dedicated PostgreSQL connection per process that LISTENs for other processes' commits (outside the pool:
 * a listening session must stay open, and no query may use it). When it is lost (server restart, network) it
 * reconnects by itself, waiting 100 ms, then twice as long per failure, up to 5 s, with jitter so that the
 * processes of a deployment do not all knock at once.
 */
export class PostgresCommitListener {
  private client: pg.Client | undefined;
  private closed = false;
  private connected = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly clientConfig: pg.ClientConfig,
    private readonly channel: string,
    /** This process's own announcements carry this origin; it skips them. */
    private readonly origin: string,
    private readonly handlers: CommitFollowerHandlers,
  ) {}

  /** Opens the connection and LISTENs; resolves after the first attempt, which retries in the background when it failed. */
  async start(): Promise<void> {
    await this.connect();
  }

  /** Stops listening and closes the connection. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.healthTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    // The health check's `select 1` gives up after a few seconds (client-side: a vanished server answers nothing).
    const client = new pg.Client({
      ...this.clientConfig,
      keepAlive: true,
      keepAliveInitialDelayMillis: HEALTH_CHECK_MS,
      query_timeout: 5_000,
    });
    this.client = client;
    // Lost after it was up: the server closed it, or the network went away.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the listening connection was closed')));
    client.on('notification', (message) => {
      if (message.channel !== this.channel || message.payload === undefined) return;
      const decoded = decodeCommitPayload(message.payload);
      if (!decoded || decoded.origin === this.origin) return;
      for (const [orgId, lastSeq] of decoded.heads) this.handlers.onCommit(orgId, lastSeq);
    });
    try {
      await client.connect();
      await client.query(`listen "${this.channel}"`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.closed || this.client !== client) return;
    this.failures = 0;
    this.setConnected(true);
    this.healthTimer = setInterval(() => {
      client.query('select 1').catch((error: unknown) => this.lost(client, error));
    }, HEALTH_CHECK_MS);
    this.healthTimer.unref();
  }

  /** Drops `client` (once) and schedules the next attempt. */
  private lost(client: pg.Client, error: unknown): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    clearInterval(this.healthTimer);
    client.removeAllListeners('end');
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    this.setConnected(false, error);
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** this.failures);
    this.failures += 1;
    this.reconnectTimer = setTimeout(() => void this.connect(), delay * (0.5 + Math.random() / 2));
    this.reconnectTimer.unref();
  }

  private setConnected(connected: boolean, error?: unknown): void {
    if (this.connected === connected) return;
    this.connected = connected;
    this.handlers.onConnectedChange(connected, error);
  }
}
