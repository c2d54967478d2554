import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OperatorToken } from '../../../store/queries/credential-queries.js';
import { AttestError } from '../../../core/errors.js';
import type { AppServices } from '../../../http/app-services.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';
import { createOrganization } from '../organization-commands.js';
import { welcomeLinkView } from './user-routes.js';
import { baseCommandContext, requestOrigin } from './route-context.js';
import { WelcomeLinkSchema } from './user-management-schemas.js';

const CreateOrganizationBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    ownerEmail: Type.String({ format: 'email', maxLength: 320 }),
    ownerName: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "The owner's name when the account is new" })),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'IANA time zone; default UTC' })),
    id: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: "The platform's own UUID for the tenant; generated when absent" }),
    ),
  },
  { additionalProperties: false },
);

const CreatedOrganizationSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  timeZone: Type.String(),
  owner: Type.Object({
    email: Type.String(),
    status: Type.Union([Type.Literal('active'), Type.Literal('pending')]),
    welcomeLink: WelcomeLinkSchema,
  }),
});

/** The operator token of a request; a user or producer key is refused (403), an anonymous caller 401. */
function requireOperator(request: FastifyRequest): OperatorToken {
  const principal = request.principal;
  if (!principal) throw new AttestError('UNAUTHENTICATED', 'Send an operator token as "Authorization: Bearer <token>".');
  if (principal.kind !== 'operator') throw new AttestError('FORBIDDEN', 'Only operator tokens may create organizations.');
  return principal.token;
}

/** `POST /api/v1/orgs`: a multi-tenant platform creates a tenant organization with its first owner. */
export async function organizationRoutes(scope: FastifyInstance, services: AppServices): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/api/v1/orgs',
    {
      schema: {
        tags: ['organizations'],
        security: [{ bearer: [] }],
        summary: 'Create an organization with its first owner (operator token; records org.created and user.privileged.added in it)',
        description:
          'The owner gets a one-time welcome link (shown once): a new account is activated there, an existing account accepts the pending ' +
          'owner membership there after signing in. A taken id is a 409; an unknown time zone or a malformed id a 400 naming the field.',
        body: CreateOrganizationBody,
        response: { 201: CreatedOrganizationSchema, 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 409: ProblemSchema },
      },
    },
    async (request, reply) => {
      const token = requireOperator(request);
      const actor = { userId: token.id, name: token.name, email: '', kind: 'service' as const, ...requestOrigin(request) };
      const { org, owner } = await createOrganization({ ...baseCommandContext(request, services), actor }, request.body);
      return reply.status(201).send({
        id: org.id,
        name: org.name,
        timeZone: org.timeZone,
        owner: { email: owner.member.email, status: owner.status, welcomeLink: welcomeLinkView(owner.welcomeLink) },
      });
    },
  );
}
