import { defineConfig } from 'vitest/config';

// The tests Stryker runs against each mutant (`npm run mutation`): those of the pure modules it mutates,
// which need no build, no database and no browser, so a mutant costs seconds.
export default defineConfig({
  test: {
    include: [
      'test/core-strict-json.test.ts',
      'test/audit-log-cursor.test.ts',
      'test/audit-log-query-params.test.ts',
      'test/events-canonical-record.test.ts',
      'test/canonical-incoming-event.test.ts',
      'test/property/strict-json.property.test.ts',
      'test/property/cursor.property.test.ts',
      'test/property/canonical-record.property.test.ts',
    ],
    pool: 'forks',
    maxWorkers: 1,
  },
});
