/**
 * The graph of relative imports between the TypeScript sources, built from their text alone (no type
 * checking), so the layering check stays fast enough to run on every `npm test`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** Each source file (a path relative to the root, `/`-separated) and the in-scope files it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** Every `.ts` file under `dir`, recursively, except declaration files. */
export function sourceFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...sourceFilesUnder(path));
    else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/**
 * The module specifiers a file imports: static imports, `export … from`, `import type` and dynamic
 * `import()`. Type-only imports count: layering is about who depends on whom, not about what survives
 * compilation, and a type-only cycle is one `import` away from a runtime one.
 */
export function importSpecifiersOf(sourceText: string): string[] {
  // preProcessFile is the compiler's own import scanner: it skips comments and strings, which a regex does not.
  const info = ts.preProcessFile(sourceText, true, true);
  return info.importedFiles.map((file) => file.fileName);
}

/** Where a relative specifier points, or undefined when it names no `.ts` file (JSON, a package, …). */
function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((path) => path.endsWith('.ts') && existsSync(path) && statSync(path).isFile());
}

/** The import graph of every `.ts` file under `dirs` (relative to `root`); edges leaving the set are dropped. */
export function buildImportGraph(root: string, dirs: readonly string[]): ImportGraph {
  const files = dirs.flatMap((dir) => sourceFilesUnder(resolve(root, dir)));
  const inScope = new Set(files);
  const toKey = (path: string): string => relative(root, path).split(sep).join('/');
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = new Set<string>();
    for (const specifier of importSpecifiersOf(readFileSync(file, 'utf8'))) {
      const target = resolveSpecifier(file, specifier);
      if (target !== undefined && inScope.has(target)) targets.add(toKey(target));
    }
    graph.set(toKey(file), [...targets].sort());
  }
  return graph;
}

/**
 * The unit a file belongs to in the folder graph: `src/<folder>` for files in a top-level folder of
 * `src/`, the file itself for files directly in `src/` (such as `src/errors.ts`), and the first path
 * segment otherwise (all of `state-machines/` is one unit).
 */
export function folderOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'src') return parts.length > 2 ? `src/${parts[1]}` : file;
  return parts[0] ?? file;
}

/** The graph between folders: an edge wherever a file of one imports a file of another. */
export function folderGraphOf(graph: ImportGraph): ImportGraph {
  const folders = new Map<string, Set<string>>();
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    const edges = folders.get(from) ?? new Set<string>();
    folders.set(from, edges);
    for (const target of targets) {
      const to = folderOf(target);
      if (to !== from) edges.add(to);
    }
  }
  return new Map([...folders].map(([folder, edges]) => [folder, [...edges].sort()]));
}

/** The file imports behind the folder edge `from → to` (to show which imports make a folder cycle). */
export function fileEdgesBetween(graph: ImportGraph, from: string, to: string): string[] {
  const edges: string[] = [];
  for (const [file, targets] of graph) {
    if (folderOf(file) !== from) continue;
    for (const target of targets) if (folderOf(target) === to) edges.push(`${file} → ${target}`);
  }
  return edges;
}

/** The number of edges in a graph. */
export function edgeCount(graph: ImportGraph): number {
  let count = 0;
  for (const targets of graph.values()) count += targets.length;
  return count;
}
