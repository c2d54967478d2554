import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver took: its headers, its body and the records in it. */
export interface ReceivedBatch {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  records: Array<Record<string, unknown> & { logId: string; seq: number; orgId: string; type: string; leafHash: string }>;
}

/** What the receiver does with the next request; the default accepts it. */
export type ReceiverBehaviour = (req: IncomingMessage, res: ServerResponse, body: string) => boolean;

/**
 * A real HTTP receiver on 127.0.0.1 that checks every webhook signature it gets (a bad one fails the test
 * through `signatureFailures`) and keeps the accepted batches. `behave` can answer 500, stall or drop instead.
 */
export class WebhookReceiver {
  readonly accepted: ReceivedBatch[] = [];
  readonly refused: ReceivedBatch[] = [];
  readonly signatureFailures: string[] = [];
  requests = 0;
  secret: string | undefined;
  /** Return true when it answered the request itself (the batch is then not counted as accepted). */
  behave: ReceiverBehaviour | undefined;
  /** How long to take before accepting a batch (widens the window in which concurrent senders would overlap). */
  acceptDelayMs = 0;
  private server: Server | undefined;
  port = 0;

  constructor(private readonly shape: 'webhook' | 'splunk-hec' = 'webhook') {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Every record accepted, in the order received. */
  get records(): ReceivedBatch['records'] {
    return this.accepted.flatMap((b) => b.records);
  }

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    this.requests += 1;
    const batch: ReceivedBatch = { path: req.url ?? '', headers: req.headers, body, records: this.parse(body) };
    if (this.shape === 'webhook') this.checkSignature(req, body);
    if (this.behave?.(req, res, body)) {
      this.refused.push(batch);
      return;
    }
    const accept = () => {
      this.accepted.push(batch);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    };
    if (this.acceptDelayMs > 0) setTimeout(accept, this.acceptDelayMs);
    else accept();
  }

  private parse(body: string): ReceivedBatch['records'] {
    if (this.shape === 'webhook') return (JSON.parse(body) as { events: ReceivedBatch['records'] }).events;
    return body.split('\n').map((line) => (JSON.parse(line) as { event: ReceivedBatch['records'][number] }).event);
  }

  private checkSignature(req: IncomingMessage, body: string): void {
    const header = String(req.headers['attest-signature'] ?? '');
    if (!this.secret || !signatureValid(this.secret, header, body) || !req.headers['attest-delivery-id'])
      this.signatureFailures.push(`${header} for ${body.slice(0, 80)}`);
  }
}

/** The README's verification: `t=…,v1=…` is HMAC-SHA256(secret, "<t>.<body>") and t is within 5 minutes of now. */
export function signatureValid(secret: string, header: string, body: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  const fresh = Math.abs(Date.now() / 1000 - Number(parts.t)) < 300;
  return fresh && given.length === expected.length && timingSafeEqual(given, expected);
}
