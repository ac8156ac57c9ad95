import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../bench/lib/paths.ts';
import { runStartup, sourceEntry } from '../../bench/startup.ts';
import { main } from '../../src/cli/main.ts';

describe('the startup benchmark at a tiny size', () => {
  it('starts the compiled CLI until it is running, and stops it', async () => {
    // Act: one start; the tsx comparison (a second start, from the sources) only in `npm run bench`.
    const result = await runStartup({ starts: 1, tsx: 0 });

    // Assess
    expect(result.details['eachStart']).toHaveLength(1);
    expect(result.details['eachTsxStart']).toEqual([]);
    expect(result.figures.map((f) => f.key)).toEqual(['startup.ready', 'startup.starting', 'startup.node']);
  });

  it('runs the comparison from an entry that imports the CLI from its sources and runs its main', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'cf-startup-'));
    try {
      // Act
      const entry = await sourceEntry(dir);
      const text = await readFile(entry, 'utf8');

      // Assess: it imports the CLI's source entry, which exports the main the compiled runtime runs.
      const imported = /await import\((".*?")\)/.exec(text)?.[1];
      expect(JSON.parse(imported ?? '""')).toBe(join(repoRoot(), 'src', 'cli', 'main.ts'));
      expect(typeof main).toBe('function');
      expect(text).toContain('process.exitCode = await main(process.argv.slice(2));');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
