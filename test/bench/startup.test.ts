import { describe, expect, it } from 'vitest';
import { runStartup } from '../../bench/startup.ts';

describe('the startup benchmark at a tiny size', () => {
  it('starts the CLI (compiled, and from its sources through tsx) until it is running, and stops it', async () => {
    // Act
    const result = await runStartup({ starts: 1, tsx: 1 });

    // Assess
    expect(result.details['eachStart']).toHaveLength(1);
    expect(result.details['eachTsxStart']).toHaveLength(1);
    expect(result.figures.map((f) => f.key)).toEqual([
      'startup.ready',
      'startup.starting',
      'startup.node',
      'startup.tsx',
    ]);
  });
});
