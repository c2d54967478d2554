import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AttestError } from '../../core/errors.js';
import type { AppServices } from '../app-services.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The origin of a URL, or undefined when it is not one (including the opaque origin `null`). */
function originOf(text: string): string | undefined {
  try {
    const origin = new URL(text).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * Whether a request that changes something came from a page of this site. Browsers say where a request comes
 * from in `Sec-Fetch-Site` (W3C Fetch Metadata), which is checked first: only `same-origin` (a page of
 * Attest) and `none` (the user's own action, e.g. a bookmark) pass; `same-site` does not, since a sibling
 * subdomain is another application. Browsers without it send `Origin` on every cross-origin POST, PUT, PATCH
 * and DELETE (WHATWG Fetch), which must then be Attest's own origin: the scheme and Host the server sees, or
 * `ATTEST_PUBLIC_URL`'s behind a proxy. A request with neither header is allowed: it does not come from a
 * browser that follows either standard, i.e. it is a script or a command-line client, which a cross-site page
 * cannot make send the user's cookie.
 */
export function isSameSiteRequest(request: FastifyRequest, publicOrigin: string | undefined): boolean {
  const fetchSite = request.headers['sec-fetch-site'];
  if (typeof fetchSite === 'string') return fetchSite === 'same-origin' || fetchSite === 'none';
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const claimed = originOf(origin);
  if (claimed === undefined) return false;
  return claimed === publicOrigin || claimed === originOf(`${request.protocol}://${request.host}`);
}

/**
 * Refuses, with 403 problem+json, a state-changing request that a browser could have sent with the user's
 * cookie from another site (cross-site request forgery): POST, PUT, PATCH and DELETE without an
 * `Authorization` header, whatever the route, login included (so no page can sign a visitor in to an account
 * of its choosing). A bearer token is never sent by a browser on its own, so such requests are not checked.
 * SameSite=Lax on the session cookie already keeps it off most cross-site requests; this does not depend on it.
 */
export const crossSiteRequestPlugin = fp(
  async (app: FastifyInstance, services: AppServices) => {
    app.addHook('onRequest', async (request) => {
      if (!STATE_CHANGING.has(request.method) || request.headers.authorization !== undefined) return;
      if (!isSameSiteRequest(request, services.config.publicOrigin)) {
        throw new AttestError(
          'CROSS_SITE_REQUEST',
          `Refused a ${request.method} from another site (${request.headers['sec-fetch-site'] ?? request.headers.origin}); nothing was changed.`,
        );
      }
    });
  },
  { name: 'attest-cross-site-requests' },
);
