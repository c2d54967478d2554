import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../../http/app-services.js';
import { orgScope } from '../../http/plugins/org-scope.js';
import { accountRoutes } from './http/account-routes.js';
import { BULK_BODY_LIMIT, bulkRoutes } from './http/bulk-routes.js';
import { inviteJoinRoutes, inviteLinkRoutes } from './http/invite-routes.js';
import { orgSettingsRoutes } from './http/org-settings-routes.js';
import { organizationRoutes } from './http/organization-routes.js';
import { permissionRoutes } from './http/permission-routes.js';
import { userRoutes } from './http/user-routes.js';

/**
 * The User Management REST API: everything under `/api/v1/orgs/{orgId}/…` sits in the org scope (tenant and
 * membership resolved once), plus the anonymous invite join and what account holders do for themselves
 * (activation, accepting or declining invitations), and the operator's `POST /api/v1/orgs`. Routes are thin: each calls one command, which
 * writes the change and its audit event in one transaction.
 */
export async function userManagementRoutes(app: FastifyInstance, services: AppServices): Promise<void> {
  // The bulk upload is the one body that is not JSON; the parser lives in this scope only.
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: BULK_BODY_LIMIT }, (_request, body, done) => done(null, body));
  await orgScope(app, services, async (scoped) => {
    await userRoutes(scoped, services);
    await bulkRoutes(scoped, services);
    await permissionRoutes(scoped, services);
    await inviteLinkRoutes(scoped, services);
    await orgSettingsRoutes(scoped, services);
  });
  await inviteJoinRoutes(app, services);
  await accountRoutes(app, services);
  await organizationRoutes(app, services);
}
