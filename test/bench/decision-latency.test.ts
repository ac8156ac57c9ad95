import { describe, expect, it } from 'vitest';
import { runDecisionLatency } from '../../bench/decision-latency.ts';

describe('the decision-latency benchmark at a tiny size', () => {
  it('times each rep to exactly one update, and the floor to each message received', async () => {
    // Act
    // Two reps: one failover by an alarm, one failback by a command; 1 s long polls, so both stops are quick.
    const result = await runDecisionLatency({ reps: 2, waitTimeSeconds: 1 });

    // Assess
    const d = result.details as {
      updates: number;
      floorReceived: number;
      controller: { n: number };
      floor: { n: number };
    };
    expect(d.updates).toBe(2);
    expect(d.controller.n).toBe(2);
    expect(d.floor.n).toBe(2);
    expect(d.floorReceived).toBe(2);
  });
});
