import { describe, expect, it } from 'vitest';
import { fittedGrowth, median, percentile, round, summarize } from '../../bench/lib/stats.ts';

describe('benchmark statistics', () => {
  it('interpolates percentiles between closest ranks', () => {
    // Prepare
    const samples = [4, 1, 3, 2];

    // Act
    const p50 = percentile(samples, 50);
    const p100 = percentile(samples, 100);
    const p0 = percentile(samples, 0);

    // Assess
    expect(p50).toBe(2.5);
    expect(p100).toBe(4);
    expect(p0).toBe(1);
  });

  it('takes the middle sample as the median of an odd count, whatever the order', () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it('summarizes count, extremes, mean and percentiles, and gives NaN for no samples', () => {
    // Prepare
    const samples = Array.from({ length: 101 }, (_, i) => i);

    // Act
    const s = summarize(samples);
    const none = summarize([]);

    // Assess
    expect(s).toEqual({ n: 101, min: 0, p50: 50, p95: 95, p99: 99, max: 100, mean: 50 });
    expect(none.n).toBe(0);
    expect(Number.isNaN(none.p99)).toBe(true);
  });

  it('rounds to fewer decimals the larger the number', () => {
    expect([round(1234.56), round(12.345), round(1.2345), round(0.12345)]).toEqual([1235, 12.3, 1.23, 0.123]);
  });

  it('fits growth along the least-squares line, so one noisy sample does not decide flatness', () => {
    // Prepare
    const xs = [0, 1, 2, 3, 4];

    // Act
    const rising = fittedGrowth(xs, [10, 12, 14, 16, 18]);
    const flatWithSpike = fittedGrowth(xs, [10, 10, 30, 10, 10]);

    // Assess
    expect(rising).toBeCloseTo(8);
    expect(flatWithSpike).toBeCloseTo(0);
    expect(fittedGrowth([1], [5])).toBe(0);
  });
});
