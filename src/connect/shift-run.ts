/**
 * One shift, start to verified: the loop behind {@link TrafficShifter.shift} (shifter.ts says why retries
 * live here and not in the SDK).
 *
 * The loop is level-based, as in a Kubernetes reconciler: each pass reads the split, compares it with
 * the target, writes only if different, and repeats until the split shows the target and the group is
 * ACTIVE. Every write follows a read made after the previous write, so "read before re-sending" holds by
 * construction.
 *
 * Three clocks of waiting, kept apart because they answer different troubles (issue 11, finding 14.3):
 * - the read backoff grows only when a read fails in both Regions (throttling included) and restarts
 *   after any successful call, so a sick Region or a burst of 429s costs a failover to the other
 *   endpoint, not seconds;
 * - status polls (waiting for ACTIVE, or for reads to show an accepted write) have their own, short-capped
 *   schedule;
 * - writes are spaced by their own backoff, which nothing resets within a shift: a write that did not go
 *   through is followed by a pause, and a write Connect accepted is followed by reads only, for a settle
 *   time that doubles with each accepted write, up to `maxWrites`. A read that lags or comes from a stale
 *   replica therefore costs reads, never a storm of writes; a read that can never show the target
 *   (no AgentConfig while agents are shifted) stops the shift with an error that names it.
 */
import type { Clock } from '../clock.ts';
import { fullJitterDelay } from '../backoff.ts';
import type { JitterBackoffOptions } from '../backoff.ts';
import { ConnectApiError } from './errors.ts';
import type { ShiftError, WriteLimitError } from './errors.ts';
import {
  agentsMissingError,
  deadlineError,
  describeSplit,
  describeTarget,
  refusedError,
  statusError,
  writeLimitError,
} from './shift-failures.ts';
import type { StoppedShift } from './shift-failures.ts';
import { logCall } from './shift-logging.ts';
import type { ShiftLogger } from './shift-logging.ts';
import type { ConnectCall, ShiftResult, TdgStatus, TrafficApi, TrafficSplit } from './traffic-port.ts';

/**
 * Ceiling of the wait between two status polls. The read backoff's cap (20 s) is for failing APIs; a
 * group that answers UPDATE_IN_PROGRESS is healthy, and every second it sits ACTIVE unnoticed is a
 * second more to a verified split.
 */
const POLL_CAP_MS = 5000;

/** Statuses that pass on their own: wait for ACTIVE. Every other non-ACTIVE status needs a person. */
const TRANSIENT_STATUSES: ReadonlySet<TdgStatus> = new Set(['UPDATE_IN_PROGRESS', 'CREATION_IN_PROGRESS']);

/** What a {@link ShiftRun} works with: the shifter's settings, resolved to their defaults. */
export interface RunSettings {
  api: TrafficApi;
  shiftAgents: boolean;
  clock: Clock;
  backoff: Required<JitterBackoffOptions>;
  deadlineMs: number;
  writeSettleMs: number;
  maxWrites: number;
  logger: ShiftLogger;
  beforeWrite: () => void;
}

/** The state of one shift: its calls, the Regions that failed, and its three schedules of waiting. */
export class ShiftRun {
  readonly calls: ConnectCall[] = [];
  readonly #s: RunSettings;
  readonly #target: number;
  /** The agents' target: `#target` itself unless agents lead (a failback step with `traffic.agentsLead`). */
  readonly #agentsTarget: number;
  readonly #signal: AbortSignal;
  readonly #deadline: number;
  /** Regions whose API last failed with a server error, a timeout or a network error. */
  readonly #failing = new Set<string>();
  #readFirst: string;
  #lastWriteRegion: string | undefined;
  #acceptedVia: string | undefined;
  #ambiguousVia: string | undefined;
  /** UpdateTrafficDistribution requests sent. */
  #writes = 0;
  /** Of those, the ones Connect accepted. */
  #accepted = 0;
  #passes = 0;
  /** Step of the read backoff: a read failed in both Regions this many times in a row. */
  #readStep = 0;
  /** Step of the status polls since the last accepted write. */
  #pollStep = 0;
  /** Step of the write spacing: write rounds that did not go through. Never reset within a shift. */
  #writeStep = 0;
  /** No write before this time: the pause after a failed write, or the settle time of an accepted one. */
  #nextWriteAt = Number.NEGATIVE_INFINITY;
  /** The last write was accepted: until `#nextWriteAt`, reads verify it and nothing is written. */
  #verifying = false;
  /** DescribeTrafficDistributionGroup answered ACTIVE since the last write that may have changed it. */
  #activeSinceWrite = false;
  /** The Region that answered the last successful GetTrafficDistribution. */
  #lastGetRegion: string | undefined;
  #lastError: ConnectApiError | undefined;
  /** Why the last pass did not finish, for the deadline's message. */
  #obstacle = 'nothing answered';

  constructor(settings: RunSettings, target: number, agentsTarget: number, signal: AbortSignal) {
    this.#s = settings;
    this.#target = target;
    this.#agentsTarget = agentsTarget;
    this.#signal = signal;
    this.#deadline = settings.clock.now() + settings.deadlineMs;
    // Before anything is known, read where the traffic is headed: that Region is the one that must work.
    this.#readFirst = target < 50 ? settings.api.regions.replica : settings.api.regions.primary;
  }

  async run(): Promise<ShiftResult> {
    for (;;) {
      this.#passes++;
      // After a write that did not go through, pause before reading: the next write then rests on a read
      // made after the pause, not before it.
      if (!this.#verifying) await this.#sleepUntil(this.#nextWriteAt, 'spacing writes');
      const current = await this.#look();
      if (current === undefined) continue;
      if (this.#matches(current)) return this.#result(current);
      if (this.#s.shiftAgents && current.agentsPrimaryPercent === undefined && this.#accepted > 0) {
        throw agentsMissingError(this.#stopped(), current);
      }
      if (this.#verifying && this.#s.clock.now() < this.#nextWriteAt) {
        // Connect accepted the write, so a read without it lags or comes from a stale replica: ask the
        // other Region next, and keep reading until the settle time is up.
        this.#obstacle = `reads did not show the accepted write (${describeSplit(current)} read in ${this.#lastGetRegion ?? '?'})`;
        this.#readFirst = this.#otherOf(this.#lastGetRegion ?? this.#readFirst);
        await this.#poll(this.#nextWriteAt);
        continue;
      }
      if (this.#accepted >= this.#s.maxWrites) throw this.#writeLimitError(current);
      await this.#writeRound(current);
    }
  }

  /**
   * Reads what the next decision needs: DescribeTrafficDistributionGroup until ACTIVE since the last
   * write, then GetTrafficDistribution. Undefined, after the right wait, when that is not there yet.
   */
  async #look(): Promise<TrafficSplit | undefined> {
    let split: TrafficSplit | undefined;
    let splitRead = false;
    if (!this.#activeSinceWrite) {
      let status: TdgStatus | undefined;
      if (this.#passes === 1) {
        // Nothing is known yet and both are needed: one round trip instead of two.
        [status, split] = await settleBoth(this.#readStatus(), this.#readSplit());
        splitRead = true;
      } else {
        status = await this.#readStatus();
      }
      if (status === undefined) {
        await this.#backOff();
        return undefined;
      }
      if (status !== 'ACTIVE') {
        if (!TRANSIENT_STATUSES.has(status)) throw statusError(this.#stopped(), status);
        // Writing now would only earn a 409; the update in progress may even be ours, already applied.
        this.#obstacle = `the group stayed ${status}`;
        await this.#poll();
        return undefined;
      }
      this.#activeSinceWrite = true;
    }
    if (!splitRead) split = await this.#readSplit();
    if (split === undefined) {
      await this.#backOff();
      return undefined;
    }
    return split;
  }

  #readStatus(): Promise<TdgStatus | undefined> {
    return this.#read((region, observe) => this.#s.api.describe(region, this.#signal, observe));
  }

  async #readSplit(): Promise<TrafficSplit | undefined> {
    let answered: string | undefined;
    const split = await this.#read((region, observe) => {
      answered = region;
      return this.#s.api.get(region, this.#signal, observe);
    });
    if (split !== undefined) this.#lastGetRegion = answered;
    return split;
  }

  /**
   * One write round: to the Region taking the traffic (unless its API is failing), and at once to the
   * other when the first refused it outright (throttled, or never sent). A write that may have been
   * applied, or a 409, ends the round: what happened must be read before anything is sent again.
   */
  async #writeRound(current: TrafficSplit): Promise<void> {
    const first = this.#writeRegion(this.#takingRegion(current));
    for (const region of [first, this.#otherOf(first)]) {
      this.#beforeCall();
      this.#s.beforeWrite();
      this.#writes++;
      this.#lastWriteRegion = region;
      try {
        await this.#s.api.update(region, this.#targetSplit(), this.#signal, this.#observe);
      } catch (err) {
        const error = this.#absorb(err, region);
        if (error.ambiguous) {
          this.#ambiguousVia = region;
          this.#activeSinceWrite = false;
          break;
        }
        if (error.kind === 'conflict') {
          // An update is being applied to the group, whichever Region is asked: wait for ACTIVE.
          this.#activeSinceWrite = false;
          break;
        }
        continue;
      }
      this.#accepted++;
      this.#acceptedVia = region;
      this.#failing.delete(region);
      this.#activeSinceWrite = false;
      this.#readStep = 0;
      this.#pollStep = 0;
      this.#verifying = true;
      this.#nextWriteAt = this.#s.clock.now() + this.#settleMs(this.#accepted);
      return;
    }
    this.#verifying = false;
    this.#writeStep++;
    this.#nextWriteAt = this.#s.clock.now() + fullJitterDelay(this.#writeStep, this.#s.backoff);
  }

  /** Settle time after the `n`-th accepted write: doubling, so a second and third write come ever later. */
  #settleMs(n: number): number {
    return this.#s.writeSettleMs * 2 ** (n - 1);
  }

  /** One read from the preferred Region, else at once from the other; undefined when both failed (retryably). */
  async #read<T>(call: (region: string, observe: (c: ConnectCall) => void) => Promise<T>): Promise<T | undefined> {
    for (const region of this.#readOrder()) {
      this.#beforeCall();
      try {
        const value = await call(region, this.#observe);
        this.#failing.delete(region);
        this.#readFirst = region;
        this.#readStep = 0;
        return value;
      } catch (err) {
        this.#absorb(err, region);
      }
    }
    return undefined;
  }

  #readOrder(): [string, string] {
    const first = this.#readFirst;
    const other = this.#otherOf(first);
    return this.#failing.has(first) && !this.#failing.has(other) ? [other, first] : [first, other];
  }

  /**
   * The Region that should take the write: the one gaining traffic, unless its API just failed with a
   * server, timeout or network error; when both did, alternate.
   */
  #writeRegion(taking: string): string {
    const other = this.#otherOf(taking);
    if (!this.#failing.has(taking)) return taking;
    if (!this.#failing.has(other)) return other;
    return this.#lastWriteRegion === undefined ? taking : this.#otherOf(this.#lastWriteRegion);
  }

  #takingRegion(current: TrafficSplit): string {
    const { primary, replica } = this.#s.api.regions;
    // Whichever part still differs says which way the write moves: telephony first, else the agents.
    const telephonyDiffers = current.telephonyPrimaryPercent !== this.#target;
    const from = telephonyDiffers ? current.telephonyPrimaryPercent : current.agentsPrimaryPercent;
    const to = telephonyDiffers ? this.#target : this.#agentsTarget;
    if (from === undefined) return to < 50 ? replica : primary;
    return to < from ? replica : primary;
  }

  /**
   * Turns a failed call into a decision: rethrows the abort reason and terminal errors, records the rest
   * and returns it for a retry.
   */
  #absorb(err: unknown, region: string): ConnectApiError {
    if (this.#signal.aborted) throw this.#signal.reason;
    if (!(err instanceof ConnectApiError)) throw err;
    if (err.kind === 'client') throw refusedError({ ...this.#stopped(), progress: this.#progress(err) }, err);
    if (err.kind === 'server' || err.kind === 'timeout' || err.kind === 'network') this.#failing.add(region);
    this.#lastError = err;
    this.#obstacle = err.message;
    return err;
  }

  #beforeCall(): void {
    this.#signal.throwIfAborted();
    if (this.#s.clock.now() >= this.#deadline) throw this.#deadlineError();
  }

  /** After a read failed in both Regions: the read backoff, which only a successful call restarts. */
  async #backOff(): Promise<void> {
    this.#readStep++;
    await this.#sleep(fullJitterDelay(this.#readStep, this.#s.backoff), 'reads failed in both Regions', this.#readStep);
  }

  /** Between two status polls; no later than `until` when given. */
  async #poll(until = Number.POSITIVE_INFINITY): Promise<void> {
    this.#pollStep++;
    const ms = fullJitterDelay(this.#pollStep, {
      ...this.#s.backoff,
      capMs: Math.min(this.#s.backoff.capMs, POLL_CAP_MS),
    });
    await this.#sleep(Math.min(ms, until - this.#s.clock.now()), 'polling', this.#pollStep);
  }

  async #sleepUntil(time: number, why: string): Promise<void> {
    const ms = time - this.#s.clock.now();
    if (ms > 0) await this.#sleep(ms, why, this.#writeStep);
  }

  async #sleep(ms: number, why: string, step: number): Promise<void> {
    this.#signal.throwIfAborted();
    const remaining = this.#deadline - this.#s.clock.now();
    if (remaining <= 0) throw this.#deadlineError();
    const waitMs = Math.max(0, Math.min(ms, remaining));
    this.#s.logger.debug(
      { targetPrimaryPercent: this.#target, waitMs, step, why, reason: this.#obstacle },
      'traffic shift waiting',
    );
    await this.#s.clock.sleep(waitMs, this.#signal);
  }

  readonly #observe = (call: ConnectCall): void => {
    this.calls.push(call);
    logCall(this.#s.logger, call, this.#target);
  };

  #matches(split: TrafficSplit): boolean {
    if (split.telephonyPrimaryPercent !== this.#target) return false;
    return !this.#s.shiftAgents || split.agentsPrimaryPercent === this.#agentsTarget;
  }

  #targetSplit(): TrafficSplit {
    return {
      telephonyPrimaryPercent: this.#target,
      agentsPrimaryPercent: this.#s.shiftAgents ? this.#agentsTarget : undefined,
    };
  }

  #otherOf(region: string): string {
    const { primary, replica } = this.#s.api.regions;
    return region === primary ? replica : primary;
  }

  #result(split: TrafficSplit): ShiftResult {
    const wrote = this.#acceptedVia ?? this.#ambiguousVia;
    return {
      outcome: wrote === undefined ? 'alreadyInPlace' : 'verified',
      calls: this.calls,
      writes: this.#writes,
      writtenVia: wrote,
      verifiedAt: this.#s.clock.now(),
      split,
    };
  }

  #progress(lastError: ConnectApiError | undefined) {
    return {
      targetPrimaryPercent: this.#target,
      calls: this.calls,
      lastError,
      attempts: this.#passes,
      writes: this.#writes,
    };
  }

  /** Where the shift stands, for the error that stops it. */
  #stopped(): StoppedShift {
    return {
      target: describeTarget(this.#target, this.#agentsTarget),
      progress: this.#progress(this.#lastError),
      passes: this.#passes,
      writes: this.#writes,
      accepted: this.#accepted,
      lastGetRegion: this.#lastGetRegion,
    };
  }

  #deadlineError(): ShiftError {
    return deadlineError(this.#stopped(), this.#s.deadlineMs, this.#obstacle);
  }

  #writeLimitError(current: TrafficSplit): WriteLimitError {
    let settled = 0;
    for (let n = 1; n <= this.#accepted; n++) settled += this.#settleMs(n);
    return writeLimitError(this.#stopped(), settled, current);
  }
}

/**
 * Both promises' values once both have settled, or the first rejection then: no read of a shift that
 * failed may still be running (and calling Connect) after the shift has ended.
 */
async function settleBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}
