

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
  invite_links: InviteLinksTable;
  org_visible_orgs: OrgVisibleOrgsTable;
  login_failures: LoginFailuresTable;
  merkle_nodes: MerkleNodesTable;
  merkle_tree_heads: MerkleTreeHeadsTable;
  log_checkpoints: LogCheckpointsTable;
  log_keys: LogKeysTable;
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

/** The organization's one invite link; regenerating replaces the row, so the old token stops working. */
export interface InviteLinksTable {
  org_id: string;
  id: string;
  token: string;
  created_at: number;
}

/** Multiple organization user visibility: whose users an organization may see. */
export interface OrgVisibleOrgsTable {
  org_id: string;
  visible_org_id: string;
}

/** One failed login, keyed `email:<email>` or `ip:<address>`, for rate limiting across processes. */
export interface LoginFailuresTable {
  scope_key: string;
  failed_at: number;
}

/** A complete node of an organization's Merkle tree (migration 0008); level 0 copies the events' leaf hashes. */
export interface MerkleNodesTable {
  org_id: string;
  level: number;
  idx: number;
  /** Lowercase hex SHA-256. */
  hash: string;
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
