import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AttestError } from '../../core/errors.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The check `/metrics` runs when `ATTEST_METRICS_TOKEN` is set: the request must carry
 * `Authorization: Bearer <token>`, else 401. The tokens are compared as SHA-256 digests in constant time, so
 * neither the comparison's timing nor the token's length tells a prober how close a guess came.
 */
export function metricsTokenCheck(token: string): (request: FastifyRequest) => Promise<void> {
  const expected = digest(token);
  return async (request) => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
      throw new AttestError('UNAUTHENTICATED', 'The metrics need "Authorization: Bearer <ATTEST_METRICS_TOKEN>".');
    }
  };
}
