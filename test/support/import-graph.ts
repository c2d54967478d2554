import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** A module's relative imports, type-only ones included, as paths of `.ts` files from the same root. */
export type ImportGraph = Map<string, string[]>;

/**
 * The import graph of the TypeScript files under `dir` (paths relative to `root`), read with the compiler's own
 * pre-processor. Type-only imports count: `import-x/no-cycle` leaves them out, and a cycle of types still ties
 * modules together that should stand in layers.
 */
export function importGraphOf(root: string, dir: string): ImportGraph {
  const files = readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
  );
  const graph: ImportGraph = new Map();
  for (const file of files.map((f) => join(dir, f))) {
    const imports = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true).importedFiles.map((i) => i.fileName);
    graph.set(
      file,
      imports
        .filter((name) => name.startsWith('.'))
        .map((name) => relative(root, resolve(root, dirname(file), name.replace(/\.js$/, '.ts')))),
    );
  }
  return graph;
}

/** Every import cycle of `graph` found by a depth-first walk, each as the path around it (first module repeated last). */
export function importCycles(graph: ImportGraph): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (module: string): void => {
    path.push(module);
    for (const imported of graph.get(module) ?? []) {
      const at = path.indexOf(imported);
      if (at >= 0) cycles.push([...path.slice(at), imported]);
      else if (!done.has(imported)) visit(imported);
    }
    path.pop();
    done.add(module);
  };
  for (const module of graph.keys()) if (!done.has(module)) visit(module);
  return cycles;
}
