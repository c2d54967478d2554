import type { QueryExecutor } from '../query-executor.js';

// The named queries of multiple organization user visibility: whose users an organization may see.

/** The ids of the organizations whose users this organization may see, sorted. */
export async function visibleOrgIdsOf(db: QueryExecutor, orgId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('org_visible_orgs')
    .select('visible_org_id')
    .where('org_id', '=', orgId)
    .orderBy('visible_org_id')
    .execute();
  return rows.map((r) => r.visible_org_id);
}

/** Makes `visibleOrgIds` the organizations whose users this one may see. */
export async function replaceVisibleOrgs(db: QueryExecutor, orgId: string, visibleOrgIds: readonly string[]): Promise<void> {
  await db.deleteFrom('org_visible_orgs').where('org_id', '=', orgId).execute();
  if (visibleOrgIds.length > 0)
    await db
      .insertInto('org_visible_orgs')
      .values(visibleOrgIds.map((id) => ({ org_id: orgId, visible_org_id: id })))
      .execute();
}
