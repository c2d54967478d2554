import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraphOf, type ImportGraph } from './support/import-graph.js';

const ROOT = join(import.meta.dirname, '..');

/** The rule messages ESLint (with the repository's own eslint.config.js) reports for `code` placed at `filePath`. */
async function importProblems(filePath: string, code: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: ROOT }).lintText(code, { filePath: join(ROOT, filePath) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

// The layering of docs/ARCHITECTURE.md ("Which folder may import which"), as eslint.config.js enforces it.
describe('server import layers', () => {
  it('rejects an import from a higher layer, whether of a value or of a type', async () => {
    expect(
      await importProblems(
        'src/store/probe.ts',
        "import { GroupCommitter } from '../features/ingest/group-committer.js';\nexport const probe = GroupCommitter;\n",
      ),
    ).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths: .*group-committer.*own layer or lower ones/)]);
    expect(
      await importProblems(
        'src/http/probe.ts',
        "import type { buildApp } from '../service/build-app.js';\nexport type Probe = typeof buildApp;\n",
      ),
    ).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths: .*build-app/)]);
  });

  it('rejects a feature importing another feature', async () => {
    expect(
      await importProblems(
        'src/features/audit-logs/query/probe.ts',
        "import { ingestRoutes } from '../../ingest/http/ingest-routes.js';\nexport const probe = ingestRoutes;\n",
      ),
    ).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths: .*never imports another feature/)]);
  });

  it('accepts imports from the same feature and from lower layers', async () => {
    const code = [
      "import { resolveAuditLogQuery } from './audit-log-query.js';",
      "import { DAY_MS } from '../../../config.js';",
      "import type { AppServices } from '../../../http/app-services.js';",
      "import { prepareIncomingEvents } from '../../../catalog/prepare-incoming-events.js';",
      'export const probe = [resolveAuditLogQuery, DAY_MS, prepareIncomingEvents];',
      'export type Probe = AppServices;',
      '',
    ].join('\n');
    expect(await importProblems('src/features/audit-logs/query/probe.ts', code)).toEqual([]);
  });

  it('rejects a query written outside src/store/, whichever way it starts', async () => {
    const header = "import type { AttestStore } from '../../store/attest-store.js';\n";
    for (const builder of ['selectFrom', 'insertInto', 'updateTable', 'deleteFrom']) {
      const code = `${header}export const probe = (store: AttestStore) => store.db.${builder}('organizations');\n`;
      expect(await importProblems('src/features/ingest/probe.ts', code)).toEqual([
        expect.stringMatching(/^no-restricted-syntax: Only src\/store\/ writes queries: add a named query/),
      ]);
    }
    // A transaction handed in is a connection too: the rule looks at the call, not at where `tx` came from.
    expect(
      await importProblems(
        'src/auth/probe.ts',
        "import type { StoreTransaction } from '../store/event-log-writer.js';\nexport const probe = (tx: StoreTransaction) => tx.selectFrom('sessions').selectAll().execute();\n",
      ),
    ).toEqual([expect.stringMatching(/^no-restricted-syntax: Only src\/store\//)]);
  });

  it('rejects raw SQL and the database packages outside src/store/, but allows Kysely types', async () => {
    expect(
      await importProblems(
        'src/features/user-management/probe.ts',
        "import { sql } from 'kysely';\nexport const probe = sql`select 1`;\nexport const raw = sql.raw('select 2');\n",
      ),
    ).toEqual([
      expect.stringMatching(/^no-restricted-imports: 'kysely' import is restricted .*Only src\/store\/ writes queries/),
      expect.stringMatching(/^no-restricted-syntax: Only src\/store\//),
      expect.stringMatching(/^no-restricted-syntax: Only src\/store\//),
    ]);
    for (const pkg of ['better-sqlite3', 'pg'])
      expect(await importProblems('src/cli/probe.ts', `import db from '${pkg}';\nexport const probe = db;\n`)).toEqual([
        expect.stringMatching(new RegExp(`^no-restricted-imports: '${pkg}' import is restricted .*Only src/store/ writes queries`)),
      ]);
    expect(
      await importProblems('src/http/probe.ts', "import type { Kysely } from 'kysely';\nexport type Probe = Kysely<object>;\n"),
    ).toEqual([]);
  });

  it('accepts queries, raw SQL and Kysely itself inside src/store/', async () => {
    const code = [
      "import { sql } from 'kysely';",
      "import type { QueryExecutor } from './query-executor.js';",
      "export const probe = (db: QueryExecutor) => db.selectFrom('organizations').select(sql<number>`1`.as('one')).execute();",
      '',
    ].join('\n');
    expect(await importProblems('src/store/queries/probe.ts', code)).toEqual([]);
  });

  it('rejects an import cycle of values', async () => {
    // event-log-reader.ts imports event-rows.ts: the other way round closes a cycle.
    const problems = await importProblems(
      'src/store/event-rows.ts',
      "import { EventLogReader } from './event-log-reader.js';\nexport const probe = EventLogReader;\n",
    );
    expect(problems).toContain('import-x/no-cycle: Dependency cycle detected');
  });

  it('finds no import cycle in src/, counting imports of types too', () => {
    expect(importCycles(importGraphOf(ROOT, 'src'))).toEqual([]);
  });

  it('finds a cycle that runs through imports of types (the one the store once had)', () => {
    const store: ImportGraph = new Map([
      ['src/store/event-log-reader.ts', ['src/store/event-log-writer.ts', 'src/store/database-schema.ts']],
      ['src/store/event-log-writer.ts', ['src/store/store-dialect.ts']],
      ['src/store/store-dialect.ts', ['src/store/event-log-reader.ts']],
      ['src/store/database-schema.ts', []],
    ]);
    expect(importCycles(store)).toEqual([
      ['src/store/event-log-reader.ts', 'src/store/event-log-writer.ts', 'src/store/store-dialect.ts', 'src/store/event-log-reader.ts'],
    ]);
  });
});
