import { describe, expect, it } from 'vitest';
import { runShiftFaults, SCENARIOS } from '../../bench/shift-faults.ts';

describe('the shift-faults benchmark at a tiny size', () => {
  it('verifies every shift of both scenarios, faults really injected in one and none in the other', async () => {
    // Act: a short backoff so the tiny run takes well under a second of waiting.
    const result = await runShiftFaults({ shifts: 2, cleanShifts: 1, lanes: 2, baseMs: 10, capMs: 100 });

    // Assess
    const details = Object.fromEntries(
      SCENARIOS.map((s) => [
        s,
        result.details[s] as { shifts: number; faultedShare: number; failures: string[]; puts: { min: number } },
      ]),
    );
    expect(details['faults']).toMatchObject({ shifts: 2, failures: [] });
    expect(details['clean']).toMatchObject({ shifts: 1, failures: [], faultedShare: 0 });
    expect(details['faults']?.faultedShare).toBeGreaterThan(0);
    expect(details['clean']?.puts.min).toBe(1);
    const p99 = result.figures.find((f) => f.key === 'faults.p99');
    expect(p99?.target).toEqual({ op: '<=', value: 15_000 });
    expect(result.figures.find((f) => f.key === 'faults.failed')?.value).toBe(0);
  });
});
