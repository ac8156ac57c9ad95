import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkImports, formatImportReport, importsAreClean } from '../../scripts/check-imports.ts';
import { cyclicComponents, findCycles } from '../../scripts/find-cycles.ts';
import { buildImportGraph, folderGraphOf, importSpecifiersOf } from '../../scripts/import-graph.ts';

const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

describe('the cycle finder', () => {
  it('finds each cyclic component once, with a self-import as a cycle of one, and leaves the rest alone', () => {
    // Prepare: a → b → c → a is a cycle that d leads into; e imports itself; f → g is a plain chain.
    const g = graph({ a: ['b'], b: ['c'], c: ['a'], d: ['a'], e: ['e'], f: ['g'] });

    // Act
    const cycles = findCycles(g);

    // Assess
    expect(cycles).toEqual([
      { members: ['a', 'b', 'c'], paths: [['a', 'b', 'c', 'a']] },
      { members: ['e'], paths: [['e', 'e']] },
    ]);
  });

  it('names a shortest cycle through each import of a component that holds several loops, each loop once', () => {
    // Prepare: a ⇄ b, and the longer loop a → b → c → a, the only one through b → c.
    const g = graph({ a: ['b'], b: ['c', 'a'], c: ['a'] });

    // Act
    const [cycle] = findCycles(g);

    // Assess
    expect(cycle).toEqual({
      members: ['a', 'b', 'c'],
      paths: [
        ['a', 'b', 'a'],
        ['a', 'b', 'c', 'a'],
      ],
    });
  });

  it('finds nothing in a graph without cycles, including a diamond', () => {
    // Prepare
    const g = graph({ top: ['left', 'right'], left: ['bottom'], right: ['bottom'] });

    // Act & Assess
    expect(cyclicComponents(g)).toEqual([]);
  });

  it('walks a long import chain without running out of stack', () => {
    // Prepare: 50 000 nodes in a line, closed into one ring.
    const n = 50_000;
    const g = new Map(Array.from({ length: n }, (_, i) => [`n${i}`, [`n${(i + 1) % n}`]] as [string, string[]]));

    // Act
    const components = cyclicComponents(g);

    // Assess
    expect(components).toHaveLength(1);
    expect(components[0]).toHaveLength(n);
  });
});

describe('the layering check', () => {
  it('reports a folder cycle made of imports that form no file cycle, with the imports behind it', () => {
    // Prepare: config/a → store/b and store/c → config/d: acyclic between files, cyclic between folders.
    const files = graph({
      'src/config/a.ts': ['src/store/b.ts'],
      'src/store/b.ts': [],
      'src/store/c.ts': ['src/config/d.ts'],
      'src/config/d.ts': [],
    });

    // Act
    const report = checkImports(files);

    // Assess
    expect(report.fileCycles).toEqual([]);
    expect(report.folderCycles.map((c) => c.paths)).toEqual([[['src/config', 'src/store', 'src/config']]]);
    expect(report.folderCycleImports).toEqual([
      ['src/config/a.ts → src/store/b.ts', 'src/store/c.ts → src/config/d.ts'],
    ]);
    expect(importsAreClean(report)).toBe(false);
  });

  it('counts state-machines/ as one folder and each file directly in src/ as its own', () => {
    // Prepare
    const files = graph({
      'state-machines/machine.ts': ['state-machines/types.ts'],
      'state-machines/types.ts': ['src/errors.ts'],
      'src/errors.ts': ['src/connect/port.ts'],
      'src/connect/port.ts': ['state-machines/machine.ts'],
    });

    // Act
    const folders = folderGraphOf(files);

    // Assess
    expect(Object.fromEntries(folders)).toEqual({
      'state-machines': ['src/errors.ts'],
      'src/errors.ts': ['src/connect'],
      'src/connect': ['state-machines'],
    });
    expect(checkImports(files).folderCycles.map((c) => c.members)).toEqual([
      ['src/connect', 'src/errors.ts', 'state-machines'],
    ]);
  });

  it('refuses imports of src/cli/ from outside it, and allows them inside it', () => {
    // Prepare
    const files = graph({
      'src/cli/main.ts': ['src/cli/render.ts', 'src/app/status.ts'],
      'src/cli/render.ts': [],
      'src/app/status.ts': [],
      'src/gameday/target.ts': ['src/cli/render.ts'],
    });

    // Act
    const report = checkImports(files);

    // Assess
    expect(report.cliImports).toEqual(['src/gameday/target.ts → src/cli/render.ts']);
  });

  it('ends with a one-line summary, and is clean when nothing is wrong', () => {
    // Prepare
    const files = graph({ 'src/cli/main.ts': ['src/app/status.ts'], 'src/app/status.ts': [] });

    // Act
    const report = checkImports(files);

    // Assess
    expect(importsAreClean(report)).toBe(true);
    expect(formatImportReport(report)).toEqual([
      'imports: 2 files, 1 edges, cycles: 0 between files, 0 between folders, 0 imports of src/cli/',
    ]);
  });
});

describe('reading the imports of a source tree', () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
    root = undefined;
  });

  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(root!, path)), { recursive: true });
    await writeFile(join(root!, path), text);
  };

  it('sees static, type-only, re-exported and dynamic imports, and not those in comments or strings', () => {
    // Act
    const specifiers = importSpecifiersOf(
      [
        "import { a } from './a.ts';",
        "import type { B } from '../b.ts';",
        "export { c } from './c/index.ts';",
        "const d = await import('./d.ts');",
        "// import { e } from './e.ts';",
        'const text = "import { f } from \'./f.ts\'";',
      ].join('\n'),
    );

    // Assess
    expect(specifiers.sort()).toEqual(['../b.ts', './a.ts', './c/index.ts', './d.ts']);
  });

  it('keeps edges between checked files only: packages, JSON and files outside the checked folders are left out', async () => {
    // Prepare
    root = await mkdtemp(join(tmpdir(), 'check-imports-'));
    await write(
      'src/cli/main.ts',
      "import { x } from '../app/x.ts';\nimport pkg from '../../package.json' with { type: 'json' };\nimport { z } from 'zod';\n",
    );
    await write('src/app/x.ts', "import { helper } from '../../test/helper.ts';\nexport const x = 1;\n");
    await write('state-machines/index.ts', "export * from './types.ts';\n");
    await write('state-machines/types.ts', 'export type T = 1;\n');
    await write('test/helper.ts', 'export const helper = 1;\n');
    await write('package.json', '{}');

    // Act
    const found = buildImportGraph(root, ['src', 'state-machines']);

    // Assess
    expect(Object.fromEntries(found)).toEqual({
      'src/app/x.ts': [],
      'src/cli/main.ts': ['src/app/x.ts'],
      'state-machines/index.ts': ['state-machines/types.ts'],
      'state-machines/types.ts': [],
    });
  });
});
