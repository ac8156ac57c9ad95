/**
 * The traffic shifter: makes Connect's split match a decided target, idempotently, and verifies it.
 *
 * Retries live here and not in the AWS SDK (whose clients run with `maxAttempts: 1`): a safe retry of
 * UpdateTrafficDistribution needs more than re-sending the same request.
 * - The API has no client token. After an ambiguous failure (5xx, timeout, reset) the write may have
 *   been applied, so the split is read before anything is sent again; the SDK would blindly re-send.
 * - A 409 means an update is still being applied (UPDATE_IN_PROGRESS): the right move is to wait for
 *   ACTIVE and re-read, not to re-send. The SDK does not retry 409 at all.
 * - When one Region's API fails, the call goes to the other Region's endpoint at once, which a
 *   per-client SDK retry cannot do.
 * - The whole shift answers to one deadline and one AbortSignal (a newer decision supersedes it), and
 *   every attempt is logged and returned for the audit trail. SDK retries would hide attempts, multiply
 *   ours, and spend a retry-token budget that runs dry during exactly the long outage we fail over for.
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
import { isCredentialErrorCode } from '../aws/error-codes.ts';
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import { ConnectApiError, ShiftError, UnverifiableSplitError, WriteLimitError } from './errors.ts';
import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_CAP_MS, fullJitterDelay } from '../backoff.ts';
import type { JitterBackoffOptions } from '../backoff.ts';
import type {
  ConnectCall,
  ShiftResult,
  ShiftTarget,
  TdgStatus,
  TrafficApi,
  TrafficControl,
  TrafficSplit,
} from './traffic-port.ts';

/** The logging the shifter needs; a pino logger fits. */
export interface ShiftLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options of {@link TrafficShifter}. */
export interface TrafficShifterOptions {
  /** Connect, for one traffic distribution group in both Regions (`ConnectTrafficApi`). */
  api: TrafficApi;
  /** Move AgentConfig together with TelephonyConfig (and verify it). Default true. */
  shiftAgents?: boolean;
  /** Time for backoff, deadlines and timestamps. Default the system clock. */
  clock?: Clock;
  /**
   * The one formula behind the shift's three waits (reads failing in both Regions, the spacing of writes,
   * status polls, the last capped at 5 s): full jitter, base 200 ms, cap 20 s, `Math.random`.
   */
  backoff?: JitterBackoffOptions;
  /** Longest a shift keeps trying before it fails with a retryable ShiftError, in ms. Default 120000. */
  deadlineMs?: number;
  /**
   * After Connect accepts a write, how long only reads may confirm it before the shift writes again, in
   * ms; doubles with each further accepted write. Reads that lag or come from a stale replica are
   * waited out for this long instead of being answered with another write. Default 10000.
   */
  writeSettleMs?: number;
  /**
   * Most writes Connect may accept in one shift. When none of them shows in a read within its settle
   * time, the shift fails with a retryable `WriteLimitError` instead of writing again. Default 3.
   */
  maxWrites?: number;
  /** Default: no logging. */
  logger?: ShiftLogger;
  /**
   * Called right before every UpdateTrafficDistribution; throwing stops the shift with that error and
   * nothing is sent. The leader's lease check lives here: a controller that cannot be sure it still holds
   * the lease must write nothing.
   */
  beforeWrite?: () => void;
}

/** The split and status as one Region reported them. */
export interface TrafficReading {
  split: TrafficSplit;
  status: TdgStatus;
  /** The Region that answered. */
  region: string;
  calls: ConnectCall[];
}

const DEFAULT_DEADLINE_MS = 120_000;
const DEFAULT_WRITE_SETTLE_MS = 10_000;
const DEFAULT_MAX_WRITES = 3;
/**
 * Ceiling of the wait between two status polls. The read backoff's cap (20 s) is for failing APIs; a
 * group that answers UPDATE_IN_PROGRESS is healthy, and every second it sits ACTIVE unnoticed is a
 * second more to a verified split.
 */
const POLL_CAP_MS = 5000;

/** Statuses that pass on their own: wait for ACTIVE. Every other non-ACTIVE status needs a person. */
const TRANSIENT_STATUSES: ReadonlySet<TdgStatus> = new Set(['UPDATE_IN_PROGRESS', 'CREATION_IN_PROGRESS']);

const silentLogger: ShiftLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Shifts Connect's traffic split to a target and verifies it. One shift at a time: the caller aborts a
 * superseded shift and awaits its rejection before starting the next, so no write of an old split can
 * be sent late.
 */
export class TrafficShifter implements TrafficControl {
  readonly #api: TrafficApi;
  readonly #shiftAgents: boolean;
  readonly #clock: Clock;
  readonly #backoff: Required<JitterBackoffOptions>;
  readonly #deadlineMs: number;
  readonly #writeSettleMs: number;
  readonly #maxWrites: number;
  readonly #beforeWrite: () => void;
  readonly #logger: ShiftLogger;

  constructor(options: TrafficShifterOptions) {
    const baseMs = options.backoff?.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
    const capMs = options.backoff?.capMs ?? DEFAULT_BACKOFF_CAP_MS;
    const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    if (!(Number.isFinite(baseMs) && baseMs > 0)) throw new RangeError(`backoff.baseMs must be > 0, got ${baseMs}`);
    if (!(Number.isFinite(capMs) && capMs >= baseMs))
      throw new RangeError(`backoff.capMs must be ≥ backoff.baseMs (${baseMs}), got ${capMs}`);
    if (!(Number.isFinite(deadlineMs) && deadlineMs > 0))
      throw new RangeError(`deadlineMs must be > 0, got ${deadlineMs}`);
    const writeSettleMs = options.writeSettleMs ?? DEFAULT_WRITE_SETTLE_MS;
    const maxWrites = options.maxWrites ?? DEFAULT_MAX_WRITES;
    if (!(Number.isFinite(writeSettleMs) && writeSettleMs >= 0))
      throw new RangeError(`writeSettleMs must be ≥ 0, got ${writeSettleMs}`);
    if (!(Number.isInteger(maxWrites) && maxWrites >= 1))
      throw new RangeError(`maxWrites must be a whole number ≥ 1, got ${maxWrites}`);
    this.#api = options.api;
    this.#shiftAgents = options.shiftAgents ?? true;
    this.#clock = options.clock ?? systemClock;
    this.#backoff = { baseMs, capMs, random: options.backoff?.random ?? Math.random };
    this.#deadlineMs = deadlineMs;
    this.#writeSettleMs = writeSettleMs;
    this.#maxWrites = maxWrites;
    this.#logger = options.logger ?? silentLogger;
    this.#beforeWrite = options.beforeWrite ?? (() => undefined);
  }

  /**
   * Makes the telephony split (and the agents split, with `shiftAgents`) the target on the primary, then
   * verifies it: GetTrafficDistribution shows it and the group is ACTIVE. A number is one percent for
   * both; a {@link ShiftTarget} gives the agents their own (a failback step with `traffic.agentsLead`).
   *
   * @returns `verified` when this shift wrote, `alreadyInPlace` when no write was needed.
   * @throws ShiftError retryable when the deadline passed; terminal (with the remedy in its message) when
   *   Connect refused the call for a reason someone must fix, or a target percent is not 0–100 in steps of 10.
   * @throws WriteLimitError (retryable) when `maxWrites` accepted writes never showed in a read.
   * @throws UnverifiableSplitError (terminal) when reads lack AgentConfig although agents are shifted.
   * @throws the signal's reason when `signal` aborts; no request is started after that.
   */
  async shift(
    target: number | ShiftTarget,
    signal: AbortSignal,
    labels?: Record<string, unknown>,
  ): Promise<ShiftResult> {
    // Every line of this shift, its Connect calls included, carries the labels (the decision behind it).
    const logger = labels ? labelled(this.#logger, labels) : this.#logger;
    const targetPrimaryPercent = typeof target === 'number' ? target : target.telephonyPrimaryPercent;
    const agentsPrimaryPercent = typeof target === 'number' ? target : target.agentsPrimaryPercent;
    for (const [what, percent] of [
      ['target', targetPrimaryPercent],
      ['agents target', agentsPrimaryPercent],
    ] as const) {
      if (!(Number.isInteger(percent) && percent >= 0 && percent <= 100 && percent % 10 === 0)) {
        throw new ShiftError(`${what} ${percent} is not a percent from 0 to 100 in steps of 10`, {
          retryable: false,
          targetPrimaryPercent,
          calls: [],
          attempts: 0,
          writes: 0,
        });
      }
    }
    const run = new ShiftRun(
      {
        api: this.#api,
        shiftAgents: this.#shiftAgents,
        clock: this.#clock,
        backoff: this.#backoff,
        deadlineMs: this.#deadlineMs,
        writeSettleMs: this.#writeSettleMs,
        maxWrites: this.#maxWrites,
        logger,
        beforeWrite: this.#beforeWrite,
      },
      targetPrimaryPercent,
      // Agents not shifted: their split is neither written nor checked, whatever the target says.
      this.#shiftAgents ? agentsPrimaryPercent : targetPrimaryPercent,
      signal,
    );
    const leads = this.#shiftAgents && agentsPrimaryPercent !== targetPrimaryPercent;
    const context = {
      targetPrimaryPercent,
      ...(leads ? { targetAgentsPrimaryPercent: agentsPrimaryPercent } : {}),
      shiftAgents: this.#shiftAgents,
    };
    logger.debug(context, 'traffic shift started');
    try {
      const result = await run.run();
      // The controller logs the one line per verified shift (with its decision); this is the detail.
      logger.debug(
        {
          ...context,
          outcome: result.outcome,
          writes: result.writes,
          writtenVia: result.writtenVia,
          calls: result.calls.length,
        },
        `traffic shift ${result.outcome}`,
      );
      return result;
    } catch (err) {
      if (signal.aborted && err === signal.reason) {
        logger.info({ ...context, calls: run.calls.length }, 'traffic shift aborted');
      } else if (err instanceof ShiftError) {
        logger.error(
          { ...context, retryable: err.retryable, attempts: err.attempts, writes: err.writes, err: err.message },
          'traffic shift failed',
        );
      }
      throw err;
    }
  }

  /**
   * The current split and status, from the first Region that answers, primary first: for start-up
   * reconciliation and `status`. One try per Region, no backoff.
   *
   * @throws ShiftError when neither Region answered (retryable unless every failure needs a fix).
   * @throws the signal's reason when `signal` aborts.
   */
  async read(signal: AbortSignal): Promise<TrafficReading> {
    const calls: ConnectCall[] = [];
    const observe = (call: ConnectCall) => {
      calls.push(call);
      logCall(this.#logger, call, undefined);
    };
    const errors: ConnectApiError[] = [];
    for (const region of [this.#api.regions.primary, this.#api.regions.replica]) {
      signal.throwIfAborted();
      try {
        const split = await this.#api.get(region, signal, observe);
        const status = await this.#api.describe(region, signal, observe);
        return { split, status, region, calls };
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (!(err instanceof ConnectApiError)) throw err;
        errors.push(err);
      }
    }
    const problems = errors.map((e) => (e.kind === 'client' ? `${e.message} (fix: ${remedyFor(e)})` : e.message));
    throw new ShiftError(`could not read the traffic split from either Region: ${problems.join('; ')}`, {
      retryable: errors.every((e) => e.retryable),
      calls,
      lastError: errors.at(-1),
      attempts: errors.length,
      writes: 0,
    });
  }
}

/**
 * What to fix when Connect refuses a call for good. Pure; exported for tests and for `preflight`.
 */
export function remedyFor(error: ConnectApiError): string {
  const bareId = !error.tdgId.startsWith('arn:');
  if (error.status === 404 || error.code === 'ResourceNotFoundException') {
    if (bareId) {
      return (
        `the group was addressed by its bare id ${error.tdgId}, which resolves only in its home Region; ` +
        `set trafficDistributionGroup to its ARN (arn:aws:connect:<home Region>:<account>:traffic-distribution-group/${error.tdgId})`
      );
    }
    return (
      `check that the traffic distribution group ${error.tdgId} exists, that regions names its two Regions, ` +
      'and that the credentials belong to its account'
    );
  }
  if (isCredentialErrorCode(error.code)) {
    return 'the AWS credentials are missing or not accepted: configure the SDK default chain (environment, profile or role)';
  }
  if (error.status === 403 || /AccessDenied/i.test(error.code)) {
    return (
      `the controller's IAM identity may not call connect:${error.operation}: allow connect:UpdateTrafficDistribution, ` +
      `connect:GetTrafficDistribution and connect:DescribeTrafficDistributionGroup on ${error.tdgId} (the group's ARN in its home Region)`
    );
  }
  if (error.status === 400 || error.code === 'InvalidRequestException') {
    return "check that regions names the group's two Regions, that traffic percents are 0–100 in steps of 10, and that the group is ACTIVE";
  }
  return 'Connect refused the request; fix the cause in the message before shifting again';
}

interface RunSettings {
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
class ShiftRun {
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
        throw this.#agentsMissingError(current);
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
        if (!TRANSIENT_STATUSES.has(status)) throw this.#statusError(status);
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
    if (err.kind === 'client') {
      throw new ShiftError(`shift to ${this.#targetText()} stopped: ${err.message}. Fix: ${remedyFor(err)}`, {
        retryable: false,
        ...this.#progress(err),
      });
    }
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

  /** `40% primary`, or `40% primary (agents 50%)` when the agents lead. */
  #targetText(): string {
    return this.#agentsTarget === this.#target
      ? `${this.#target}% primary`
      : `${this.#target}% primary (agents ${this.#agentsTarget}%)`;
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

  #deadlineError(): ShiftError {
    return new ShiftError(
      `shift to ${this.#targetText()} not verified within ${this.#s.deadlineMs} ms ` +
        `(${this.#passes} passes, ${this.#writes} writes, ${this.#accepted} accepted); last problem: ${this.#obstacle}`,
      { retryable: true, ...this.#progress(this.#lastError) },
    );
  }

  #writeLimitError(current: TrafficSplit): WriteLimitError {
    let settled = 0;
    for (let n = 1; n <= this.#accepted; n++) settled += this.#settleMs(n);
    return new WriteLimitError(
      `shift to ${this.#targetText()} stopped after ${this.#accepted} accepted writes: no read showed the target ` +
        `within the settle time after each (${settled} ms in all; the last read, in ${this.#lastGetRegion ?? '?'}, ` +
        `showed ${describeSplit(current)}). Reads may lag behind writes or answer from a stale replica, or another ` +
        'writer may be changing the split; not writing again in this shift, so as not to storm Connect with writes',
      { ...this.#progress(this.#lastError), acceptedWrites: this.#accepted },
    );
  }

  #agentsMissingError(current: TrafficSplit): UnverifiableSplitError {
    const region = this.#lastGetRegion ?? '?';
    return new UnverifiableSplitError(
      `shift to ${this.#targetText()} not verifiable: GetTrafficDistribution in ${region} answers without AgentConfig ` +
        `although traffic.shiftAgents is true, so the agents split cannot be confirmed (telephony shows ` +
        `${current.telephonyPrimaryPercent}% primary after ${this.#accepted} accepted write${this.#accepted === 1 ? '' : 's'}). ` +
        'Writing again would not change that. Fix: check that the group distributes agents (AgentConfig), or set ' +
        'traffic.shiftAgents: false to shift and verify telephony alone',
      { ...this.#progress(this.#lastError), missing: 'AgentConfig', region },
    );
  }

  #statusError(status: TdgStatus): ShiftError {
    return new ShiftError(
      `shift to ${this.#targetText()} stopped: the traffic distribution group is ${status}; ` +
        'updates need ACTIVE. Fix the group (or the config) before shifting again',
      { retryable: false, ...this.#progress(this.#lastError) },
    );
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

function describeSplit(split: TrafficSplit): string {
  const agents = split.agentsPrimaryPercent === undefined ? 'no AgentConfig' : `agents ${split.agentsPrimaryPercent}%`;
  return `telephony ${split.telephonyPrimaryPercent}% primary, ${agents}`;
}

/** A logger that adds `labels` to every line (a pino child without needing pino). */
function labelled(logger: ShiftLogger, labels: Record<string, unknown>): ShiftLogger {
  return {
    debug: (obj, msg) => logger.debug({ ...labels, ...obj }, msg),
    info: (obj, msg) => logger.info({ ...labels, ...obj }, msg),
    warn: (obj, msg) => logger.warn({ ...labels, ...obj }, msg),
    error: (obj, msg) => logger.error({ ...labels, ...obj }, msg),
  };
}

/** One log line per Connect call: Region, operation, split, outcome. Never credentials. */
function logCall(logger: ShiftLogger, call: ConnectCall, targetPrimaryPercent: number | undefined): void {
  const outcome = call.error ?? 'ok';
  const fields = {
    operation: call.operation,
    awsRegion: call.region,
    split: call.split,
    targetPrimaryPercent,
    status: call.status,
    error: call.error,
    durationMs: call.durationMs,
  };
  const msg = `${call.operation} in ${call.region}: ${outcome}`;
  if (call.error !== undefined) logger.warn(fields, msg);
  else if (call.operation === 'UpdateTrafficDistribution') logger.info(fields, msg);
  else logger.debug(fields, msg);
}
