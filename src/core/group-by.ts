/**
 * The values of `items` grouped by key, each group in the order of `items`; Node 20 has no `Map.groupBy`.
 *
 * @example
 * groupBy(rows, (row) => row.org_id, (row) => row.seq); // Map { 'org-a' => [3, 4], 'org-b' => [7] }
 */
export function groupBy<T, K, V>(items: Iterable<T>, keyOf: (item: T) => K, valueOf: (item: T) => V): Map<K, V[]> {
  const groups = new Map<K, V[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(valueOf(item));
    else groups.set(key, [valueOf(item)]);
  }
  return groups;
}
