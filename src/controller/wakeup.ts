import type { Clock } from '../clock.ts';

/** A level-triggered wake-up: `notify` before `wait` is not lost. */
export class Wakeup {
  private pending = false;
  private waiters: Array<() => void> = [];

  notify(): void {
    this.pending = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves at the next (or a missed) notify, or when `signal` aborts. Never rejects. */
  wait(signal: AbortSignal): Promise<void> {
    if (this.pending || signal.aborted) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        this.pending = false;
        resolve();
      };
      this.waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** Runs async work one piece at a time, in call order. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work, work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** A wait that a newer target cuts short (the wakeup) as well as a stop; says which ended it. */
export async function sleepUnlessWoken(
  clock: Clock,
  ms: number,
  signal: AbortSignal,
  wakeup: Wakeup,
): Promise<'slept' | 'woken'> {
  const cut = new AbortController();
  const onAbort = () => cut.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const woken = wakeup.wait(cut.signal).then(() => cut.abort());
  try {
    await clock.sleep(ms, cut.signal);
    return 'slept';
  } catch {
    // Cut short: by a stop or a newer target; either way the loop re-reads the desired target.
    return 'woken';
  } finally {
    cut.abort();
    signal.removeEventListener('abort', onAbort);
    await woken;
  }
}
