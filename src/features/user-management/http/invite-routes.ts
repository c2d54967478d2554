import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../../../http/app-services.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';
import { inviteLinkOf, joinViaInviteLink, regenerateInviteLink, type InviteLink } from '../invite-link-commands.js';
import { baseCommandContext, orgCommandContext, requestOrigin } from './route-context.js';
import { InviteLinkSchema, JoinBody, OrgParams, ORG_SECURITY } from './user-management-schemas.js';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema };
const security = ORG_SECURITY;

function linkView(link: InviteLink) {
  return {
    id: link.id,
    token: link.token,
    url: link.token === null ? null : `/join/${link.token}`,
    createdAt: new Date(link.createdAt).toISOString(),
  };
}

/** The organization's invite link and its regeneration (inside the org scope). */
export async function inviteLinkRoutes(scope: FastifyInstance, services: AppServices): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['user management'];
  app.get(
    '/invite-link',
    {
      schema: {
        tags,
        security,
        summary: "The organization's invite link (created on first use; its token only in the answer that made it)",
        params: OrgParams,
        response: { 200: InviteLinkSchema, ...errors },
      },
    },
    async (request) => linkView(await inviteLinkOf(orgCommandContext(request, services))),
  );

  app.post(
    '/invite-link/regenerate',
    {
      schema: {
        tags,
        security,
        summary: 'Replace the invite link; the old one stops working (records invite_link.regenerated)',
        params: OrgParams,
        response: { 200: InviteLinkSchema, ...errors },
      },
    },
    async (request) => linkView(await regenerateInviteLink(orgCommandContext(request, services))),
  );
}

/** `POST /api/v1/invites/{token}/join`: anonymous; joins the organization as a standard user. */
export async function inviteJoinRoutes(scope: FastifyInstance, services: AppServices): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/api/v1/invites/:token/join',
    {
      schema: {
        tags: ['user management'],
        summary: 'Join an organization through its invite link as a standard user, then sign in',
        description:
          'The answer is the same whether or not the email has an account. A new email gets an account with this password ' +
          '(records user.standard.added); an existing account gets a pending membership that its holder accepts after signing in ' +
          'with their own password (nothing is checked or changed here, nothing is recorded until then).',
        params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }),
        body: JoinBody,
        response: { 202: Type.Object({ orgId: Type.String() }), ...errors },
      },
    },
    async (request, reply) => {
      const ctx = { ...baseCommandContext(request, services), actor: requestOrigin(request) };
      return reply.status(202).send(await joinViaInviteLink(ctx, { token: request.params.token, ...request.body }));
    },
  );
}
