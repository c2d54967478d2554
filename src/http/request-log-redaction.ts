import type { FastifyRequest } from 'fastify';

// A secret that travels in a URL: the invite link's token (`/join/…`, `/api/v1/invites/…/join`) and the welcome
// link's (`/welcome/…`). Whatever follows those path segments is a token, and so is anything that looks like an
// Attest secret (`ati_…`, `ata_…`, …) elsewhere in the URL, in case a client puts one in a query string.
const TOKEN_SEGMENT = /(\/(?:join|welcome|invites)\/)[^/?#]+/g;
const ATTEST_SECRET = /\bat[a-z]_[A-Za-z0-9_-]{16,}/g;

/** The URL with every token in it replaced by `[redacted]`, for request logs. */
export function redactUrl(url: string): string {
  return url.replace(TOKEN_SEGMENT, '$1[redacted]').replace(ATTEST_SECRET, '[redacted]');
}

/**
 * Pino's `req` serializer for Fastify's request logs: what Fastify's own logs (method, URL, host, client address
 * and port), with the URL's tokens redacted, so a log shipped elsewhere hands out no invitation or activation.
 */
export function redactedRequestSerializer(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
