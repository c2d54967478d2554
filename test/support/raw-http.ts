import { request } from 'node:http';

/** A complete HTTP answer. */
export interface RawResponse {
  status: number;
  body: string;
}

/**
 * One HTTP request on its own connection to 127.0.0.1 (no keep-alive pool), with a hook that runs
 * synchronously the instant the whole answer has arrived, before any promise callback, so a test can act
 * (e.g. SIGKILL the server) within microseconds of an acknowledgement.
 */
export function rawRequest(
  port: number,
  options: { method: string; path: string; headers?: Record<string, string>; body?: string },
  onComplete?: (response: RawResponse) => void,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: options.method, path: options.path, headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const response = { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') };
          onComplete?.(response);
          resolve(response);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** POST /api/v1/events with a producer key. */
export function postEvents(
  port: number,
  key: string,
  events: unknown[],
  onComplete?: (response: RawResponse) => void,
): Promise<RawResponse> {
  return rawRequest(
    port,
    {
      method: 'POST',
      path: '/api/v1/events',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    },
    onComplete,
  );
}
