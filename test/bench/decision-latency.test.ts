import { describe, expect, it } from 'vitest';
import { runDecisionLatency } from '../../bench/decision-latency.ts';

describe('the decision-latency benchmark at a tiny size', () => {
  it('times each rep to exactly one update, and the floor to each message received', async () => {
    // Act
    const result = await runDecisionLatency({ reps: 4 });

    // Assess
    const d = result.details as {
      updates: number;
      floorReceived: number;
      controller: { n: number };
      floor: { n: number };
    };
    expect(d.updates).toBe(4);
    expect(d.controller.n).toBe(4);
    expect(d.floor.n).toBe(4);
    expect(d.floorReceived).toBe(4);
  });
});
