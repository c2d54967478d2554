import { postgresAvailable, storeKinds, type StoreKind } from './test-stores.js';

/** A store kind of the contract matrix and whether its cases can run here. */
export interface StoreMatrixEntry {
  kind: StoreKind;
  /** False only outside CI when PostgreSQL is unreachable (the skip is announced loudly). */
  available: boolean;
}

/**
 * The stores every contract file loops over (`STORES=sqlite,postgres`), each with its availability. With
 * CI=true an unreachable PostgreSQL throws here, failing the file instead of skipping it.
 *
 * @example
 * for (const { kind, available } of await storeMatrix()) describe.skipIf(!available)(kind, () => { ... });
 */
export async function storeMatrix(): Promise<StoreMatrixEntry[]> {
  const entries: StoreMatrixEntry[] = [];
  for (const kind of storeKinds()) {
    entries.push({ kind, available: kind === 'sqlite' ? true : await postgresAvailable() });
  }
  return entries;
}
