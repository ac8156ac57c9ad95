/**
 * Makes Connect's split match the desired one, level-based like a Kubernetes controller: it is told what
 * the split should be (never "what happened"), and keeps shifting until that is verified. A newer target
 * supersedes the shift in flight: the old one is aborted and awaited before the new one starts, so no
 * write of an old split is ever sent after a newer decision. A shift that fails is retried with growing
 * backoff, never dropped.
 */
import { fullJitterDelay } from '../backoff.ts';
import type { JitterBackoffOptions } from '../backoff.ts';
import type { Clock } from '../clock.ts';
import type { ShiftResult, TrafficControl, TrafficSplit } from '../connect/traffic-port.ts';
import type { Logger } from '../observability/logger.ts';
import { sleepUnlessWoken, Wakeup } from './wakeup.ts';

export interface Target {
  /** Telephony percent on the primary. */
  primaryPercent: number;
  /** Agents percent on the primary when it differs (a failback step with `traffic.agentsLead`); absent: the same. */
  agentsPrimaryPercent?: number;
  /** The decision that set it. */
  seq: number;
  /** False: only read and report (dry-run, or drift found while automation is paused). */
  write: boolean;
}

/** `resync`: the periodic re-check of a settled split, not a new decision. */
export type ReconcileOutcome =
  | { kind: 'started'; target: Target; attempt: number; resync?: boolean }
  | { kind: 'verified'; target: Target; result: ShiftResult; attempt: number; resync?: boolean }
  | { kind: 'failed'; target: Target; error: Error; attempt: number; retryInMs: number; resync?: boolean }
  | { kind: 'observed'; target: Target; split: TrafficSplit; status: string; region: string; resync?: boolean };

export interface ReconcilerOptions {
  traffic: TrafficControl;
  clock: Clock;
  logger: Logger;
  /** Called (and awaited) for every outcome; the controller persists and reports from here. */
  onOutcome: (outcome: ReconcileOutcome) => Promise<void>;
  /**
   * Backoff between failed shifts, by the one formula ({@link fullJitterDelay}): a random wait up to
   * `baseMs`, the ceiling doubling to `capMs`. Defaults: 1 s, 5 min, `Math.random`.
   */
  retry?: JitterBackoffOptions;
  /**
   * How often a settled split is read again, so a change made by hand is noticed while running (not only
   * at start-up). Default 5 min; 0 turns it off.
   */
  resyncMs?: number;
  /** Whether a resync may write (correct drift) now; false reports only. Default: always. */
  mayCorrectDrift?: () => boolean;
}

export class Reconciler {
  private desired: Target | undefined;
  private settled: Target | undefined;
  private inFlight: { target: Target; abort: AbortController } | undefined;
  private readonly wakeup = new Wakeup();

  constructor(private readonly options: ReconcilerOptions) {}

  /** Sets the split to reach. A different target aborts the shift in flight. */
  want(target: Target): void {
    const same = this.desired && sameTarget(this.desired, target);
    this.desired = target;
    if (same) return;
    this.settled = undefined;
    if (this.inFlight && !sameTarget(this.inFlight.target, target)) this.inFlight.abort.abort(new SupersededError());
    this.wakeup.notify();
  }

  /**
   * A newer decision waits for its save: stop the shift in flight (and its retries) and start nothing until
   * the next `want`. Between a decision and its save the old target is no longer what the controller wants,
   * so no request for it may start in that window, however long the save takes.
   */
  hold(): void {
    this.desired = undefined;
    this.settled = undefined;
    this.inFlight?.abort.abort(new SupersededError());
    this.wakeup.notify();
  }

  /** The target being worked on or last reached. */
  get target(): Target | undefined {
    return this.desired;
  }

  /** Until `signal` aborts: shift toward the desired target whenever it is not settled. */
  async run(signal: AbortSignal): Promise<void> {
    const { clock, logger } = this.options;
    const retry: JitterBackoffOptions = { baseMs: 1_000, capMs: 300_000, ...this.options.retry };
    const resyncMs = this.options.resyncMs ?? 300_000;
    let failures = 0;
    let resync = false;
    while (!signal.aborted) {
      const desired = this.desired;
      if (!desired || (this.settled && sameTarget(this.settled, desired))) {
        if (!desired || resyncMs <= 0) {
          await this.wakeup.wait(signal);
          continue;
        }
        resync = (await sleepUnlessWoken(clock, resyncMs, signal, this.wakeup)) === 'slept' && !signal.aborted;
        if (resync) this.settled = undefined;
        continue;
      }
      // A resync that may not correct drift only reads and reports.
      const target = resync && this.options.mayCorrectDrift?.() === false ? { ...desired, write: false } : desired;
      const abort = new AbortController();
      const stop = () => abort.abort(signal.reason);
      signal.addEventListener('abort', stop, { once: true });
      this.inFlight = { target, abort };
      try {
        await this.attempt(target, failures + 1, abort.signal, resync);
        failures = 0;
        resync = false;
        if (this.desired && sameTarget(this.desired, desired)) this.settled = desired;
      } catch (error) {
        if (abort.signal.aborted) {
          // Superseded or stopping: the next loop turn picks up the newer target (or exits).
          failures = 0;
          continue;
        }
        failures += 1;
        const retryInMs = fullJitterDelay(failures, retry);
        await this.options.onOutcome({
          kind: 'failed',
          target,
          error: asError(error),
          attempt: failures,
          retryInMs,
          resync,
        });
        logger.error(
          { err: error, targetPrimaryPercent: target.primaryPercent, attempt: failures, retryInMs },
          'shift failed; will retry',
        );
        await sleepUnlessWoken(clock, retryInMs, abort.signal, this.wakeup);
      } finally {
        signal.removeEventListener('abort', stop);
        this.inFlight = undefined;
      }
    }
  }

  private async attempt(target: Target, attempt: number, signal: AbortSignal, resync: boolean): Promise<void> {
    const { traffic, onOutcome } = this.options;
    if (!target.write) {
      const now = await traffic.read(signal);
      await onOutcome({ kind: 'observed', target, split: now.split, status: now.status, region: now.region, resync });
      return;
    }
    await onOutcome({ kind: 'started', target, attempt, resync });
    const agents = target.agentsPrimaryPercent ?? target.primaryPercent;
    // A plain percent unless the agents lead, so the port sees exactly what it did before agents could.
    const split =
      agents === target.primaryPercent
        ? target.primaryPercent
        : { telephonyPrimaryPercent: target.primaryPercent, agentsPrimaryPercent: agents };
    const result = await traffic.shift(split, signal, { decision: target.seq });
    await onOutcome({ kind: 'verified', target, result, attempt, resync });
  }
}

/** The reason given to an aborted shift that a newer decision replaced. */
export class SupersededError extends Error {
  constructor() {
    super('superseded by a newer decision');
    this.name = 'SupersededError';
  }
}

function sameTarget(a: Target, b: Target): boolean {
  const agents = (t: Target) => t.agentsPrimaryPercent ?? t.primaryPercent;
  return a.primaryPercent === b.primaryPercent && agents(a) === agents(b) && a.write === b.write;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
