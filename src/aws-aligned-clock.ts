/**
 * A wall clock that is never far behind AWS's. A host whose clock runs slow (NTP lost, a VM restored from a
 * snapshot) would take every CloudWatch timestamp for one dated in the future and refuse it (the defence
 * against forged future-dated events), so it would never fail over, while renewing its lease so that no
 * standby replaces it. SQS stamps each message with AWS's time when it was sent (`SentTimestamp`), and a
 * message cannot be received before it was sent: `sentAt - now()` at receipt is a lower bound on how far
 * this clock is behind AWS. So is the `Date` header of an answer (whole seconds), which the SDK keeps as
 * its clock offset: the run loop passes both to `observe`. When the largest such bound seen recently exceeds {@link SLOW_CLOCK_THRESHOLD_MS},
 * `now()` adds it. A clock that is ahead is left alone: readings ahead of it are already brought back.
 *
 * Sleeps are the base clock's (monotonic); only the reading of the time changes.
 */
import type { Clock } from './clock.ts';

/** Behind AWS by more than this (a lower bound, so surely), the clock is corrected. */
export const SLOW_CLOCK_THRESHOLD_MS = 30_000;
/**
 * How long an observation counts, by the monotonic clock. Every receive (at most a long poll apart) brings
 * one, so a minute is plenty; and once the host clock is fixed (stepped forward by NTP), the old bounds
 * stop over-correcting it within a minute.
 */
export const OBSERVATION_WINDOW_MS = 60_000;

export interface AwsAlignedClockOptions {
  /** Told whenever the correction changes (0: none any more). */
  onCorrection?: (behindMs: number) => void;
  /** Monotonic milliseconds, for the observation window. Default `performance.now()`. */
  monotonicNow?: () => number;
}

export class AwsAlignedClock implements Clock {
  #behindMs = 0;
  #observations: Array<{ behindMs: number; seenAt: number }> = [];

  constructor(
    private readonly base: Clock,
    private readonly options: AwsAlignedClockOptions = {},
  ) {}

  now(): number {
    return this.base.now() + this.#behindMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.base.sleep(ms, signal);
  }

  /** How far behind AWS this clock is taken to be, in ms (0 while within the threshold). */
  get correctionMs(): number {
    return this.#behindMs;
  }

  /** A lower bound of AWS's time now: an SQS `SentTimestamp` just received, or the SDK's Date-header estimate. */
  observe(awsAt: number): void {
    const seenAt = (this.options.monotonicNow ?? (() => performance.now()))();
    const behind = awsAt - this.base.now();
    // Only observations that can still be the window's maximum are kept (an older one no larger than the
    // newest never can be again), so the list stays short on the receive path and its first is the maximum.
    const kept = this.#observations.filter((o) => seenAt - o.seenAt <= OBSERVATION_WINDOW_MS && o.behindMs > behind);
    kept.push({ behindMs: behind, seenAt });
    this.#observations = kept;
    const largest = kept[0]!.behindMs;
    const behindMs = largest > SLOW_CLOCK_THRESHOLD_MS ? largest : 0;
    // Small movements of the bound are noise (queue delays): only a real change is applied and told.
    if (Math.abs(behindMs - this.#behindMs) < SLOW_CLOCK_THRESHOLD_MS && behindMs !== 0) return;
    if (behindMs === this.#behindMs) return;
    this.#behindMs = behindMs;
    this.options.onCorrection?.(behindMs);
  }
}
