/**
 * The tables of the Attest store, as Kysely sees them. Times are milliseconds since the epoch in `bigint`
 * columns (both databases hand them back as JS numbers, see the dialect modules); booleans are 0/1 integers
 * so that SQLite and PostgreSQL rows look the same.
 */
export interface AttestDatabase {
  organizations: OrganizationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  producer_keys: ProducerKeysTable;
  org_log_heads: OrgLogHeadsTable;
  audit_events: AuditEventsTable;
  audit_event_counts: AuditEventCountsTable;
  audit_actors: AuditActorsTable;
  audit_view_marks: AuditViewMarksTable;
  // User Management (migration 0002)
  permission_sets: PermissionSetsTable;
  custom_permissions: CustomPermissionsTable;
  org_entities: OrgEntitiesTable;
  membership_grants: MembershipGrantsTable;
  org_invite_links: OrgInviteLinksTable;
  org_visible_orgs: OrgVisibleOrgsTable;
  // Accounts, invitations and operators (migration 0005)
  membership_invitations: MembershipInvitationsTable;
  account_activations: AccountActivationsTable;
  operator_tokens: OperatorTokensTable;
  // Login throttling (migration 0006)
  login_throttle: LoginThrottleTable;
  // Ingest hardening (migration 0007)
  producer_key_orgs: ProducerKeyOrgsTable;
  deployment_secrets: DeploymentSecretsTable;
  // Streams (migration 0009)
  stream_destinations: StreamDestinationsTable;
  // Merkle trees and checkpoints (migration 0008; tiles since 0012)
  merkle_tiles: MerkleTilesTable;
  merkle_tree_heads: MerkleTreeHeadsTable;
  log_checkpoints: LogCheckpointsTable;
  log_keys: LogKeysTable;
  log_pruned_ranges: LogPrunedRangesTable;
}

export interface OrganizationsTable {
  id: string;
  name: string;
  time_zone: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  /** Lowercased; unique across Attest. */
  email: string;
  name: string;
  /** argon2id PHC string; null for users who have not set a password (e.g. invited, not yet joined). */
  password_hash: string | null;
  created_at: number;
}

export type UserType = 'owner' | 'admin' | 'standard';

export interface MembershipsTable {
  org_id: string;
  user_id: string;
  user_type: UserType;
  /** Set when the membership is proxy access granted to a user of another organization. */
  proxy_from_org_id: string | null;
  /** Proxy access may expire; null means no expiry. */
  expires_at: number | null;
  created_at: number;
}

export interface SessionsTable {
  /** SHA-256 of the session secret held in the cookie. */
  id_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export interface ApiTokensTable {
  id: string;
  token_hash: string;
  user_id: string;
  name: string;
  created_at: number;
}

export interface ProducerKeysTable {
  id: string;
  key_hash: string;
  name: string;
  /** JSON array of product areas the key may append events for. */
  products: string;
  created_at: number;
}

/** One row per organization: the next `seq` to hand out. Locking this row serializes commits per organization. */
export interface OrgLogHeadsTable {
  org_id: string;
  next_seq: number;
  /** The organization's number in the SQLite store's row ids (migration 0004); empty on PostgreSQL. */
  org_no: number | null;
}

export interface AuditEventsTable {
  org_id: string;
  seq: number;
  log_id: string;
  occurred_at: number;
  recorded_at: number;
  expires_at: number;
  type: string;
  product: string;
  action: string;
  security: number;
  actor_id: string;
  /** Lowercased actor email, for the actor filter; null for service actors without one. */
  actor_email: string | null;
  trace_id: string;
  idempotency_key: string | null;
  /** SHA-256 of the event as its producer sent it (migration 0007); null without an idempotency key, or before. */
  idempotency_fingerprint: string | null;
  leaf_hash: string;
  /** The canonical JSON the leaf hash commits to (see `canonical-record.ts`). */
  record: string;
}

/**
 * Per organization, hour and type: how many events. Lets `total` sum whole hours instead of counting rows.
 * Action, product and security are part of the key as they were when the events were written, so the count
 * stays exact even if the catalog changes later.
 */
export interface AuditEventCountsTable {
  org_id: string;
  hour_start: number;
  type: string;
  action: string;
  product: string;
  security: number;
  event_count: number;
}

/** The actors seen in each organization's log, for the email search box. */
export interface AuditActorsTable {
  org_id: string;
  actor_email: string;
  actor_name: string | null;
  last_seen_at: number;
}

/** When a principal last had an `audit_log.viewed` event recorded, to record at most one per 30 minutes. */
export interface AuditViewMarksTable {
  principal: string;
  org_id: string;
  viewed_at: number;
}

/** A named set of permissions an organization assigns to users. */
export interface PermissionSetsTable {
  id: string;
  org_id: string;
  /** Unique within the organization. */
  name: string;
  /** JSON array of permission keys. */
  permissions: string;
  created_at: number;
  updated_at: number;
}

/** A permission an organization defined itself, beside the built-in ones. */
export interface CustomPermissionsTable {
  id: string;
  org_id: string;
  name: string;
  description: string;
  created_at: number;
}

export type OrgEntityKind = 'zone' | 'store' | 'concept';

/** An object of the organization a user may be allowed to act on (a zone, a store, a concept). */
export interface OrgEntitiesTable {
  id: string;
  org_id: string;
  name: string;
  kind: OrgEntityKind;
  created_at: number;
}

export type GrantKind = 'permission_set' | 'custom_permission' | 'entity';

/** One thing a member of an organization was granted. */
export interface MembershipGrantsTable {
  org_id: string;
  user_id: string;
  grant_kind: GrantKind;
  target_id: string;
}

/**
 * The organization's one invite link; regenerating replaces the row, so the old token stops working. Only the
 * token's SHA-256 is kept (migration 0005): the link is shown once, when it is made.
 */
export interface OrgInviteLinksTable {
  org_id: string;
  id: string;
  token_hash: string;
  created_at: number;
}

/** Multiple organization user visibility: whose users an organization may see. */
export interface OrgVisibleOrgsTable {
  org_id: string;
  visible_org_id: string;
}

/**
 * The login throttle of one scope, keyed `account:<email>@<address>` or `address:<address>`, shared by every
 * process of the store.
 */
export interface LoginThrottleTable {
  scope_key: string;
  /** Password checks counted against the scope since it was last forgotten (a success gives its one back). */
  failures: number;
  last_failure_at: number;
  /** No password check for this scope before this time (ms since the epoch). */
  next_attempt_at: number;
}

/** An organization a producer key may append events for; a key without any row is platform-wide. */
export interface ProducerKeyOrgsTable {
  key_id: string;
  org_id: string;
}

/** A random secret of the deployment, generated on the first start and shared by every process on the store. */
export interface DeploymentSecretsTable {
  name: string;
  /** base64url of 32 random bytes. */
  secret: string;
  created_at: number;
}

/** How a pending membership came about. */
export type InvitationSource = 'user' | 'invite_link' | 'operator';

/**
 * A pending membership: an email that already had an account was added to an organization. It gives no access
 * and is in no member list until the account holder, signed in, accepts it with the invitation link's token:
 * holding the account's password alone (whoever set it) is not enough.
 */
export interface MembershipInvitationsTable {
  org_id: string;
  user_id: string;
  user_type: UserType;
  /** The name the adder typed; the account's own name, set elsewhere, is never shown to the adder. */
  name: string;
  invited_via: InvitationSource;
  /** The invitation link's id, safe to record in the audit log. */
  link_id: string;
  /** SHA-256 of the invitation link's token (for an invite-link join: of the invite link's token). */
  token_hash: string;
  created_at: number;
  expires_at: number;
}

/** A one-time link where a new user sets their own password; only the token's SHA-256 is kept. */
export interface AccountActivationsTable {
  token_hash: string;
  /** Safe to record in the audit log, unlike the token. */
  id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

/** A credential of the platform operator that creates organizations; only its SHA-256 is kept. */
export interface OperatorTokensTable {
  id: string;
  name: string;
  token_hash: string;
  created_at: number;
}

export type StreamKind = 'webhook' | 'splunk-hec' | 'syslog';

/** A destination an organization's events are streamed to, with its delivery cursor and state (PRODUCT.md §9). */
export interface StreamDestinationsTable {
  id: string;
  org_id: string;
  kind: StreamKind;
  url: string;
  /** JSON `{ types?, actions?, security? }`. */
  filter: string;
  enabled: number;
  /** The webhook secret or HEC token, encrypted (`stream-credentials.ts`); null for syslog. */
  credential: string | null;
  ca_bundle: string | null;
  last_delivered_seq: number;
  last_delivered_at: number | null;
  failed_attempts: number;
  failing_since: number | null;
  last_error: string | null;
  next_attempt_at: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  created_at: number;
  updated_at: number;
}

/**
 * A tile of an organization's Merkle tree (migration 0012, `integrity/merkle-tiles.ts`): up to 256 consecutive
 * hashes of tree level 8 · `level`, from hash 256 · `idx` on; tile level 0 is the tree's copy of the leaf hashes.
 */
export interface MerkleTilesTable {
  org_id: string;
  level: number;
  idx: number;
  /** The hashes, 32 bytes each, concatenated (BLOB in SQLite, bytea in PostgreSQL). */
  hashes: Uint8Array;
}

/** How far an organization's Merkle tree has grown, and its right edge (JSON array of hex hashes, largest subtree first). */
export interface MerkleTreeHeadsTable {
  org_id: string;
  tree_size: number;
  edge: string;
}

/** A signed checkpoint of an organization's log: the note's exact text. */
export interface LogCheckpointsTable {
  org_id: string;
  tree_size: number;
  /** Lowercase hex. */
  root_hash: string;
  note: string;
  signed_at: number;
}

/** A verifier key the log has signed with, and when (`valid_until` null: the key in use). */
export interface LogKeysTable {
  vkey: string;
  valid_from: number;
  valid_until: number | null;
}

/** A run of consecutive events retention purged from an organization's log (migration 0011). */
export interface LogPrunedRangesTable {
  org_id: string;
  first_seq: number;
  last_seq: number;
  first_pruned_at: number;
  last_pruned_at: number;
}
