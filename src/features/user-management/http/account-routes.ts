import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createSession } from '../../../auth/credentials.js';
import type { Principal } from '../../../auth/principal.js';
import { AttestError } from '../../../core/errors.js';
import type { AppServices } from '../../../http/app-services.js';
import { requireUser } from '../../../http/plugins/authentication.js';
import { setSessionCookie } from '../../../http/session-cookie.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';
import { activateAccount } from '../account-activation-commands.js';
import { acceptInvitation, declineInvitation } from '../invitation-commands.js';
import { recordLoginOutcome } from '../login-attempt-recorder.js';
import { baseCommandContext, requestOrigin } from './route-context.js';
import { UserTypeSchema } from './user-management-schemas.js';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema };
const InvitationParams = Type.Object({ orgId: Type.String({ minLength: 1, maxLength: 100 }) });

/** Invitations are accepted by the account holder in person, signed in to the page: not with an API token. */
function requireSignedIn(request: FastifyRequest): Extract<Principal, { kind: 'user' }> {
  const principal = requireUser(request);
  if (principal.via !== 'session')
    throw new AttestError('FORBIDDEN', 'Sign in to the page to accept or decline invitations; API tokens cannot.');
  return principal;
}

/**
 * What an account holder does for themselves: activate a new account through its one-time link
 * (`POST /api/v1/activation`, which signs them in), and accept or decline pending memberships.
 */
export async function accountRoutes(scope: FastifyInstance, services: AppServices): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['session'];

  app.post(
    '/api/v1/activation',
    {
      schema: {
        tags,
        summary: 'Set your own password through your one-time activation link; signs you in (records session.login.succeeded)',
        body: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 200 }), password: Type.String({ minLength: 8, maxLength: 1000 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ user: Type.Object({ id: Type.String(), email: Type.String(), name: Type.String() }) }), ...errors },
      },
    },
    async (request, reply) => {
      const user = await activateAccount({ store: services.store, clock: services.store.clock }, request.body);
      const secret = await createSession(services.store.db, user.id, services.store.clock.now());
      // The first sign-in of the account: recorded as a login where its memberships are (no password was guessed, so
      // the login throttle has nothing to count).
      await recordLoginOutcome(baseCommandContext(request, services), requestOrigin(request), 'session.login.succeeded', user);
      setSessionCookie(reply, secret, services.config);
      return { user };
    },
  );

  app.post(
    '/api/v1/me/invitations/accept',
    {
      schema: {
        tags,
        summary:
          'Accept a pending membership with the token of its invitation link (records user.invitation.accepted in that organization)',
        description:
          "Signed in as the invited account, with the token of the link the organization handed out (for an invite-link join: the invite link's token).",
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ orgId: Type.String(), orgName: Type.String(), userType: UserTypeSchema }), ...errors },
      },
    },
    async (request) => {
      const { user } = requireSignedIn(request);
      const actor = { userId: user.id, name: user.name, email: user.email, ...requestOrigin(request) };
      return acceptInvitation({ ...baseCommandContext(request, services), actor }, { token: request.body.token });
    },
  );

  app.post(
    '/api/v1/me/invitations/:orgId/decline',
    {
      schema: {
        tags,
        summary: 'Decline a pending membership (nothing is recorded in that organization)',
        params: InvitationParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const { user } = requireSignedIn(request);
      const actor = { userId: user.id, name: user.name, email: user.email, ...requestOrigin(request) };
      await declineInvitation({ ...baseCommandContext(request, services), actor }, { orgId: request.params.orgId });
      return reply.status(204).send(null);
    },
  );
}
