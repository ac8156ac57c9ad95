/**
 * The layering check run by `npm run lint`: fails, naming the path, on any import cycle between files or
 * between top-level folders under `src/` and `state-machines/`, and on any module outside `src/cli/`
 * importing from `src/cli/` (the CLI is the outermost layer: it parses and renders, nothing builds on it).
 *
 * Run: `node --import tsx scripts/check-imports.ts [root]` (root defaults to the current directory).
 */
import { resolve } from 'node:path';
import { findCycles } from './find-cycles.ts';
import type { Cycle } from './find-cycles.ts';
import { buildImportGraph, edgeCount, fileEdgesBetween, folderGraphOf } from './import-graph.ts';
import type { ImportGraph } from './import-graph.ts';

/** The folders whose files are checked. */
export const CHECKED_DIRS = ['src', 'state-machines'] as const;

/** What the check found: each list empty when the layering holds. */
export interface ImportReport {
  readonly files: number;
  readonly edges: number;
  readonly fileCycles: readonly Cycle[];
  readonly folderCycles: readonly Cycle[];
  /** For each folder cycle, the file imports that make its hops. */
  readonly folderCycleImports: ReadonlyArray<readonly string[]>;
  /** `importer → src/cli/…` for each import of the CLI from outside it. */
  readonly cliImports: readonly string[];
}

/** Checks a graph already built (the unit tests pass a synthetic one). */
export function checkImports(graph: ImportGraph): ImportReport {
  const cliImports: string[] = [];
  for (const [file, targets] of graph) {
    if (file.startsWith('src/cli/')) continue;
    for (const target of targets) if (target.startsWith('src/cli/')) cliImports.push(`${file} → ${target}`);
  }
  const folderCycles = findCycles(folderGraphOf(graph));
  const folderCycleImports = folderCycles.map((cycle) => {
    const hops = new Set(cycle.paths.flatMap((path) => path.slice(1).map((to, hop) => `${path[hop]!}\u0000${to}`)));
    return [...hops].flatMap((hop) => {
      const [from, to] = hop.split('\u0000') as [string, string];
      return fileEdgesBetween(graph, from, to);
    });
  });
  return {
    files: graph.size,
    edges: edgeCount(graph),
    fileCycles: findCycles(graph),
    folderCycles,
    folderCycleImports,
    cliImports,
  };
}

function describeCycle(cycle: Cycle): string {
  return cycle.paths.map((path) => path.join(' → ')).join('; ');
}

/** The report as lines for a terminal: the problems first, then the one-line summary. */
export function formatImportReport(report: ImportReport): string[] {
  const lines = [
    ...report.fileCycles.map((cycle) => `file cycle: ${describeCycle(cycle)}`),
    ...report.folderCycles.flatMap((cycle, i) => [
      `folder cycle: ${describeCycle(cycle)}`,
      ...(report.folderCycleImports[i] ?? []).map((edge) => `  by ${edge}`),
    ]),
    ...report.cliImports.map((edge) => `imports src/cli/ from outside it: ${edge}`),
  ];
  // Loops named, not components: a component of three folders may hold two loops, each cut on its own.
  const loops = (cycles: readonly Cycle[]) => cycles.reduce((sum, cycle) => sum + cycle.paths.length, 0);
  lines.push(
    `imports: ${report.files} files, ${report.edges} edges, cycles: ${loops(report.fileCycles)}` +
      ` between files, ${loops(report.folderCycles)} between folders, ${report.cliImports.length} imports of src/cli/`,
  );
  return lines;
}

/** True when the layering holds. */
export function importsAreClean(report: ImportReport): boolean {
  return report.fileCycles.length === 0 && report.folderCycles.length === 0 && report.cliImports.length === 0;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly) {
  const root = resolve(process.argv[2] ?? '.');
  const report = checkImports(buildImportGraph(root, CHECKED_DIRS));
  const lines = formatImportReport(report);
  const clean = importsAreClean(report);
  for (const line of lines) (clean ? console.log : console.error)(line);
  process.exitCode = clean ? 0 : 1;
}
