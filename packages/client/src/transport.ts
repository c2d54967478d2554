import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** One attempt's answer, as the client needs it. */
export interface TransportAnswer {
  status: number;
  retryAfter: string | null;
  text: string;
}

/** Sends one POST of a JSON body; rejects on a network error or after `timeoutMs`. */
export interface Transport {
  post(body: string, headers: Record<string, string>, timeoutMs: number): Promise<TransportAnswer>;
  /** Lets go of kept-alive connections. */
  close(): void;
}

/**
 * node:http(s) over kept-alive connections, as many as requests in flight. The global fetch (undici) cost the
 * producer several times the CPU per request of node:http, on the same machine as the service it runs in.
 * Kept-alive sockets do not keep a process alive once idle (node unrefs them).
 */
export function nodeHttpTransport(url: string, maxSockets: number): Transport {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const agent = secure ? new HttpsAgent({ keepAlive: true, maxSockets }) : new HttpAgent({ keepAlive: true, maxSockets });
  const send = secure ? httpsRequest : httpRequest;
  return {
    post(body, headers, timeoutMs) {
      return new Promise<TransportAnswer>((resolve, reject) => {
        const req = send(
          {
            agent,
            protocol: target.protocol,
            hostname: target.hostname,
            port: target.port,
            path: `${target.pathname}${target.search}`,
            method: 'POST',
            headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          },
          (res) => {
            readText(res).then((text) => {
              clearTimeout(timer);
              const retryAfter = res.headers['retry-after'];
              resolve({ status: res.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : null, text });
            }, fail);
          },
        );
        // A deadline for the whole attempt (an idle-socket timeout would let a slow trickle run forever).
        const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        function fail(error: unknown): void {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        }
        req.on('error', fail);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(new Error('the answer was cut off'));
    });
  });
}

/** A caller's fetch (e.g. one that routes to an app in the same process). */
export function fetchTransport(url: string, fetchFn: typeof fetch): Transport {
  return {
    async post(body, headers, timeoutMs) {
      const response = await fetchFn(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), text: await response.text() };
    },
    close: () => undefined,
  };
}
