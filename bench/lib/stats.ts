/** Order statistics for benchmark samples. Pure; no timing of its own. */

/** Summary of one set of samples. */
export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The `p`-th percentile (0–100) of `samples` by linear interpolation between closest ranks, so p50 of
 * an even count is the mean of the middle two. NaN for no samples.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return percentileOfSorted(sorted, p);
}

function percentileOfSorted(sorted: readonly number[], p: number): number {
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = sorted[low]!;
  const b = sorted[high]!;
  return a + (b - a) * (rank - low);
}

/** The median (p50) of `samples`; NaN for none. */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** Count, extremes, mean and the percentiles the reports use. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) {
    return {
      n: 0,
      min: Number.NaN,
      p50: Number.NaN,
      p95: Number.NaN,
      p99: Number.NaN,
      max: Number.NaN,
      mean: Number.NaN,
    };
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((s, x) => s + x, 0);
  return {
    n: sorted.length,
    min: sorted[0]!,
    p50: percentileOfSorted(sorted, 50),
    p95: percentileOfSorted(sorted, 95),
    p99: percentileOfSorted(sorted, 99),
    max: sorted[sorted.length - 1]!,
    mean: sum / sorted.length,
  };
}

/**
 * The growth of `ys` over the span of `xs` along the least-squares line through the points: robust to
 * one noisy sample where last-minus-first is not. 0 for fewer than two points.
 */
export function fittedGrowth(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  const mx = xs.slice(0, n).reduce((s, x) => s + x, 0) / n;
  const my = ys.slice(0, n).reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  if (sxx === 0) return 0;
  return (sxy / sxx) * (Math.max(...xs.slice(0, n)) - Math.min(...xs.slice(0, n)));
}

/** Rounds to `digits` significant decimals for reports (integers above 100 lose their fraction). */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const magnitude = Math.abs(value);
  const decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : digits;
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
