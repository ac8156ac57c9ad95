import { describe, expect, it } from 'vitest';
import { runDecisionLatency } from '../../bench/decision-latency.ts';

describe('the decision-latency benchmark at a tiny size', () => {
  it('times each rep to exactly one update in every variant, confirming failovers only when confirmation is on', async () => {
    // Act
    const result = await runDecisionLatency({ reps: 4, slowCloudWatchMs: 50, waitTimeSeconds: 1 });

    // Assess
    const d = result.details as {
      updates: number;
      floorReceived: number;
      controller: { n: number };
      floor: { n: number };
      variants: Record<string, { updates: number; alarm: { n: number }; confirmations: Record<string, number> }>;
    };
    expect(d.updates).toBe(4);
    expect(d.controller.n).toBe(4);
    expect(d.floor.n).toBe(4);
    expect(d.floorReceived).toBe(4);
    expect(Object.keys(d.variants)).toEqual(['off', 'confirm', 'slow']);
    for (const variant of Object.values(d.variants)) {
      expect(variant.updates).toBe(4);
      expect(variant.alarm.n).toBe(2);
    }
    // CloudWatch agreed with every failover event: the benchmark set each state before sending its event.
    expect(d.variants.off?.confirmations).toEqual({});
    expect(d.variants.confirm?.confirmations).toEqual({ confirmed: 2 });
    expect(d.variants.slow?.confirmations).toEqual({ confirmed: 2 });
    expect(result.figures.map((f) => f.key)).toEqual(
      expect.arrayContaining(['latency.confirmation.p50', 'latency.confirmation.slow.p99']),
    );
  });
});
