import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// This file is <root>/src/core/worker-module-url.{ts,js} or <root>/dist/src/core/worker-module-url.js.
const OWN_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * The compiled module a worker thread runs, given as a sibling of the calling module: `name` next to
 * `callerUrl` (pass `import.meta.url`), with a `.js` extension.
 *
 * The service runs from `dist/`, where that file is simply beside its caller. Vitest runs the TypeScript
 * sources, which a worker thread on Node 20 cannot load; there the worker runs the same module from the
 * build that `npm test` makes first, and a missing build is said plainly rather than as a module error.
 */
export function workerModuleUrl(callerUrl: string, name: string): URL {
  const sibling = new URL(`./${name}.js`, callerUrl);
  if (!callerUrl.endsWith('.ts')) return sibling;
  const sourceRoot = dirname(OWN_DIR);
  const compiled = join(dirname(sourceRoot), 'dist', 'src', relative(sourceRoot, fileURLToPath(sibling)));
  if (!existsSync(compiled)) {
    throw new Error(
      `${compiled.split(sep).join('/')} is missing: worker threads run the compiled code; run \`npm run build\` first (\`npm test\` does).`,
    );
  }
  return pathToFileURL(compiled);
}
