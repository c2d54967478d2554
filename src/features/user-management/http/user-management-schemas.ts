import { Type } from '@sinclair/typebox';

/** Schemas of the User Management API; they are its OpenAPI document. */

export const UserTypeSchema = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('standard')]);
const Ids = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 1000 });

export const OrgParams = Type.Object({ orgId: Type.String() });
export const UserParams = Type.Object({ orgId: Type.String(), userId: Type.String({ minLength: 1, maxLength: 100 }) });
export const SetParams = Type.Object({ orgId: Type.String(), setId: Type.String({ minLength: 1, maxLength: 100 }) });

export const UserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  userType: UserTypeSchema,
  viaProxy: Type.Boolean(),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  permissionSetIds: Type.Array(Type.String()),
  customPermissionIds: Type.Array(Type.String()),
  entityIds: Type.Array(Type.String()),
});

export const AddUserBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 320 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    userType: UserTypeSchema,
  },
  {
    additionalProperties: false,
    description: "Nobody sets another person's password: a new account gets a one-time activation link instead.",
  },
);

/** A one-time welcome link: the token is shown once, here, and stored only as a hash. */
export const WelcomeLinkSchema = Type.Object({
  id: Type.String({ description: 'Recorded in the audit log instead of the token' }),
  token: Type.String(),
  url: Type.String({
    description: 'The page /welcome/{token}: a new user sets their own password there; an existing account holder accepts',
  }),
  expiresAt: Type.String({ format: 'date-time' }),
});

/**
 * A user as the adder gets them back, the same shape whether or not the email had an account: `active` for a
 * new account, `pending` (no access until the account holder accepts) for an existing one; a welcome link either way.
 */
export const AddedUserSchema = Type.Composite([
  UserSchema,
  Type.Object({ status: Type.Union([Type.Literal('active'), Type.Literal('pending')]), welcomeLink: WelcomeLinkSchema }),
]);

/** A pending membership as the inviting organization lists it. */
export const InvitationSchema = Type.Object({
  userId: Type.String(),
  email: Type.String(),
  name: Type.String({ description: 'The name the adder typed' }),
  userType: UserTypeSchema,
  invitedVia: Type.Union([Type.Literal('user'), Type.Literal('invite_link'), Type.Literal('operator')]),
  invitedAt: Type.String({ format: 'date-time' }),
});

export const ChangeTypeBody = Type.Object({ userType: UserTypeSchema }, { additionalProperties: false });

export const AccessBody = Type.Object({ permissionSetIds: Ids, customPermissionIds: Ids, entityIds: Ids }, { additionalProperties: false });

export const PermissionSetSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  permissions: Type.Array(Type.String()),
  usedBy: Type.Array(Type.Object({ userId: Type.String(), email: Type.String() })),
});

export const PermissionSetBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    permissions: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 500 }),
  },
  { additionalProperties: false },
);

export const CustomPermissionSchema = Type.Object({ id: Type.String(), name: Type.String(), description: Type.String() });
export const CustomPermissionBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), description: Type.String({ maxLength: 1000 }) },
  { additionalProperties: false },
);

export const EntitySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal('zone'), Type.Literal('store'), Type.Literal('concept')]),
});

export const BulkQuery = Type.Object({ mode: Type.Union([Type.Literal('add'), Type.Literal('append'), Type.Literal('overwrite')]) });
const BulkRowError = Type.Object({ line: Type.Integer(), field: Type.String(), reason: Type.String() });
/** One user a bulk addition added, as the adder gets them back (the activation link shown once). */
export const BulkAddedUserSchema = Type.Object({
  email: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('pending')]),
  welcomeUrl: Type.String(),
  welcomeLinkExpiresAt: Type.String({ format: 'date-time' }),
});
export const BulkResultSchema = Type.Object({
  applied: Type.Boolean(),
  rows: Type.Integer(),
  errors: Type.Array(BulkRowError),
  added: Type.Optional(Type.Array(BulkAddedUserSchema)),
});
/** A rejected bulk file: RFC 9457 problem details whose `errors` name the line of each problem. */
export const BulkProblemSchema = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  instance: Type.String(),
  code: Type.String(),
  applied: Type.Boolean(),
  rows: Type.Integer(),
  errors: Type.Array(BulkRowError),
});

/** The invite link: its token (and URL) only in the answer that made it; afterwards null, as only its hash is kept. */
export const InviteLinkSchema = Type.Object({
  id: Type.String(),
  token: Type.Union([Type.String(), Type.Null()]),
  url: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});
export const JoinBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 320 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.String({ minLength: 8, maxLength: 1000 }),
  },
  { additionalProperties: false },
);

export const VisibilityBody = Type.Object(
  { visibleOrgIds: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 }) },
  { additionalProperties: false },
);

export const ProxyAccessBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 320 }),
    userType: UserTypeSchema,
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export const ProxyAccessSchema = Type.Object({
  userId: Type.String(),
  email: Type.String(),
  name: Type.String(),
  userType: UserTypeSchema,
  proxyFromOrgId: Type.String(),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/** OpenAPI security of every org-scoped route: the session cookie or an owner API token. */
export const ORG_SECURITY: { [scheme: string]: string[] }[] = [{ session: [] }, { bearer: [] }];
