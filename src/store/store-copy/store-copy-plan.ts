import type { AttestDatabase } from '../database-schema.js';

/** A row as `attest migrate` moves it: column name to value (text, number, bytes or null in both databases). */
export type CopyRow = Record<string, unknown>;

/**
 * How one table is copied from one store into another (`attest migrate`, `store-copier.ts`):
 * - `upsert`: read in key order and written with `insert … on conflict (key) do update`, so a second run
 *   (after an interruption) writes the same rows again without harm. `rewrite` turns a source row into what
 *   the target keeps, where the two databases keep a column differently.
 * - `append`: rows never change once written (the event log, the signed checkpoints). They are
 *   copied organization by organization in `order`, each batch one plain insert, so an interrupted copy leaves
 *   each organization's rows a prefix of the source's and a resumed one starts after the last row present.
 *   Plain inserts through a column list also work on a partitioned `audit_events`, where `on conflict (org_id,
 *   seq)` would need that pair to be a unique key of every partition.
 */
export type TableCopy<T extends keyof AttestDatabase> =
  | { readonly how: 'upsert'; readonly key: readonly (keyof AttestDatabase[T] & string)[]; readonly rewrite?: (row: CopyRow) => CopyRow }
  | { readonly how: 'append'; readonly order: readonly (keyof AttestDatabase[T] & string)[] };

/**
 * Every table of the store and how it is copied, in the order the copy runs: the tables others refer to
 * first (organizations, users, producer keys), the per-organization heads last, so a target left by an
 * interrupted copy never claims more of a log than it holds. Typed over every table of {@link AttestDatabase}:
 * a new table does not compile until it is given a line here (and `test/store-copy-plan.test.ts` checks the
 * migrated databases hold no table this list misses).
 */
export const STORE_COPY_PLAN: { readonly [T in keyof AttestDatabase]: TableCopy<T> } = {
  organizations: { how: 'upsert', key: ['id'] },
  users: { how: 'upsert', key: ['id'] },
  producer_keys: { how: 'upsert', key: ['id'] },
  memberships: { how: 'upsert', key: ['org_id', 'user_id'] },
  // Credentials are only ever kept as hashes; they are copied as they are, so every session, owner API token,
  // producer key, operator token and pending link keeps working against the new store.
  sessions: { how: 'upsert', key: ['id_hash'] },
  api_tokens: { how: 'upsert', key: ['id'] },
  producer_key_orgs: { how: 'upsert', key: ['key_id', 'org_id'] },
  operator_tokens: { how: 'upsert', key: ['id'] },
  account_activations: { how: 'upsert', key: ['token_hash'] },
  membership_invitations: { how: 'upsert', key: ['org_id', 'user_id'] },
  permission_sets: { how: 'upsert', key: ['id'] },
  custom_permissions: { how: 'upsert', key: ['id'] },
  org_entities: { how: 'upsert', key: ['id'] },
  membership_grants: { how: 'upsert', key: ['org_id', 'user_id', 'grant_kind', 'target_id'] },
  org_invite_links: { how: 'upsert', key: ['org_id'] },
  org_visible_orgs: { how: 'upsert', key: ['org_id', 'visible_org_id'] },
  login_throttle: { how: 'upsert', key: ['scope_key'] },
  // The cursor key among them: a cursor handed out by a server on the source still pages on the target.
  deployment_secrets: { how: 'upsert', key: ['name'] },
  log_keys: { how: 'upsert', key: ['vkey'] },
  audit_view_marks: { how: 'upsert', key: ['principal', 'org_id'] },
  // With its delivery cursor and state: a destination goes on after the last event its receiver accepted.
  stream_destinations: { how: 'upsert', key: ['id'] },
  audit_events: { how: 'append', order: ['seq'] },
  audit_event_counts: { how: 'upsert', key: ['org_id', 'hour_start', 'type', 'action', 'product', 'security'] },
  audit_actors: { how: 'upsert', key: ['org_id', 'actor_email'] },
  // The last tile of each tree level grows with the tree: upserted, so a resumed copy rewrites it whole.
  merkle_tiles: { how: 'upsert', key: ['org_id', 'level', 'idx'] },
  log_checkpoints: { how: 'append', order: ['tree_size'] },
  merkle_tree_heads: { how: 'upsert', key: ['org_id'] },
  // Which runs of seq retention purged and when: the copy's verify and `attest verify --org` on the target
  // tell purged events from deleted rows by them.
  log_pruned_ranges: { how: 'upsert', key: ['org_id', 'first_seq'] },
  // The organization number places an organization's rows in the SQLite file (migration 0004); PostgreSQL
  // keeps it empty.
  org_log_heads: { how: 'upsert', key: ['org_id'], rewrite: (row) => ({ ...row, org_no: null }) },
};

/** The tables in the order they are copied. */
export const COPIED_TABLES = Object.keys(STORE_COPY_PLAN) as (keyof AttestDatabase)[];

/**
 * Tables a database keeps for itself, not copied: Kysely's migration bookkeeping (the target runs its own
 * migrations) and SQLite's internal tables (`sqlite_stat1` and the like: planner statistics of the file).
 */
export function isDatabaseOwnTable(name: string): boolean {
  return name === 'kysely_migration' || name === 'kysely_migration_lock' || name.startsWith('sqlite_');
}

/** A table's copy with its column names as plain strings, for code that handles every table alike. */
export type AnyTableCopy =
  | { readonly how: 'upsert'; readonly key: readonly string[]; readonly rewrite?: (row: CopyRow) => CopyRow }
  | { readonly how: 'append'; readonly order: readonly string[] };

/** How `table` is copied. */
export function tableCopy(table: keyof AttestDatabase): AnyTableCopy {
  return STORE_COPY_PLAN[table];
}

/** The columns that identify a row of a table in its copy: the upsert key, or the organization and the append order. */
export function copyKey(table: keyof AttestDatabase): readonly string[] {
  const plan = tableCopy(table);
  return plan.how === 'upsert' ? plan.key : ['org_id', ...plan.order];
}
