/**
 * The README's picture of who imports whom: the folder graph of `src/` and `state-machines/` as Mermaid,
 * with every edge that another path already implies left out (the graph has no cycles, the lint checks
 * that), so what remains reads as layers. `test/scripts/layer-diagram.test.ts` fails when the README's copy
 * is stale.
 *
 * Run: `node --import tsx scripts/layer-diagram.ts [root]` and paste between the README's layer markers.
 */
import { resolve } from 'node:path';
import { CHECKED_DIRS } from './check-imports.ts';
import { buildImportGraph, folderGraphOf } from './import-graph.ts';
import type { ImportGraph } from './import-graph.ts';

/** The edges of an acyclic graph that no longer path between the same two nodes implies, sorted. */
export function essentialEdges(graph: ImportGraph): Array<[string, string]> {
  const reachable = new Map<string, Set<string>>();
  const reach = (node: string): Set<string> => {
    const known = reachable.get(node);
    if (known) return known;
    const found = new Set<string>();
    reachable.set(node, found);
    for (const next of graph.get(node) ?? []) {
      found.add(next);
      for (const further of reach(next)) found.add(further);
    }
    return found;
  };
  const edges: Array<[string, string]> = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const implied = targets.some((other) => other !== to && reach(other).has(to));
      if (!implied) edges.push([from, to]);
    }
  }
  return edges.sort(([a, b], [c, d]) => a.localeCompare(c) || b.localeCompare(d));
}

/** Mermaid node ids must be plain words; the label keeps the path. */
function nodeId(path: string): string {
  return path.replace(/[^A-Za-z0-9]/g, '_');
}

/** The diagram as the README shows it, fences included. */
export function layerDiagram(graph: ImportGraph): string {
  const edges = essentialEdges(folderGraphOf(graph));
  const nodes = [...new Set(edges.flat())].sort();
  return [
    '```mermaid',
    'flowchart TD',
    ...nodes.map((node) => `  ${nodeId(node)}["${node}"]`),
    ...edges.map(([from, to]) => `  ${nodeId(from)} --> ${nodeId(to)}`),
    '```',
  ].join('\n');
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (invokedDirectly) {
  console.log(layerDiagram(buildImportGraph(resolve(process.argv[2] ?? '.'), CHECKED_DIRS)));
}
