import type { OrgEntitiesTable, OrgEntityKind } from '../../database-schema.js';
import type { QueryExecutor } from '../query-executor.js';

// The named queries of an organization's entities: the zones, stores and concepts a user may be allowed to act on.

/** An object of the organization a user may be allowed to act on. */
export interface OrgEntity {
  id: string;
  name: string;
  kind: OrgEntityKind;
}

/** The organization's entities by kind and name. */
export async function listEntities(db: QueryExecutor, orgId: string): Promise<OrgEntity[]> {
  return db.selectFrom('org_entities').select(['id', 'name', 'kind']).where('org_id', '=', orgId).orderBy('kind').orderBy('name').execute();
}

/** Whether the organization has any entity. */
export async function hasEntities(db: QueryExecutor, orgId: string): Promise<boolean> {
  return (await db.selectFrom('org_entities').select('id').where('org_id', '=', orgId).limit(1).executeTakeFirst()) !== undefined;
}

/** Adds entities; one whose kind and name the organization already has is skipped (two callers may race). */
export async function insertEntitiesIfAbsent(db: QueryExecutor, entities: readonly OrgEntitiesTable[]): Promise<void> {
  await db
    .insertInto('org_entities')
    .values([...entities])
    .onConflict((oc) => oc.columns(['org_id', 'kind', 'name']).doNothing())
    .execute();
}
