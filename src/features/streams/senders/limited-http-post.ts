import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { assertPublicHost, publicOnlyLookup } from '../private-address-guard.js';
import { DeliveryFailure, type SendLimits } from './stream-sender.js';

/** The most of a receiver's answer that is read (for the error message); the rest is dropped unread. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** A receiver's answer: its status, headers and the first bytes of its body. */
export interface PostAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * POSTs `body` to `url` with a limit on the whole exchange, the public-address guard on the connection's own
 * DNS lookup (and on an IP literal before connecting), TLS verification on (with the destination's CA bundle
 * when it has one) and the answer's body read only up to 64 KiB.
 */
export async function limitedPost(url: URL, body: string, headers: Record<string, string>, limits: SendLimits): Promise<PostAnswer> {
  if (!limits.allowPrivate && isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0) await assertPublicHost(url.hostname);
  try {
    return await postOnce(url, body, headers, limits);
  } catch (error) {
    // A kept-alive connection the receiver closed while it was idle fails as soon as it is used: try once more,
    // on a new connection, before calling it a failed delivery.
    if (!(error instanceof StaleConnection)) throw error;
    return postOnce(url, body, headers, limits);
  }
}

/** A reused keep-alive connection that turned out closed before the request got through. */
class StaleConnection extends DeliveryFailure {}

function postOnce(url: URL, body: string, headers: Record<string, string>, limits: SendLimits): Promise<PostAnswer> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostAnswer>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ...(limits.allowPrivate ? {} : { lookup: publicOnlyLookup }),
        ...(limits.caBundle ? { ca: limits.caBundle } : {}),
        agent: limits.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size >= MAX_RESPONSE_BYTES) return;
          chunks.push(chunk);
          size += chunk.length;
          if (size >= MAX_RESPONSE_BYTES) res.destroy();
        });
        const done = () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8'),
          });
        };
        res.on('end', done);
        res.on('close', done);
      },
    );
    const timer = setTimeout(() => req.destroy(new DeliveryFailure(`no answer within ${limits.timeoutMs} ms`)), limits.timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) reject(new StaleConnection(error.message));
      else reject(error instanceof DeliveryFailure ? error : new DeliveryFailure(error.message));
    });
    req.end(body);
  });
}

/** Resolves for a 2xx answer; otherwise throws a failure naming the status, with the receiver's `Retry-After`. */
export function requireAccepted(answer: PostAnswer, nowMs: number): void {
  if (answer.status >= 200 && answer.status < 300) return;
  const snippet = answer.body.replace(/\s+/g, ' ').trim().slice(0, 200);
  throw new DeliveryFailure(`HTTP ${answer.status}${snippet ? `: ${snippet}` : ''}`, retryAfterMs(answer.headers['retry-after'], nowMs));
}

/** `Retry-After` (RFC 9110 §10.2.3): delay seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
