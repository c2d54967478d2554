import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** Source files under `dir` whose compiled file in `dist/` is missing or older than they are. */
function staleSources(dir: string): string[] {
  const stale: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts') || entry.name.endsWith('.d.ts')) continue;
    const source = join(entry.parentPath, entry.name);
    const compiled = join(ROOT, 'dist', relative(ROOT, source)).replace(/\.ts$/, '.js');
    let compiledAt = 0;
    try {
      compiledAt = statSync(compiled).mtimeMs;
    } catch {
      // Not compiled yet.
    }
    if (compiledAt < statSync(source).mtimeMs) stale.push(relative(ROOT, source));
  }
  return stale;
}

/**
 * Vitest global setup. Tests run the TypeScript sources, but worker threads (the SQLite append thread, the
 * WAL checkpointer, the export's read-ahead) run the compiled modules in `dist/`: after an edit, a plain
 * `npx vitest` would test the old worker code beside the new. `npm test` builds first; this rebuilds only
 * when some source is newer than its compiled file.
 */
export default function setup(): void {
  const stale = staleSources(join(ROOT, 'src'));
  if (stale.length === 0) return;
  console.warn(
    `fresh-build: ${stale.length} source file(s) newer than dist/ (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', …' : ''}); compiling`,
  );
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
}
