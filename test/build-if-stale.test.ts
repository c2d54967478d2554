import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/child-processes.js';

/**
 * `npm start` builds only when dist/ is older than its sources (bin/build-if-stale.js, the prestart script).
 * Judged on a scratch checkout whose file times the test sets, so no real build runs: the scratch tree has
 * no node_modules, and a build attempted there would fail the run.
 */

const SCRIPT = join(REPO_ROOT, 'bin', 'build-if-stale.js');
const OLD = new Date('2026-01-01T00:00:00Z');
const NEW = new Date('2026-01-02T00:00:00Z');
const FILES = {
  sources: [
    'src/main.ts',
    'src/store/open-store.ts',
    'src/store/open-store.test.ts',
    'bench/run-benchmarks.ts',
    'web/index.html',
    'web/src/main.tsx',
    'tsconfig.json',
    'tsconfig.build.json',
    'package-lock.json',
  ],
  outputs: ['dist/src/main.js', 'dist/src/store/open-store.js', 'dist/bench/run-benchmarks.js', 'dist/web/index.html'],
};

describe('build-if-stale (npm start)', () => {
  let root: string;

  const write = (path: string, time: Date) => {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '');
    utimesSync(file, time, time);
  };
  const run = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, '--root', root, ...args], { encoding: 'utf8' });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'attest-build-if-stale-'));
    for (const path of FILES.sources) write(path, OLD);
    for (const path of FILES.outputs) write(path, NEW);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is what npm start runs first', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prestart).toBe('node bin/build-if-stale.js');
  });

  it('builds nothing when dist/ is newer than every source, and says so', () => {
    for (const args of [['--check'], []]) {
      const result = run(...args);
      expect(result.stdout).toContain('dist/ is up to date with the sources; nothing to build.');
      expect(result.status).toBe(0);
    }
  });

  it('finds a server source newer than its compiled file, or one never compiled', () => {
    write('src/store/open-store.ts', new Date('2026-01-03T00:00:00Z'));
    write('src/store/brand-new.ts', OLD);
    const result = run('--check');
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('the server is older than src/store/brand-new.ts, src/store/open-store.ts');
    expect(result.stdout).not.toContain('web app');
  });

  it('finds a web file or a changed lock file newer than the built page', () => {
    write('web/src/main.tsx', new Date('2026-01-03T00:00:00Z'));
    const result = run('--check');
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('the web app is older than web/src/main.tsx');
    expect(result.stdout).not.toContain('the server is older');

    write('web/src/main.tsx', OLD);
    write('package-lock.json', new Date('2026-01-03T00:00:00Z'));
    const lock = run('--check');
    expect(lock.stdout).toContain('the server is older than package-lock.json');
    expect(lock.stdout).toContain('the web app is older than package-lock.json');
  });

  it('leaves test files out: they are not compiled into dist/', () => {
    write('src/store/open-store.test.ts', new Date('2026-01-03T00:00:00Z'));
    expect(run('--check').status).toBe(0);
  });
});
