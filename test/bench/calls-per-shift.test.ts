import { describe, expect, it } from 'vitest';
import { runCallsPerShift, SCENARIOS } from '../../bench/calls-per-shift.ts';

describe('the calls-per-shift benchmark at a tiny size', () => {
  it('runs every scenario to verified shifts and counts one PUT per fault-free shift', async () => {
    // Act: one shift per scenario; the 409 window outlasts the reads before the first PUT even on a busy
    // machine (at 150 ms it sometimes closed before the PUT, which then met no 409).
    const result = await runCallsPerShift({ shifts: 1, windowMs: 500 });

    // Assess
    for (const scenario of SCENARIOS) {
      const d = result.details[scenario] as { puts: { n: number; min: number } };
      expect(d.puts.n).toBe(1);
      expect(d.puts.min).toBeGreaterThanOrEqual(1);
    }
    expect((result.details['none'] as { puts: { max: number } }).puts.max).toBe(1);
    expect((result.details['busyGroup'] as { puts: { max: number } }).puts.max).toBe(1);
    expect((result.details['conflictWindow'] as { puts: { min: number } }).puts.min).toBeGreaterThan(1);
  });
});
