import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AttestError } from '../../../core/errors.js';
import type { AppServices } from '../../../http/app-services.js';
import { findUserByEmail } from '../../../tenancy/tenancy-queries.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';
import { inviteLinkOf, joinViaInviteLink, regenerateInviteLink, type InviteLink } from '../invite-link-commands.js';
import { baseCommandContext, orgCommandContext, requestOrigin } from './route-context.js';
import { InviteLinkSchema, JoinBody, OrgParams, ORG_SECURITY } from './user-management-schemas.js';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema };
const security = ORG_SECURITY;

function linkView(link: InviteLink) {
  return { id: link.id, token: link.token, url: `/join/${link.token}`, createdAt: new Date(link.createdAt).toISOString() };
}

/** The organization's invite link and its regeneration (inside the org scope). */
export async function inviteLinkRoutes(scope: FastifyInstance, services: AppServices): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['user management'];
  app.get('/invite-link', {
    schema: { tags, security, summary: 'The organization\'s invite link (created on first use)', params: OrgParams, response: { 200: InviteLinkSchema, ...errors } },
  }, async (request) => linkView(await inviteLinkOf(orgCommandContext(request, services))));

  app.post('/invite-link/regenerate', {
    schema: { tags, security, summary: 'Replace the invite link; the old one stops working (records invite_link.regenerated)', params: OrgParams, response: { 200: InviteLinkSchema, ...errors } },
  }, async (request) => linkView(await regenerateInviteLink(orgCommandContext(request, services))));
}

/** `POST /api/v1/invites/{token}/join`: anonymous; joins the organization as a standard user. */
export async function inviteJoinRoutes(scope: FastifyInstance, services: AppServices): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.post('/api/v1/invites/:token/join', {
    schema: {
      tags: ['user management'],
      summary: 'Join an organization through its invite link as a standard user (records user.standard.added)',
      params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }),
      body: JoinBody,
      response: { 201: Type.Object({ orgId: Type.String(), userId: Type.String() }), ...errors, 429: ProblemSchema },
    },
  }, async (request, reply) => {
    const ctx = { ...baseCommandContext(request, services), actor: requestOrigin(request) };
    const { email } = request.body;
    // Joining with an existing account checks its password, so it is rate limited and recorded like a login;
    // otherwise the invite link would be a way around the login limits.
    const attempt = await services.loginAttempts?.reserve(request, email);
    let joined;
    try {
      joined = await joinViaInviteLink(ctx, { token: request.params.token, ...request.body });
    } catch (error) {
      if (error instanceof AttestError && error.code === 'INVALID_CREDENTIALS') await attempt?.failed(await findUserByEmail(services.store.db, email));
      else await attempt?.release();
      throw error;
    }
    await attempt?.release();
    return reply.status(201).send(joined);
  });
}
