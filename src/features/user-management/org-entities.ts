import { newId } from '../../core/ids.js';
import type { OrgEntityKind } from '../../store/database-schema.js';
import type { AttestStore } from '../../store/attest-store.js';
import type { QueryExecutor } from '../../store/queries/query-executor.js';
import {
  hasEntities,
  insertEntitiesIfAbsent,
  listEntities,
  type OrgEntity,
} from '../../store/queries/user-management/org-entity-queries.js';

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

/** Creates the default entities of an organization that has none (idempotent, safe when two callers race). */
export async function ensureDefaultEntities(db: QueryExecutor, orgId: string, nowMs: number): Promise<void> {
  if (await hasEntities(db, orgId)) return;
  await insertEntitiesIfAbsent(
    db,
    DEFAULT_ENTITIES.map((e) => ({ id: newId(nowMs), org_id: orgId, name: e.name, kind: e.kind, created_at: nowMs })),
  );
}

/** The entities of an organization, seeding the defaults first when it has none. */
export async function entitiesOf(store: AttestStore, orgId: string): Promise<OrgEntity[]> {
  const entities = await listEntities(store.dialect.readDb, orgId);
  if (entities.length > 0) return entities;
  await store.transaction((tx) => ensureDefaultEntities(tx, orgId, store.clock.now()));
  return listEntities(store.db, orgId);
}
