import { describe, expect, it } from 'vitest';
import { runDecisionCost } from '../../bench/decision-cost.ts';

describe('the decision-cost benchmark at a tiny size', () => {
  it('classifies every timed message exactly once and reports the three figures', async () => {
    // Act
    const result = await runDecisionCost({ messages: 100, chunk: 50, warmup: 10 });

    // Assess
    const outcomes = result.details['outcomes'] as Record<string, number>;
    expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(100);
    expect(outcomes['applied']).toBeGreaterThan(0);
    expect(outcomes['duplicate']).toBeGreaterThan(0);
    expect(outcomes['stale']).toBeGreaterThan(0);
    expect(outcomes['unknownAlarm']).toBeGreaterThan(0);
    expect(result.figures.map((f) => f.key)).toEqual(['cost.total', 'cost.normalize', 'cost.machine']);
  });
});
