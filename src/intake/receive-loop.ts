import { backoffDelay, sleepUnlessAborted } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';
import type { ReceivedMessage, SqsIntake } from './sqs-intake.ts';

/** What went wrong in one turn of {@link receiveLoop}, and what the loop does about it. */
export interface ReceiveLoopFailure {
  /** `receive`: the long poll failed. `handle`: the handler threw. */
  stage: 'receive' | 'handle';
  /** Failed turns in a row, this one included; a turn that succeeds resets it. */
  consecutiveFailures: number;
  /** How long the loop waits before the next receive, in ms. */
  retryInMs: number;
}

/** Options of {@link receiveLoop}. */
export interface ReceiveLoopOptions {
  intake: Pick<SqsIntake, 'receive'>;
  /** Aborting it stops the loop: a long poll ends at once, a handler in flight is awaited. */
  signal: AbortSignal;
  /**
   * Processes one non-empty batch and acknowledges what it finished (the loop deletes nothing). Not given
   * the signal on purpose: on shutdown the batch in hand should be finished or persisted, not dropped.
   */
  handle: (batch: ReceivedMessage[]) => Promise<void>;
  /** Told about every failure (a QueueError from receive, whatever `handle` threw) before the backoff. */
  onError: (err: unknown, failure: ReceiveLoopFailure) => void;
  /** Backoff after failures. Defaults: initial 1 s, max 30 s, full jitter. */
  backoff?: BackoffOptions;
  /**
   * On stop, how long the poll in flight may still run (default 0: aborted at once). SQS can hand a
   * message to a poll whose client went away; that message then waits out its visibility timeout. A
   * poll allowed to end hands its messages to `handBack` instead of stranding them.
   */
  stopGraceMs?: number;
  /** Receives what a poll returned after the stop (default: nothing is done; they reappear later). */
  handBack?: (batch: ReceivedMessage[]) => Promise<void>;
}

/**
 * Receives and handles batches until `signal` aborts, then resolves once the batch in flight (if any)
 * is handled. Never rejects for queue or handler failures: each is reported to `onError` and followed
 * by a capped exponential backoff with full jitter, so an outage, throttling or missing credentials
 * slow the loop down instead of making it spin. Empty receives are not failures and are not handed on.
 * With `waitTimeSeconds: 0` on the intake the loop short-polls back to back: keep long polling on.
 * @throws RangeError (as a rejection) when the backoff options are unusable.
 */
export async function receiveLoop(options: ReceiveLoopOptions): Promise<void> {
  const { intake, signal, handle, backoff = {} } = options;
  const initial = backoff.initialDelayMs ?? 1000;
  const max = backoff.maxDelayMs ?? 30_000;
  if (!(initial > 0 && max >= initial)) {
    throw new RangeError(`backoff needs 0 < initialDelayMs <= maxDelayMs, got ${initial} and ${max}`);
  }

  let failures = 0;
  const fail = async (stage: ReceiveLoopFailure['stage'], err: unknown): Promise<void> => {
    failures += 1;
    const retryInMs = backoffDelay(failures, backoff);
    try {
      options.onError(err, { stage, consecutiveFailures: failures, retryInMs });
    } catch {
      // A throwing reporter must not end the loop.
    }
    await sleepUnlessAborted(retryInMs, signal);
  };

  while (!signal.aborted) {
    let batch: ReceivedMessage[];
    const poll = graceAfter(signal, options.stopGraceMs ?? 0);
    try {
      batch = await intake.receive(poll.signal);
    } catch (err) {
      if (signal.aborted) break;
      await fail('receive', err);
      continue;
    } finally {
      poll.dispose();
    }
    if (signal.aborted) {
      if (batch.length > 0) await options.handBack?.(batch);
      break;
    }
    if (batch.length === 0) {
      failures = 0;
      continue;
    }
    try {
      await handle(batch);
      failures = 0;
    } catch (err) {
      await fail('handle', err);
    }
  }
}

/** A signal that aborts `graceMs` after `signal` does (at once for 0). */
function graceAfter(signal: AbortSignal, graceMs: number): { signal: AbortSignal; dispose(): void } {
  if (graceMs <= 0) return { signal, dispose: () => undefined };
  const late = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    timer = setTimeout(() => late.abort(signal.reason), graceMs);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: late.signal,
    dispose: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}
