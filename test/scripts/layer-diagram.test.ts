import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CHECKED_DIRS } from '../../scripts/check-imports.ts';
import { buildImportGraph } from '../../scripts/import-graph.ts';
import { essentialEdges, layerDiagram } from '../../scripts/layer-diagram.ts';

const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

describe('the layer diagram', () => {
  it('leaves out an edge that a longer path already implies, and keeps every other', () => {
    // a → b → c makes a → c implied; d → c is the only path from d.
    const g = graph({ a: ['b', 'c'], b: ['c'], c: [], d: ['c'] });

    expect(essentialEdges(g)).toEqual([
      ['a', 'b'],
      ['b', 'c'],
      ['d', 'c'],
    ]);
  });

  it('draws folders as Mermaid nodes labelled with their paths', () => {
    const diagram = layerDiagram(graph({ 'src/cli/main.ts': ['src/app/status.ts'], 'src/app/status.ts': [] }));

    expect(diagram.split('\n')).toEqual([
      '```mermaid',
      'flowchart TD',
      '  src_app["src/app"]',
      '  src_cli["src/cli"]',
      '  src_cli --> src_app',
      '```',
    ]);
  });

  it('is the one the README shows (regenerate: node --import tsx scripts/layer-diagram.ts)', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const current = layerDiagram(buildImportGraph(new URL('../..', import.meta.url).pathname, CHECKED_DIRS));

    // The README indents it to sit inside a list item.
    expect(readme.replace(/^ {2}/gm, '')).toContain(current);
  });
});
