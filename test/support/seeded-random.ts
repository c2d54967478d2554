import { seededRandom as seededNumbers } from '../../src/core/seeded-random.js';

/**
 * The seeded generator of `src/core/seeded-random.ts` with the helpers data-driven tests use, so they pick the
 * same "random" events and filters on every run and a failure can be replayed.
 *
 * @example
 * const random = seededRandom(42);
 * random.pick(['a', 'b']); random.int(10);
 */
export function seededRandom(seed: number): { next(): number; int(maxExclusive: number): number; pick<T>(items: readonly T[]): T } {
  const next = seededNumbers(seed);
  const int = (maxExclusive: number) => Math.floor(next() * maxExclusive);
  return { next, int, pick: <T>(items: readonly T[]) => items[int(items.length)] as T };
}
