import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Worker threads run the compiled modules: rebuild dist/ when a source is newer (see the file).
    globalSetup: ['test/support/fresh-build.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests share one PostgreSQL server but each file creates its own schema,
    // so files may run in parallel; two workers match this 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    // Browser and live-feed tests poll for what a loaded machine may take seconds to show: the default of
    // one second made them fail whenever a heavy test (the large export) ran beside them.
    expect: { poll: { timeout: 10_000 } },
  },
});
