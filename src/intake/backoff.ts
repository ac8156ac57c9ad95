import { setTimeout as delay } from 'node:timers/promises';
import { fullJitterDelay } from '../backoff.ts';

/** Capped exponential backoff with full jitter. */
export interface BackoffOptions {
  /** Ceiling of the first delay, in ms. Default 1000. */
  initialDelayMs?: number;
  /** Largest ceiling, in ms. Default 30000. */
  maxDelayMs?: number;
  /** Uniform random number in [0, 1). Default `Math.random`; inject a constant to make delays exact. */
  random?: () => number;
}

/** The delay before the next receive after `failures` consecutive failures (1 = the first); defaults 1 s to 30 s. */
export function backoffDelay(failures: number, options: BackoffOptions = {}): number {
  return fullJitterDelay(failures, {
    baseMs: options.initialDelayMs ?? 1000,
    capMs: options.maxDelayMs ?? 30_000,
    random: options.random,
  });
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
