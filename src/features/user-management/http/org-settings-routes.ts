import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../../../http/app-services.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';
import type { Member } from '../../../store/queries/user-management/member-queries.js';
import { readMultiOrgVisibility, updateMultiOrgVisibility } from '../multi-org-visibility.js';
import { grantProxyAccess, listProxyAccess } from '../proxy-access-commands.js';
import { orgCommandContext } from './route-context.js';
import { OrgParams, ProxyAccessBody, ProxyAccessSchema, VisibilityBody, ORG_SECURITY } from './user-management-schemas.js';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema };
const security = ORG_SECURITY;

function proxyView(m: Member) {
  return {
    userId: m.userId,
    email: m.email,
    name: m.name,
    userType: m.userType,
    proxyFromOrgId: m.proxyFromOrgId ?? '',
    expiresAt: m.expiresAt === null ? null : new Date(m.expiresAt).toISOString(),
  };
}

/** Multiple organization user visibility and proxy organization access (inside the org scope). */
export async function orgSettingsRoutes(scope: FastifyInstance, services: AppServices): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['user management'];
  const Visibility = Type.Object({ visibleOrgIds: Type.Array(Type.String()) });

  app.get(
    '/settings/multi-org-visibility',
    {
      schema: {
        tags,
        security,
        summary: "Which related organizations' users are visible here",
        params: OrgParams,
        response: { 200: Visibility, ...errors },
      },
    },
    async (request) => readMultiOrgVisibility(orgCommandContext(request, services)),
  );

  app.put(
    '/settings/multi-org-visibility',
    {
      schema: {
        tags,
        security,
        summary: "Set which related organizations' users are visible (owners; records org.multi_org_visibility.updated)",
        params: OrgParams,
        body: VisibilityBody,
        response: { 200: Visibility, ...errors },
      },
    },
    async (request) => updateMultiOrgVisibility(orgCommandContext(request, services), request.body),
  );

  app.get(
    '/proxy-access',
    {
      schema: {
        tags,
        security,
        summary: 'Users of other organizations with proxy access here',
        params: OrgParams,
        response: { 200: Type.Object({ data: Type.Array(ProxyAccessSchema) }), ...errors },
      },
    },
    async (request) => ({ data: (await listProxyAccess(orgCommandContext(request, services))).map(proxyView) }),
  );

  app.post(
    '/proxy-access',
    {
      schema: {
        tags,
        security,
        summary:
          'Grant a user of another organization access here with a user type and optional expiry (owners; records org.proxy_access.granted)',
        params: OrgParams,
        body: ProxyAccessBody,
        response: { 201: ProxyAccessSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { email, userType, expiresAt } = request.body;
      const member = await grantProxyAccess(orgCommandContext(request, services), {
        email,
        userType,
        ...(expiresAt !== undefined ? { expiresAt: Date.parse(expiresAt) } : {}),
      });
      return reply.status(201).send(proxyView(member));
    },
  );
}
