/**
 * A small deterministic pseudo-random generator (mulberry32), so data-driven tests pick the same "random"
 * events and filters on every run and a failure can be replayed.
 *
 * @example
 * const random = seededRandom(42);
 * random.pick(['a', 'b']); random.int(10);
 */
export function seededRandom(seed: number): { next(): number; int(maxExclusive: number): number; pick<T>(items: readonly T[]): T } {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (maxExclusive: number) => Math.floor(next() * maxExclusive);
  return { next, int, pick: <T>(items: readonly T[]) => items[int(items.length)] as T };
}
