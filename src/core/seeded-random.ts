/**
 * A small, fast, seeded pseudo-random generator (mulberry32): the same seed gives the same numbers on every
 * machine and run. The demo uses it to tell the same story every time, the benchmark to build the same
 * dataset, the tests to replay a failure. Not for secrets (those use `node:crypto`).
 *
 * @example
 * const random = seededRandom(42);
 * random(); // a number in [0, 1)
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
