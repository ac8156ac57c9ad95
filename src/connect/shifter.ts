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
 * The loop itself is {@link ShiftRun} (shift-run.ts); this is its front: options, defaults, target
 * checks, the log lines of a whole shift, and the one-off read for start-up and `status`.
 */
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import { ConnectApiError, ShiftError } from './errors.ts';
import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_CAP_MS } from '../backoff.ts';
import type { JitterBackoffOptions } from '../backoff.ts';
import { remedyFor } from './remedy.ts';
import { labelled, logCall, silentLogger } from './shift-logging.ts';
import type { ShiftLogger } from './shift-logging.ts';
import { ShiftRun } from './shift-run.ts';
import type {
  ConnectCall,
  ShiftResult,
  ShiftTarget,
  TdgStatus,
  TrafficApi,
  TrafficControl,
  TrafficSplit,
} from './traffic-port.ts';

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
