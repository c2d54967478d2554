#!/usr/bin/env node
// @ts-check
/**
 * `npm start` runs this first (the `prestart` script): it builds only what is older than its sources, so a
 * start with an up-to-date `dist/` begins at once instead of after a full build (about 25 s). The server
 * (`tsc`) and the web app (`vite build`) are judged apart: a change under `web/` does not recompile the server.
 *
 * Stale means: a `src/` or `bench/` TypeScript file newer than its compiled `.js` (or without one), a build
 * setting (`tsconfig*.json`, `package-lock.json`) newer than `dist/src/main.js`, or any file under `web/` (or
 * `package-lock.json`) newer than `dist/web/index.html`, which every `vite build` writes.
 *
 *   node bin/build-if-stale.js            build what is stale, then exit 0
 *   node bin/build-if-stale.js --check    build nothing; exit 1 and say what is stale, else exit 0
 *   … --root DIR                          judge another checkout (the tests use a scratch tree)
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rootIndex = args.indexOf('--root');
const root = rootIndex >= 0 && args[rootIndex + 1] ? args[rootIndex + 1] : join(dirname(fileURLToPath(import.meta.url)), '..');
const checkOnly = args.includes('--check');

/** @param {string} path @returns {number} the modification time, 0 when the file is missing */
function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** @param {string} dir @returns {string[]} every file under `dir` (none when it is missing) */
function filesUnder(dir) {
  try {
    return readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
  } catch {
    return [];
  }
}

/** @returns {string[]} what makes the compiled server stale, as paths relative to the root */
function staleServerInputs() {
  const stale = [];
  for (const folder of ['src', 'bench']) {
    for (const source of filesUnder(join(root, folder))) {
      if (!source.endsWith('.ts') || source.endsWith('.test.ts') || source.endsWith('.d.ts')) continue;
      const compiled = join(root, 'dist', relative(root, source)).replace(/\.ts$/, '.js');
      if (mtime(compiled) < mtime(source)) stale.push(relative(root, source));
    }
  }
  const main = mtime(join(root, 'dist', 'src', 'main.js'));
  for (const setting of ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json']) {
    if (mtime(join(root, setting)) > main) stale.push(setting);
  }
  return stale;
}

/** @returns {string[]} what makes the built web app stale */
function staleWebInputs() {
  const built = mtime(join(root, 'dist', 'web', 'index.html'));
  const inputs = [...filesUnder(join(root, 'web')), join(root, 'package-lock.json')];
  return inputs.filter((input) => mtime(input) > built).map((input) => relative(root, input));
}

/** @param {string[]} paths */
function sample(paths) {
  return `${paths.slice(0, 3).join(', ')}${paths.length > 3 ? `, … (${paths.length} in all)` : ''}`;
}

/** @param {string} script @param {string[]} scriptArgs */
function runNodeTool(script, scriptArgs) {
  execFileSync(process.execPath, [join(root, 'node_modules', ...script.split('/')), ...scriptArgs], { cwd: root, stdio: 'inherit' });
}

const server = staleServerInputs();
const web = staleWebInputs();
if (server.length === 0 && web.length === 0) {
  console.log('build-if-stale: dist/ is up to date with the sources; nothing to build.');
  process.exit(0);
}
if (server.length > 0) console.log(`build-if-stale: the server is older than ${sample(server)}`);
if (web.length > 0) console.log(`build-if-stale: the web app is older than ${sample(web)}`);
if (checkOnly) process.exit(1);
if (server.length > 0) runNodeTool('typescript/bin/tsc', ['-p', 'tsconfig.build.json']);
if (web.length > 0) runNodeTool('vite/bin/vite.js', ['build', '--config', 'web/vite.config.ts']);
