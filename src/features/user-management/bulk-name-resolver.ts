import { groupBy } from '../../core/group-by.js';
import type { QueryExecutor } from '../../store/queries/query-executor.js';
import { grantableNames } from '../../store/queries/user-management/permission-queries.js';
import type { UserAccess } from './membership-grants.js';
import type { BulkRow, BulkRowError } from './bulk-user-csv.js';

/**
 * Turns the names in a bulk file into the organization's ids. Entities are named `Downtown Store` or, when a
 * name is used by two kinds, `store:Downtown Store`.
 */
export class BulkNameResolver {
  private constructor(
    private readonly sets: Map<string, string>,
    private readonly customs: Map<string, string>,
    private readonly entities: Map<string, string[]>,
  ) {}

  /** Loads the organization's permission sets, custom permissions and entities. */
  static async load(db: QueryExecutor, orgId: string): Promise<BulkNameResolver> {
    const { permissionSets: sets, customPermissions: customs, entities } = await grantableNames(db, orgId);
    // Each entity answers to its bare name and to "kind:name", so a name shared by two kinds can be told apart.
    const names = entities.flatMap((e) => [e.name.toLowerCase(), `${e.kind}:${e.name}`.toLowerCase()].map((key) => ({ key, id: e.id })));
    const byEntityName = groupBy(
      names,
      (name) => name.key,
      (name) => name.id,
    );
    return new BulkNameResolver(
      new Map(sets.map((s) => [s.name.toLowerCase(), s.id])),
      new Map(customs.map((c) => [c.name.toLowerCase(), c.id])),
      byEntityName,
    );
  }

  /** The access a row names; unknown or ambiguous names become errors of that line. */
  resolve(row: BulkRow, errors: BulkRowError[]): UserAccess {
    const lookup = (names: string[], field: string, find: (name: string) => string | undefined) =>
      names.flatMap((name) => {
        const id = find(name);
        if (id === undefined)
          errors.push({
            line: row.line,
            field,
            reason: `no ${field === 'entities' ? 'entity' : field.replace(/s$/, '')} named "${name}" in this organization`,
          });
        return id === undefined ? [] : [id];
      });
    const entityIds = row.entities.flatMap((name) => {
      const ids = this.entities.get(name.toLowerCase()) ?? [];
      if (ids.length === 1) return ids;
      errors.push({
        line: row.line,
        field: 'entities',
        reason:
          ids.length === 0
            ? `no entity named "${name}" in this organization`
            : `"${name}" names several entities; write kind:name, e.g. store:${name}`,
      });
      return [];
    });
    return {
      permissionSetIds: lookup(row.permissionSets, 'permissionSets', (n) => this.sets.get(n.toLowerCase())),
      customPermissionIds: lookup(row.customPermissions, 'customPermissions', (n) => this.customs.get(n.toLowerCase())),
      entityIds,
    };
  }
}
