import { AttestError, type FieldError } from '../../core/errors.js';
import type { FieldChange } from '../../events/audit-event.js';
import type { QueryExecutor } from '../../store/queries/query-executor.js';
import { grantableNames } from '../../store/queries/user-management/permission-queries.js';
import { ACCESS_FIELDS, normalizeAccess, type UserAccess } from './membership-grants.js';

/** Everything an organization can grant, by id, with names: to validate grants and to name them in events. */
export interface OrgAccessCatalog {
  permissionSetIds: Map<string, string>;
  customPermissionIds: Map<string, string>;
  entityIds: Map<string, string>;
}

/** Loads the organization's permission sets, custom permissions and entities (id → name). */
export async function loadAccessCatalog(db: QueryExecutor, orgId: string): Promise<OrgAccessCatalog> {
  const { permissionSets: sets, customPermissions: customs, entities } = await grantableNames(db, orgId);
  const toMap = (rows: { id: string; name: string }[]) => new Map(rows.map((r) => [r.id, r.name]));
  return { permissionSetIds: toMap(sets), customPermissionIds: toMap(customs), entityIds: toMap(entities) };
}

const FIELDS = Object.values(ACCESS_FIELDS);

/** Field errors for every id that is not one of the organization's (another organization's ids included). */
export function unknownAccessIds(catalog: OrgAccessCatalog, access: UserAccess): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of FIELDS) {
    access[field].forEach((id, i) => {
      if (!catalog[field].has(id))
        errors.push({ field: `${field}[${i}]`, reason: `no such ${field.replace(/Ids$/, '')} in this organization` });
    });
  }
  return errors;
}

/** Throws a 400 naming each unknown id. */
export function assertAccessExists(catalog: OrgAccessCatalog, access: UserAccess): void {
  const errors = unknownAccessIds(catalog, access);
  const first = errors[0];
  if (first) throw new AttestError('VALIDATION_FAILED', `${first.field}: ${first.reason}`, errors);
}

/** The names of granted things, sorted, as events show them (ids alone would be unreadable later). */
export function accessNames(
  catalog: OrgAccessCatalog,
  access: UserAccess,
): Record<'permissionSets' | 'customPermissions' | 'entities', string[]> {
  const names = (field: keyof UserAccess) => access[field].map((id) => catalog[field].get(id) ?? id).sort();
  return { permissionSets: names('permissionSetIds'), customPermissions: names('customPermissionIds'), entities: names('entityIds') };
}

/** `changes` of an access update: each list whose ids differ, named, before and after. */
export function accessChanges(catalog: OrgAccessCatalog, before: UserAccess, after: UserAccess): FieldChange[] {
  const lists = [
    ['permissionSetIds', 'permissionSets'],
    ['customPermissionIds', 'customPermissions'],
    ['entityIds', 'accessibleEntities'],
  ] as const;
  const names = (field: keyof UserAccess, ids: string[]) => ids.map((id) => catalog[field].get(id) ?? id).sort();
  const a = normalizeAccess(before);
  const b = normalizeAccess(after);
  return lists
    .filter(([field]) => a[field].join() !== b[field].join())
    .map(([field, shown]) => ({ field: shown, from: names(field, a[field]), to: names(field, b[field]) }));
}
