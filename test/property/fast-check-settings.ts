import fc from 'fast-check';

/**
 * One fixed seed for every property suite, so a CI failure is replayed exactly by running the file again;
 * `ATTEST_PROPERTY_SEED` explores other seeds by hand. Each failure prints its seed and shrunk counterexample.
 */
export const PROPERTY_SEED = Number(process.env.ATTEST_PROPERTY_SEED ?? 20261206);

export function configureProperties(numRuns = 300): void {
  fc.configureGlobal({ seed: PROPERTY_SEED, numRuns, endOnFailure: true });
}
