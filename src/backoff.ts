/** Capped exponential backoff with full jitter: the one formula behind every retry loop here. */
export interface JitterBackoffOptions {
  /** Ceiling of the first delay, in ms. Default 200 (the shifter's). */
  baseMs?: number;
  /** Largest ceiling, in ms. Default 20000 (the shifter's). */
  capMs?: number;
  /** Uniform random number in [0, 1). Default `Math.random`; tests inject a seeded generator. */
  random?: () => number;
}

export const DEFAULT_BACKOFF_BASE_MS = 200;
export const DEFAULT_BACKOFF_CAP_MS = 20_000;

/**
 * The delay before the `step`-th wait (1 = the first): `random() × min(capMs, baseMs × 2^(step − 1))`.
 * Full jitter, because every controller that saw the same throttling or outage would otherwise retry in
 * step and throttle itself again.
 */
export function fullJitterDelay(step: number, options: JitterBackoffOptions = {}): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const cap = options.capMs ?? DEFAULT_BACKOFF_CAP_MS;
  const random = options.random ?? Math.random;
  // 2^1024 is Infinity; the cap is reached long before the clamp matters.
  const ceiling = Math.min(cap, base * 2 ** Math.min(Math.max(step, 1) - 1, 52));
  return Math.round(random() * ceiling);
}
