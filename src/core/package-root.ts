import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding Attest's package.json, seen from a module of `src/`: `moduleUrl` (pass
 * `import.meta.url`) is either `<root>/src/…` (Vitest runs the sources) or `<root>/dist/src/…` (the service
 * and the CLI run the build), and files that ship beside the code, such as the built page or the built-in
 * catalog, are found from here in both cases.
 */
export function packageRoot(moduleUrl: string): string {
  const parts = dirname(fileURLToPath(moduleUrl)).split(sep);
  const distAt = parts.lastIndexOf('dist');
  if (distAt >= 0 && parts[distAt + 1] === 'src') return parts.slice(0, distAt).join(sep) || sep;
  const srcAt = parts.lastIndexOf('src');
  if (srcAt < 0) throw new Error(`${fileURLToPath(moduleUrl)} is neither under src/ nor under dist/src/`);
  return parts.slice(0, srcAt).join(sep) || sep;
}

/** A path under the package root. */
export function packagePath(moduleUrl: string, ...segments: string[]): string {
  return resolve(join(packageRoot(moduleUrl), ...segments));
}
