import { defineConfig } from 'vitest/config';

// The integrity tests as the mutation run (stryker.integrity.config.json, `npm run mutation:integrity`) repeats them for every mutant: only
// test/integrity/ (the lint test runs ESLint, not the library, and is left out), on smaller trees
// (INTEGRITY_QUICK), without the global setup that compiles dist/ for the worker-thread tests.
export default defineConfig({
  test: {
    include: ['test/integrity/**/*.test.ts'],
    exclude: ['test/integrity/integrity-purity-lint.test.ts'],
    env: { INTEGRITY_QUICK: '1' },
    testTimeout: 60_000,
  },
});
