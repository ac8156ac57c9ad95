/**
 * Time as a dependency. Production uses the system clock; tests pass a manual clock so backoff and
 * deadlines run without waiting for real minutes.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The longest delay handed to one `setTimeout`. Node stores delays in a signed 32-bit int: anything
 * above 2^31 - 1 ms (24.8 days) becomes 1 ms with a TimeoutOverflowWarning, turning a long wait into a
 * busy loop. Longer sleeps are chained from timers of at most this length.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      // Measured on the monotonic clock: a wall-clock step neither shortens nor stretches a sleep.
      const until = performance.now() + Math.max(0, ms);
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const arm = () => {
        const left = until - performance.now();
        if (left <= 0) {
          signal?.removeEventListener('abort', onAbort);
          resolve();
          return;
        }
        timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      arm();
    }),
};

/**
 * A clock that only moves when told to. `sleep` resolves when `advance` passes its deadline, or at once
 * with `autoAdvance`, which jumps virtual time forward to the sleeper's deadline (for loops with backoff).
 */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: Array<{ until: number; resolve: () => void }> = [];

  constructor(
    start = Date.UTC(2026, 10, 28, 12),
    private readonly autoAdvance = false,
  ) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.autoAdvance) {
      this.current += Math.max(0, ms);
      return Promise.resolve();
    }
    // Already due: like a real clock's zero wait, it ends on its own (in the next turn of the event loop),
    // not at the next `advance`, which may never come.
    if (ms <= 0)
      return new Promise<void>((resolve, reject) =>
        setImmediate(() => (signal?.aborted ? reject(signal.reason) : resolve())),
      );
    return new Promise<void>((resolve, reject) => {
      const sleeper = { until: this.current + ms, resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  advance(ms: number): void {
    this.current += ms;
    const due = this.sleepers.filter((s) => s.until <= this.current);
    this.sleepers = this.sleepers.filter((s) => s.until > this.current);
    for (const s of due) s.resolve();
  }
}
