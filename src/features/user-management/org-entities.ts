import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.js';
import type { AttestDatabase, OrgEntityKind } from '../../store/database-schema.js';
import type { AttestStore } from '../../store/attest-store.js';

type Db = Kysely<AttestDatabase>;

/** An object of the organization a user may be allowed to act on. */
export interface OrgEntity {
  id: string;
  name: string;
  kind: OrgEntityKind;
}

/**
 * The entities an organization starts with. Attest does not own zones, stores and concepts (the products that
 * do would sync theirs); until one does, every organization gets this small realistic set the first time User
 * Management needs it, so access can be granted from day one.
 */
export const DEFAULT_ENTITIES: readonly { name: string; kind: OrgEntityKind }[] = [
  { name: 'North Zone', kind: 'zone' },
  { name: 'South Zone', kind: 'zone' },
  { name: 'Downtown Store', kind: 'store' },
  { name: 'Airport Store', kind: 'store' },
  { name: 'Harbour Store', kind: 'store' },
  { name: 'Burger Concept', kind: 'concept' },
  { name: 'Coffee Concept', kind: 'concept' },
];

/** The organization's entities by kind and name. */
export async function listEntities(db: Db, orgId: string): Promise<OrgEntity[]> {
  return db.selectFrom('org_entities').select(['id', 'name', 'kind']).where('org_id', '=', orgId).orderBy('kind').orderBy('name').execute();
}

/** Creates the default entities of an organization that has none (idempotent, safe when two callers race). */
export async function ensureDefaultEntities(db: Db, orgId: string, nowMs: number): Promise<void> {
  const existing = await db.selectFrom('org_entities').select('id').where('org_id', '=', orgId).limit(1).executeTakeFirst();
  if (existing) return;
  await db
    .insertInto('org_entities')
    .values(DEFAULT_ENTITIES.map((e) => ({ id: newId(nowMs), org_id: orgId, name: e.name, kind: e.kind, created_at: nowMs })))
    .onConflict((oc) => oc.columns(['org_id', 'kind', 'name']).doNothing())
    .execute();
}

/** The entities of an organization, seeding the defaults first when it has none. */
export async function entitiesOf(store: AttestStore, orgId: string): Promise<OrgEntity[]> {
  const entities = await listEntities(store.dialect.readDb, orgId);
  if (entities.length > 0) return entities;
  await store.transaction((tx) => ensureDefaultEntities(tx, orgId, store.clock.now()));
  return listEntities(store.db, orgId);
}
