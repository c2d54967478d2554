import { defineConfig } from 'vitest/config';

// The quicker mutation run of src/integrity/ (stryker.integrity-pure.config.json, `npm run mutation:integrity:pure`):
// only the tests of test/integrity/ that call the library itself, without a store, an HTTP app or a child
// process. Stryker repeats the covering tests for every mutant; these take seconds where the full set takes
// minutes on a loaded machine. The full run (`npm run mutation:integrity`) adds the others, which can only
// kill more mutants, so its score is at least this one's. The export bundle's files (verify-bundle, bundle-csv,
// bundle-format, csv-rows, streamed-multi-proof, batch-reader) are scored here by tests that build their bundles
// in memory (verify-bundle-pure, bundle-format, csv-rows, bundle-csv, streamed-multi-proof), not from a store.
export default defineConfig({
  test: {
    include: ['test/integrity/**/*.test.ts'],
    exclude: [
      'test/integrity/integrity-purity-lint.test.ts',
      'test/integrity/bundle-export.test.ts',
      'test/integrity/bundle-zip-reader.test.ts',
      'test/integrity/checkpoint-pruning.test.ts',
      'test/integrity/checkpoint-signer-postgres.test.ts',
      'test/integrity/integrity-routes.test.ts',
      'test/integrity/log-checkpointer.test.ts',
      'test/integrity/log-key-rotation.test.ts',
      'test/integrity/retention-proofs.test.ts',
      'test/integrity/verify-bundle-cli.test.ts',
      'test/integrity/verify-bundle.test.ts',
      'test/integrity/verify-org-cli.test.ts',
    ],
    env: { INTEGRITY_QUICK: '1' },
    testTimeout: 60_000,
  },
});
