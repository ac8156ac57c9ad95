/**
 * Wakes the statechart at its next deadline (escalation, recovery), so time-based rules fire with no
 * event to prompt them. A newer state reschedules it; it re-reads the clock at least every minute, so a
 * wall-clock step in either direction is noticed.
 */
import type { Clock } from '../clock.ts';
import { sleepUnlessWoken } from './wakeup.ts';
import type { Wakeup } from './wakeup.ts';

/** Longest the ticker sleeps before it reads the clock again. */
export const TICK_CAP_MS = 60_000;

export interface DeadlineTickerOptions {
  clock: Clock;
  /** The next deadline of the current state, or null when only an event can change anything. */
  nextDeadline(): number | null;
  /** Notified whenever the state changed (the deadline may have moved). */
  rescheduled: Wakeup;
  /** Sends the tick; errors are the tick's own business (it reports them). */
  tick(): Promise<void>;
}

export async function runDeadlineTicker(options: DeadlineTickerOptions, signal: AbortSignal): Promise<void> {
  const { clock, rescheduled } = options;
  while (!signal.aborted) {
    const deadline = options.nextDeadline();
    if (deadline === null) {
      await rescheduled.wait(signal);
      continue;
    }
    const wait = Math.min(TICK_CAP_MS, Math.max(0, deadline - clock.now()));
    if ((await sleepUnlessWoken(clock, wait, signal, rescheduled)) === 'slept' && !signal.aborted) await options.tick();
  }
}
