import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AttestError } from '../../core/errors.js';
import { isUuid } from '../../core/ids.js';
import type { UserType } from '../../store/database-schema.js';
import { findMembership, type Organization, type UserAccount } from '../../store/queries/tenancy-queries.js';
import type { AppServices } from '../app-services.js';
import { requireUser } from './authentication.js';

/** The organization a `/orgs/{orgId}` request is about, and the caller's place in it. */
export interface OrgAccess {
  org: Organization;
  user: UserAccount;
  userType: UserType;
  /** True when the caller is a proxy user from another organization. */
  viaProxy: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every route inside the org scope, before its handler runs. */
    orgAccess: OrgAccess | undefined;
  }
}

/**
 * Registers `routes` under `/api/v1/orgs/:orgId` behind one hook that resolves the organization and the
 * caller's membership, so no route inside can forget the tenant check: anonymous → 401, producer key → 403,
 * not a member (or no such organization) → 404, which does not reveal that the organization exists.
 */
export async function orgScope(
  app: FastifyInstance,
  services: AppServices,
  routes: (scoped: FastifyInstance) => Promise<void> | void,
): Promise<void> {
  await app.register(
    async (scoped) => {
      scoped.decorateRequest('orgAccess', undefined);
      scoped.addHook('onRequest', async (request) => {
        const principal = requireUser(request);
        const { orgId } = request.params as { orgId: string };
        // Read with the credential when the path named the organization (authentication), else asked here.
        const read = request.pathMembership;
        const found =
          read?.orgId === orgId && read.userId === principal.user.id
            ? read.found
            : isUuid(orgId)
              ? await findMembership(services.store.dialect.readDb, orgId, principal.user.id, services.store.clock.now())
              : undefined;
        if (!found) throw new AttestError('ORG_NOT_FOUND');
        const { membership, org } = found;
        request.orgAccess = { org, user: principal.user, userType: membership.userType, viaProxy: membership.proxyFromOrgId !== null };
      });
      await routes(scoped);
    },
    { prefix: '/api/v1/orgs/:orgId' },
  );
}

/** The org access of a scoped request (set by the scope's hook). */
export function orgAccessOf(request: FastifyRequest): OrgAccess {
  if (!request.orgAccess) throw new Error('route is not inside orgScope');
  return request.orgAccess;
}

/** The org access of an owner; admins and standard users get 403 "only organization owners can see audit logs". */
export function requireOwner(request: FastifyRequest): OrgAccess {
  const access = orgAccessOf(request);
  if (access.userType !== 'owner') throw new AttestError('AUDIT_LOGS_OWNER_ONLY');
  return access;
}
