import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../../../http/app-services.js';
import { orgAccessOf } from '../../../http/plugins/org-scope.js';
import { ProblemSchema } from '../../../http/schemas/problem-schema.js';
import { listCustomPermissions } from '../../../store/queries/user-management/permission-queries.js';
import { createCustomPermission } from '../custom-permission-commands.js';
import { entitiesOf } from '../org-entities.js';
import { BUILT_IN_PERMISSIONS } from '../permission-catalog.js';
import { createPermissionSet, deletePermissionSet, listPermissionSets, updatePermissionSet } from '../permission-set-commands.js';
import { assertCanManageUsers } from '../user-rights.js';
import { orgCommandContext } from './route-context.js';
import {
  CustomPermissionBody,
  CustomPermissionSchema,
  EntitySchema,
  OrgParams,
  PermissionSetBody,
  PermissionSetSchema,
  SetParams,
  ORG_SECURITY,
} from './user-management-schemas.js';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema };
const security = ORG_SECURITY;

/** Permission sets, custom permissions and the organization's accessible entities (inside the org scope). */
export async function permissionRoutes(scope: FastifyInstance, services: AppServices): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['user management'];
  const readerOrgId = (request: Parameters<typeof orgAccessOf>[0]) => {
    const access = orgAccessOf(request);
    assertCanManageUsers(access.userType);
    return access.org.id;
  };

  app.get(
    '/permission-sets',
    {
      schema: {
        tags,
        security,
        summary: "The organization's permission sets, each with the users it is assigned to",
        params: OrgParams,
        response: { 200: Type.Object({ data: Type.Array(PermissionSetSchema) }), ...errors },
      },
    },
    async (request) => ({ data: await listPermissionSets(services.store.dialect.readDb, readerOrgId(request)) }),
  );

  app.post(
    '/permission-sets',
    {
      schema: {
        tags,
        security,
        summary: 'Create a permission set (permissions: built-in keys or custom permission names)',
        params: OrgParams,
        body: PermissionSetBody,
        response: { 201: PermissionSetSchema, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(await createPermissionSet(orgCommandContext(request, services), request.body)),
  );

  app.put(
    '/permission-sets/:setId',
    {
      schema: {
        tags,
        security,
        summary: 'Rename a permission set or replace its permissions',
        params: SetParams,
        body: PermissionSetBody,
        response: { 200: PermissionSetSchema, ...errors },
      },
    },
    async (request) => updatePermissionSet(orgCommandContext(request, services), request.params.setId, request.body),
  );

  app.delete(
    '/permission-sets/:setId',
    {
      schema: {
        tags,
        security,
        summary: 'Delete a permission set; a set in use is a 409 that lists its users',
        params: SetParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await deletePermissionSet(orgCommandContext(request, services), request.params.setId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/permissions',
    {
      schema: {
        tags,
        security,
        summary: 'The built-in permissions a permission set may hold (besides the custom ones)',
        params: OrgParams,
        response: { 200: Type.Object({ data: Type.Array(Type.String()) }), ...errors },
      },
    },
    async (request) => {
      readerOrgId(request);
      return { data: [...BUILT_IN_PERMISSIONS] };
    },
  );

  app.get(
    '/custom-permissions',
    {
      schema: {
        tags,
        security,
        summary: "The organization's custom permissions",
        params: OrgParams,
        response: { 200: Type.Object({ data: Type.Array(CustomPermissionSchema) }), ...errors },
      },
    },
    async (request) => ({ data: await listCustomPermissions(services.store.dialect.readDb, readerOrgId(request)) }),
  );

  app.post(
    '/custom-permissions',
    {
      schema: {
        tags,
        security,
        summary: 'Create a custom permission',
        params: OrgParams,
        body: CustomPermissionBody,
        response: { 201: CustomPermissionSchema, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(await createCustomPermission(orgCommandContext(request, services), request.body)),
  );

  app.get(
    '/entities',
    {
      schema: {
        tags,
        security,
        summary: "The organization's accessible entities (zones, stores, concepts)",
        params: OrgParams,
        response: { 200: Type.Object({ data: Type.Array(EntitySchema) }), ...errors },
      },
    },
    async (request) => ({ data: await entitiesOf(services.store, readerOrgId(request)) }),
  );
}
