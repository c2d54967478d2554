import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { readdirSync } from 'node:fs';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

// The server's layers, lowest first (docs/ARCHITECTURE.md, "Which folder may import which"). A module imports
// only from its own layer or lower ones; features do not import each other; nothing below service/ imports it.
const SERVER_LAYERS = [
  ['src/integrity'],
  ['src/core'],
  ['src/events'],
  ['src/catalog'],
  ['src/store'],
  ['src/auth', 'src/retention', 'src/config.ts'],
  ['src/http'],
  ['src/features'],
  ['src/service'],
  ['src/cli', 'src/main.ts'],
];
const FEATURES = readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** The import boundaries of the server, as zones of `import-x/no-restricted-paths` (paths from the repository root). */
export const serverImportZones = [
  ...SERVER_LAYERS.slice(0, -1).map((layer, i) => ({
    target: layer.map((path) => `./${path}`),
    from: SERVER_LAYERS.slice(i + 1)
      .flat()
      .map((path) => `./${path}`),
    message:
      'A layer imports only from its own layer or lower ones (docs/ARCHITECTURE.md): move the shared code down, or compose in src/service/.',
  })),
  ...FEATURES.map((feature) => ({
    target: `./src/features/${feature}`,
    from: './src/features',
    except: [`./${feature}`],
    message: 'A feature never imports another feature: move what both need down a layer (docs/ARCHITECTURE.md).',
  })),
];

/** What starts a query on a Kysely connection or transaction. */
const QUERY_BUILDERS = [
  'selectFrom',
  'selectNoFrom',
  'insertInto',
  'replaceInto',
  'updateTable',
  'deleteFrom',
  'mergeInto',
  'executeQuery',
];
const OUTSIDE_STORE =
  'Only src/store/ writes queries: add a named query to src/store/queries/ (docs/ARCHITECTURE.md, "Named queries") and call it with the connection or transaction.';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'bench/results/**', 'test-results/**', 'reports/**', '.stryker-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Server imports point one way: the layers above, and no import cycle anywhere in src/. Imports name the
  // compiled `.js` file; the resolver finds the `.ts` source beside it.
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: serverImportZones }],
      'import-x/no-cycle': 'error',
    },
  },
  // Only src/store/ knows the databases and writes queries (docs/ARCHITECTURE.md, "Named queries"): every other
  // module calls a named query of src/store/queries/ and hands it the connection or transaction to run on. So
  // outside src/store/ no Kysely query builder is started, no `sql` template is written, and no database
  // package is imported for its values (`import type` of Kysely's types stays allowed).
  {
    files: ['src/**/*.ts'],
    ignores: ['src/store/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'kysely', allowTypeImports: true, message: OUTSIDE_STORE },
            { name: 'better-sqlite3', message: OUTSIDE_STORE },
            { name: 'pg', message: OUTSIDE_STORE },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: `CallExpression > MemberExpression.callee[property.name=/^(${QUERY_BUILDERS.join('|')})$/]`,
          message: OUTSIDE_STORE,
        },
        { selector: "TaggedTemplateExpression[tag.name='sql']", message: OUTSIDE_STORE },
        { selector: "CallExpression > MemberExpression.callee[object.name='sql']", message: OUTSIDE_STORE },
      ],
    },
  },
  // The integrity code (Merkle tree, proofs, checkpoints, signed notes) runs in the server, the CLI and the
  // browser alike: it imports only its own files and uses no global that only Node has; WebCrypto and
  // Uint8Array are in both.
  {
    files: ['src/integrity/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./)',
              message:
                'src/integrity/ imports only its own files: no Node module, no package, nothing else of the server, so that the browser, the CLI and the server share it.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['Buffer', 'process', 'require', 'module', '__dirname', '__filename', 'global', 'setImmediate', 'clearImmediate'].map(
          (name) => ({
            name,
            message: `${name} exists only in Node; src/integrity/ runs in the browser too (use Uint8Array and WebCrypto).`,
          }),
        ),
      ],
    },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  // Web imports flow one way, shared → features → app (bulletproof-react): a feature never imports another
  // feature or the app, and shared code (lib, components) imports no feature.
  {
    files: ['web/src/features/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../../*/**', '!../../../**'],
              message: 'Features do not import each other; move shared code to lib/ or components/.',
            },
            { group: ['**/app/**'], message: 'Features do not import the app layer.' },
          ],
        },
      ],
    },
  },
  {
    files: ['web/src/lib/**/*.{ts,tsx}', 'web/src/components/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/features/**', '**/app/**'], message: 'Shared code imports no feature and not the app layer.' }] },
      ],
    },
  },
);
