import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { WelcomeLink } from '../../../auth/account-activation.js';
import type { AppServices } from '../../../http/app-services.js';
import { orgAccessOf } from '../../../http/plugins/org-scope.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';
import { listMembers, type Member } from '../../../store/queries/user-management/member-queries.js';
import { requireMember } from '../member-checks.js';
import { noAccess, readAccess, readUserAccess, type UserAccess } from '../membership-grants.js';
import { listPendingInvitations, withdrawInvitation } from '../invitation-commands.js';
import { updateUserAccess } from '../user-access-commands.js';
import { addUser, changeUserType, removeUser } from '../user-commands.js';
import { exportUserList } from '../user-list-export.js';
import { assertCanManageUsers } from '../user-rights.js';
import { orgCommandContext } from './route-context.js';
import {
  AccessBody,
  AddedUserSchema,
  AddUserBody,
  ChangeTypeBody,
  InvitationSchema,
  OrgParams,
  UserParams,
  UserSchema,
  ORG_SECURITY,
} from './user-management-schemas.js';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema };
const security = ORG_SECURITY;

/** A welcome link as its issuer gets it, once. */
export function welcomeLinkView(link: WelcomeLink) {
  return { id: link.id, token: link.token, url: link.url, expiresAt: new Date(link.expiresAt).toISOString() };
}

/** A member as the API shows them. */
export function userView(member: Member, access: UserAccess = noAccess()) {
  return {
    id: member.userId,
    email: member.email,
    name: member.name,
    userType: member.userType,
    viaProxy: member.proxyFromOrgId !== null,
    expiresAt: member.expiresAt === null ? null : new Date(member.expiresAt).toISOString(),
    ...access,
  };
}

/** Users of the organization: list and search, add, remove, change type, update access, export (inside the org scope). */
export async function userRoutes(scope: FastifyInstance, services: AppServices): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['user management'];

  app.get(
    '/users',
    {
      schema: {
        tags,
        security,
        summary: "List the organization's users (owners and admins); q searches email and name",
        params: OrgParams,
        querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: Type.Object({ data: Type.Array(UserSchema) }), ...errors },
      },
    },
    async (request) => {
      const access = orgAccessOf(request);
      assertCanManageUsers(access.userType);
      const db = services.store.dialect.readDb;
      const members = await listMembers(db, access.org.id, services.store.clock.now(), request.query.q?.trim() || undefined);
      const grants = await readAccess(
        db,
        access.org.id,
        members.map((m) => m.userId),
      );
      return { data: members.map((m) => userView(m, grants.get(m.userId))) };
    },
  );

  app.post(
    '/users',
    {
      schema: {
        tags,
        security,
        summary: 'Add a user as owner, admin or standard user (records user.standard.added or user.privileged.added)',
        description:
          'The answer holds a one-time welcome link (shown once, valid 7 days) for the adder to hand to the person. A new email gets an account ' +
          'that the link activates (its holder sets their own password); an email that already has an account gets a pending membership: ' +
          'no access until the account holder, signed in, accepts it through the link.',
        params: OrgParams,
        body: AddUserBody,
        response: { 201: AddedUserSchema, ...errors },
      },
    },
    async (request, reply) => {
      const added = await addUser(orgCommandContext(request, services), request.body);
      return reply.status(201).send({ ...userView(added.member), status: added.status, welcomeLink: welcomeLinkView(added.welcomeLink) });
    },
  );

  app.get(
    '/invitations',
    {
      schema: {
        tags,
        security,
        summary: 'Pending memberships: accounts that were added here and have not accepted yet (no access until they do)',
        params: OrgParams,
        response: { 200: Type.Object({ data: Type.Array(InvitationSchema) }), ...errors },
      },
    },
    async (request) => ({
      data: (await listPendingInvitations(orgCommandContext(request, services))).map((i) => ({
        ...i,
        invitedAt: new Date(i.invitedAt).toISOString(),
      })),
    }),
  );

  app.delete(
    '/invitations/:userId',
    {
      schema: {
        tags,
        security,
        summary: 'Withdraw a pending membership (records user.standard.removed or user.privileged.removed)',
        params: UserParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await withdrawInvitation(orgCommandContext(request, services), { userId: request.params.userId });
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/users/:userId',
    {
      schema: {
        tags,
        security,
        summary: 'Remove a user from the organization; the last owner cannot be removed',
        params: UserParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await removeUser(orgCommandContext(request, services), { userId: request.params.userId });
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/users/:userId/type',
    {
      schema: {
        tags,
        security,
        summary: "Change a user's type; only owners make owners; the last owner cannot be demoted",
        params: UserParams,
        body: ChangeTypeBody,
        response: { 200: UserSchema, ...errors },
      },
    },
    async (request) => {
      const ctx = orgCommandContext(request, services);
      const member = await changeUserType(ctx, { userId: request.params.userId, userType: request.body.userType });
      return userView(member, await readUserAccess(services.store.dialect.readDb, ctx.org.id, member.userId));
    },
  );

  app.put(
    '/users/:userId/access',
    {
      schema: {
        tags,
        security,
        summary: "Replace a user's permission sets, custom permissions and accessible entities",
        params: UserParams,
        body: AccessBody,
        response: { 200: UserSchema, ...errors },
      },
    },
    async (request) => {
      const ctx = orgCommandContext(request, services);
      const access = await updateUserAccess(ctx, { userId: request.params.userId, ...request.body });
      const member = await requireMember(services.store.db, ctx.org.id, request.params.userId, ctx.clock.now());
      return userView(member, access);
    },
  );

  app.get(
    '/users/export',
    {
      schema: {
        tags,
        security,
        summary: "Export the organization's users as CSV (records user_list.exported, a security action)",
        params: OrgParams,
        response: { 200: { description: 'RFC 4180 CSV with a header row', content: { 'text/csv': { schema: Type.String() } } }, ...errors },
      },
    },
    async (request, reply) => {
      const ctx = orgCommandContext(request, services);
      const { csv } = await exportUserList(ctx);
      const day = new Date(ctx.clock.now()).toISOString().slice(0, 10);
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="users-${day}.csv"`).send(csv);
    },
  );
}
