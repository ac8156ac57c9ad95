/** What a heartbeat repeats, and how often. */
export interface HeartbeatOptions {
  /** Time from the start of one beat to the start of the next, in ms. */
  intervalMs: number;
  /**
   * One beat. Resolve `false` when there is nothing left to keep alive: the heartbeat then ends by
   * itself. The signal aborts when the heartbeat is stopped.
   */
  beat: (signal: AbortSignal) => Promise<boolean>;
  /** Receives what a beat threw; the heartbeat keeps going. Not called for the abort caused by stop. */
  onError: (err: unknown) => void;
}

/**
 * Runs `beat` every `intervalMs` until stopped, never two beats at once: a beat slower than the interval
 * delays the next one instead of piling requests up. The first beat comes one interval after the start.
 * Returns `stop`, which cancels the timer, aborts a beat in flight and resolves once it has settled, so
 * that no beat runs after `stop` resolves.
 */
export function startHeartbeat(options: HeartbeatOptions): () => Promise<void> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  const schedule = (delayMs: number): void => {
    timer = setTimeout(tick, Math.max(0, delayMs));
    // A forgotten stop must not keep the process alive.
    timer.unref();
  };

  const runBeat = async (): Promise<boolean> => {
    try {
      return await options.beat(controller.signal);
    } catch (err) {
      if (!controller.signal.aborted) {
        // A throwing error handler must not end the heartbeat or surface as an unhandled rejection.
        try {
          options.onError(err);
        } catch {
          /* nothing left to report to */
        }
      }
      return true;
    }
  };

  function tick(): void {
    timer = undefined;
    if (controller.signal.aborted) return;
    const startedAt = Date.now();
    inFlight = runBeat().then((keepGoing) => {
      inFlight = undefined;
      if (keepGoing && !controller.signal.aborted) schedule(options.intervalMs - (Date.now() - startedAt));
    });
  }

  schedule(options.intervalMs);

  return async () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    // Only a beat in flight needs aborting; a reasonless abort builds a DOMException with a stack, per batch.
    if (inFlight !== undefined) controller.abort(HEARTBEAT_STOPPED);
    await inFlight;
  };
}

const HEARTBEAT_STOPPED = new Error('heartbeat stopped');
