import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type {} from '@fastify/cookie';
import {
  bearerKind,
  findApiTokenUser,
  findApiTokenUserIn,
  findOperatorToken,
  findProducerKey,
  findSessionUser,
  findSessionUserIn,
} from '../../auth/credentials.js';
import type { Principal } from '../../auth/principal.js';
import { AttestError } from '../../core/errors.js';
import { hashSecret, isUuid } from '../../core/ids.js';
import type { MembershipInOrg, MembershipProbe, UserAccount } from '../../store/queries/tenancy-queries.js';
import type { AppServices } from '../app-services.js';

/** Name of the session cookie (HttpOnly, SameSite=Lax). */
export const SESSION_COOKIE = 'attest_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, or undefined for an anonymous request. */
    principal: Principal | undefined;
    /**
     * The signed-in caller's membership in the organization of the path (`/orgs/{orgId}/…`), read in the same
     * query as their session or API token; `org-scope` takes it instead of asking again. Undefined when not read.
     */
    pathMembership: PathMembership | undefined;
  }
  interface FastifyContextConfig {
    /**
     * The route checks a credential of its own kind (`/metrics` and its scrape token), so its Authorization
     * header is not an owner token or producer key to resolve, and the request has no principal.
     */
    ownCredentials?: boolean;
  }
}

/** A user's membership (or none) in one organization, as read with their credential. */
export interface PathMembership {
  orgId: string;
  userId: string;
  found: MembershipInOrg | undefined;
}

/** The organization a request's path names, when it names one: its membership is read with the credential. */
function membershipProbe(request: FastifyRequest, services: AppServices): MembershipProbe | undefined {
  const orgId = (request.params as { orgId?: unknown } | undefined)?.orgId;
  return typeof orgId === 'string' && isUuid(orgId) ? { orgId, nowMs: services.store.clock.now() } : undefined;
}

/** Keeps what a credential lookup read of the user's membership for `org-scope`; returns the user. */
function keepMembership<T extends { user: UserAccount; membership: MembershipInOrg | undefined }>(
  request: FastifyRequest,
  probe: MembershipProbe,
  found: T | undefined,
): T | undefined {
  if (found) request.pathMembership = { orgId: probe.orgId, userId: found.user.id, found: found.membership };
  return found;
}

/** The user and token id of an owner API token, with the path's membership when the path names an organization. */
async function apiTokenUser(
  request: FastifyRequest,
  services: AppServices,
  secret: string,
): Promise<{ tokenId: string; user: UserAccount } | undefined> {
  const db = services.store.dialect.readDb;
  const probe = membershipProbe(request, services);
  return probe ? keepMembership(request, probe, await findApiTokenUserIn(db, secret, probe)) : findApiTokenUser(db, secret);
}

/** The user of a session, with the path's membership when the path names an organization. */
async function sessionUser(request: FastifyRequest, services: AppServices, secret: string): Promise<UserAccount | undefined> {
  const db = services.store.dialect.readDb;
  const probe = membershipProbe(request, services);
  if (!probe) return findSessionUser(db, secret, services.store.clock.now());
  return keepMembership(request, probe, await findSessionUserIn(db, secret, probe))?.user;
}

async function resolvePrincipal(request: FastifyRequest, services: AppServices): Promise<Principal | undefined> {
  const db = services.store.dialect.readDb;
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const secret = match?.[1];
    if (!secret) throw new AttestError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <token>".');
    const kind = bearerKind(secret);
    if (kind === 'apiToken') {
      const found = await apiTokenUser(request, services, secret);
      if (found) return { kind: 'user', user: found.user, via: 'apiToken', credentialId: found.tokenId };
    } else if (kind === 'producerKey') {
      const key = await findProducerKey(db, secret);
      if (key) return { kind: 'producer', key };
    } else if (kind === 'operatorToken') {
      const token = await findOperatorToken(db, secret);
      if (token) return { kind: 'operator', token };
    }
    throw new AttestError('UNAUTHENTICATED', 'The bearer token is not valid.');
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie) {
    const user = await sessionUser(request, services, cookie);
    if (user) return { kind: 'user', user, via: 'session', credentialId: hashSecret(cookie).slice(0, 32) };
  }
  return undefined;
}

/**
 * Resolves the caller of every request from `Authorization: Bearer …` (owner API token, producer key or
 * operator token) or
 * the session cookie. It only identifies; what a principal may do is decided by the routes and `org-scope`.
 */
export const authenticationPlugin = fp(
  async (app: FastifyInstance, services: AppServices) => {
    app.decorateRequest('principal', undefined);
    app.decorateRequest('pathMembership', undefined);
    app.addHook('onRequest', async (request) => {
      if (request.routeOptions.config.ownCredentials) return;
      request.principal = await resolvePrincipal(request, services);
    });
  },
  { name: 'attest-authentication', dependencies: ['@fastify/cookie'] },
);

/** The signed-in user of a request, or a 401. */
export function requireUser(request: FastifyRequest): Extract<Principal, { kind: 'user' }> {
  const principal = request.principal;
  if (!principal) throw new AttestError('UNAUTHENTICATED');
  if (principal.kind === 'producer') throw new AttestError('FORBIDDEN', 'Producer keys can only append events.');
  if (principal.kind === 'operator') throw new AttestError('FORBIDDEN', 'Operator tokens can only create organizations.');
  return principal;
}
