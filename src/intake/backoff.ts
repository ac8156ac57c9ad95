import { setTimeout as delay } from 'node:timers/promises';

/** Capped exponential backoff with full jitter. */
export interface BackoffOptions {
  /** Ceiling of the first delay, in ms. Default 1000. */
  initialDelayMs?: number;
  /** Largest ceiling, in ms. Default 30000. */
  maxDelayMs?: number;
  /** Uniform random number in [0, 1). Default `Math.random`; inject a constant to make delays exact. */
  random?: () => number;
}

/**
 * The delay before the next try after `failures` consecutive failures (1 = the first):
 * `random() × min(maxDelayMs, initialDelayMs × 2^(failures − 1))`. Full jitter spreads out many
 * controllers (or retries) that failed together instead of making them retry in step.
 */
export function backoffDelay(failures: number, options: BackoffOptions = {}): number {
  const initial = options.initialDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 30_000;
  const random = options.random ?? Math.random;
  // Clamp the exponent: 2^1024 is Infinity, and the cap is reached long before.
  const ceiling = Math.min(max, initial * 2 ** Math.min(Math.max(failures, 1) - 1, 52));
  return Math.round(random() * ceiling);
}

/** Waits `ms`, or less when `signal` aborts; never rejects. */
export async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return;
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // Aborted: the caller checks the signal.
  }
}
