import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { createSession, deleteSession } from '../../../auth/credentials.js';
import { dummyPasswordHash, verifyPassword } from '../../../auth/passwords.js';
import { AttestError } from '../../../core/errors.js';
import { listInvitationsOfAccount } from '../../../store/queries/membership-invitation-queries.js';
import { findUserByEmail, listMemberships, organizationTimeZones } from '../../../store/queries/tenancy-queries.js';
import type { AppServices } from '../../../http/app-services.js';
import { requireUser, SESSION_COOKIE } from '../../../http/plugins/authentication.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';
import { setSessionCookie } from '../../../http/session-cookie.js';

const MembershipSchema = Type.Object({
  orgId: Type.String(),
  orgName: Type.String(),
  userType: Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('standard')]),
  viaProxy: Type.Boolean(),
  timeZone: Type.String(),
});

/** A pending membership the signed-in account holder may accept or decline; it gives no access until accepted. */
const InvitationSchema = Type.Object({
  orgId: Type.String(),
  orgName: Type.String(),
  userType: Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('standard')]),
  invitedAt: Type.String({ format: 'date-time' }),
});

export const MeSchema = Type.Object({
  user: Type.Object({ id: Type.String(), email: Type.String(), name: Type.String() }),
  organizations: Type.Array(MembershipSchema),
  invitations: Type.Array(InvitationSchema),
});

/** `POST /api/v1/session` (log in), `DELETE /api/v1/session` (log out) and `GET /api/v1/me`. */
export async function sessionRoutes(app: FastifyInstance, services: AppServices): Promise<void> {
  const { store, config } = services;

  async function describeMe(userId: string, user: { id: string; email: string; name: string }) {
    const memberships = await listMemberships(store.dialect.readDb, userId, store.clock.now());
    const zoneOf = await organizationTimeZones(
      store.dialect.readDb,
      memberships.map((m) => m.orgId),
    );
    const invitations = await listInvitationsOfAccount(store.dialect.readDb, userId, store.clock.now());
    return {
      user,
      organizations: memberships.map((m) => ({
        orgId: m.orgId,
        orgName: m.orgName,
        userType: m.userType,
        viaProxy: m.proxyFromOrgId !== null,
        timeZone: zoneOf.get(m.orgId) ?? 'UTC',
      })),
      invitations: invitations.map((i) => ({
        orgId: i.orgId,
        orgName: i.orgName,
        userType: i.userType,
        invitedAt: new Date(i.invitedAt).toISOString(),
      })),
    };
  }

  app.post(
    '/api/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Log in with email and password; sets the HttpOnly session cookie',
        body: Type.Object(
          { email: Type.String({ minLength: 1, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1000 }) },
          { additionalProperties: false },
        ),
        response: { 200: MeSchema, 400: ProblemSchema, 401: ProblemSchema, 429: ProblemSchema },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body as { email: string; password: string };
      // Reserved before the password is hashed, so guesses sent in parallel are counted before any is checked.
      const attempt = await services.loginAttempts?.reserve(request, email);
      const user = await findUserByEmail(store.db, email);
      // Verify against a dummy hash when the email is unknown, so timing does not reveal which emails exist.
      const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
      if (!user || !user.passwordHash || !ok) {
        await attempt?.failed(user);
        throw new AttestError('INVALID_CREDENTIALS');
      }
      const secret = await createSession(store.db, user.id, store.clock.now());
      await attempt?.succeeded(user);
      setSessionCookie(reply, secret, config);
      return describeMe(user.id, { id: user.id, email: user.email, name: user.name });
    },
  );

  app.delete(
    '/api/v1/session',
    { schema: { tags: ['session'], summary: 'Log out: ends the session and clears the cookie', response: { 204: Type.Null() } } },
    async (request, reply) => {
      const secret = request.cookies[SESSION_COOKIE];
      if (secret) {
        if (request.principal?.kind === 'user') await services.loginAttempts?.recordLogout(request, request.principal.user);
        await deleteSession(store.db, secret);
      }
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/me',
    {
      schema: {
        tags: ['session'],
        summary: 'The signed-in user, their organizations with their type in each, and their pending invitations',
        response: { 200: MeSchema, 401: ProblemSchema },
      },
    },
    async (request) => {
      const principal = requireUser(request);
      return describeMe(principal.user.id, principal.user);
    },
  );
}
