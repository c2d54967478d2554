import { request as httpRequest, createServer, type IncomingMessage, type Server } from 'node:http';
import { createIngestHarness, type IngestHarness } from '../../support/ingest-harness.js';

/** What the proxy does with the n-th POST /api/v1/events (0-based). */
export type ProxyAction =
  'forward' | { status: 503 | 429; retryAfter?: string } | 'forward-then-lose' | 'forward-then-drop' | 'forward-then-hang';

/** A real Attest server on 127.0.0.1 behind a node:http proxy that counts ingest requests and can fail them. */
export interface SdkServer {
  harness: IngestHarness;
  /** The proxy's base URL (what the SDK is given). */
  baseUrl: string;
  /** Ingest POSTs the proxy received, with their traceparent and event count. */
  posts: Array<{ at: number; traceparent: string | undefined; events: number; action: ProxyAction }>;
  /** Decides each ingest POST; forward by default. */
  policy: (n: number) => ProxyAction;
  close(): Promise<void>;
}

export async function startSdkServer(): Promise<SdkServer> {
  const harness = await createIngestHarness('sqlite');
  await harness.app.listen({ host: '127.0.0.1', port: 0 });
  const target = harness.app.server.address();
  if (!target || typeof target === 'string') throw new Error('server has no port');
  const server: SdkServer = { harness, baseUrl: '', posts: [], policy: () => 'forward', close: async () => undefined };
  const proxy: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      let action: ProxyAction = 'forward';
      if (req.method === 'POST' && req.url === '/api/v1/events') {
        action = server.policy(server.posts.length);
        const events = (JSON.parse(body.toString('utf8')) as { events: unknown[] }).events.length;
        server.posts.push({ at: Date.now(), traceparent: req.headers.traceparent as string | undefined, events, action });
      }
      if (typeof action === 'object') {
        res.writeHead(action.status, {
          'content-type': 'application/problem+json',
          ...(action.retryAfter ? { 'retry-after': action.retryAfter } : {}),
        });
        res.end(JSON.stringify({ status: action.status, title: 'try again' }));
        return;
      }
      const upstream = await forward(target.port, req, body);
      if (action === 'forward-then-drop') {
        // The server committed the batch; the connection breaks before any answer, as when a proxy restarts.
        res.socket?.destroy();
        return;
      }
      if (action === 'forward-then-hang') {
        // The server committed the batch; its answer never comes (the client's timeout must end the wait).
        return;
      }
      if (action === 'forward-then-lose') {
        // The server committed the batch; its answer is lost on the way back, as on a dropped connection.
        res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '0' });
        res.end(JSON.stringify({ status: 503, title: 'answer lost' }));
        return;
      }
      res.writeHead(upstream.status, upstream.headers);
      res.end(upstream.body);
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  server.baseUrl = `http://127.0.0.1:${address.port}`;
  server.close = async () => {
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await harness.dispose();
  };
  return server;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function forward(
  port: number,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: `127.0.0.1:${port}` };
    const out = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers }, (res) => {
      void readBody(res).then((data) => {
        const kept: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (typeof value === 'string' && name !== 'transfer-encoding' && name !== 'connection') kept[name] = value;
        }
        resolve({ status: res.statusCode ?? 502, headers: kept, body: data });
      }, reject);
    });
    out.on('error', reject);
    out.end(body);
  });
}
