/**
 * Runs the real controller (`runController`) in this process and observes it through its hooks, so a
 * benchmark can wait for "message applied" or "shift verified" without polling.
 */
import { Writable } from 'node:stream';
import type { Decision } from '../../state-machines/index.ts';
import type { Config } from '../../src/config/types.ts';
import type { MessageOutcome } from '../../src/controller/controller.ts';
import type { ReconcileOutcome } from '../../src/controller/reconciler.ts';
import { runController } from '../../src/app/run-controller.ts';
import { createLogger } from '../../src/observability/logger.ts';
import type { Logger } from '../../src/observability/logger.ts';
import type { StateStore } from '../../src/store/store.ts';

/** Counts of what the controller reported through its hooks; waiters are checked after every report. */
export class Observed {
  readonly outcomes = new Map<MessageOutcome, number>();
  messages = 0;
  readonly shifts: ReconcileOutcome[] = [];
  /** `Date.now()` when each entry of `shifts` was reported. */
  readonly shiftTimes: number[] = [];
  readonly decisions: Decision[] = [];
  /** Alarm events confirmed with DescribeAlarms before a shift, by outcome (behaviour 13). */
  readonly confirmations = new Map<string, number>();
  /** `Date.now()` when the latest message was classified. */
  lastMessageAt = 0;
  #waiters = new Set<{ check: () => boolean; resolve: () => void }>();

  count(outcome: MessageOutcome): number {
    return this.outcomes.get(outcome) ?? 0;
  }

  /** Shifts verified so far (all targets). */
  get verified(): number {
    return this.shifts.filter((s) => s.kind === 'verified').length;
  }

  message(outcome: MessageOutcome): void {
    this.lastMessageAt = Date.now();
    this.messages += 1;
    this.outcomes.set(outcome, this.count(outcome) + 1);
    this.#notify();
  }

  shift(outcome: ReconcileOutcome): void {
    this.shifts.push(outcome);
    this.shiftTimes.push(Date.now());
    this.#notify();
  }

  confirmation(outcome: string): void {
    this.confirmations.set(outcome, (this.confirmations.get(outcome) ?? 0) + 1);
    this.#notify();
  }

  decision(d: Decision): void {
    this.decisions.push(d);
    this.#notify();
  }

  /** Resolves once `check` holds (checked now and after each report); rejects after `timeoutMs`. */
  until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`benchmark timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Re-checks the waiters (for reports that are not counted here). */
  notify(): void {
    this.#notify();
  }

  #notify(): void {
    for (const w of [...this.#waiters]) {
      if (!w.check()) continue;
      this.#waiters.delete(w);
      w.resolve();
    }
  }
}

/** A pino logger (default level `info`, the production default) whose lines are serialised and then dropped. */
export function discardingLogger(level = 'info'): Logger {
  return createLogger({
    level,
    destination: new Writable({
      write(_chunk, _encoding, done) {
        done();
      },
    }),
  });
}

export interface ControllerRun {
  observed: Observed;
  /** Stops the controller as SIGTERM would and waits for its clean shutdown. */
  stop(): Promise<void>;
}

/** Starts the controller and resolves once it is receiving (its `ready` hook). */
export async function startController(options: {
  config: Config;
  waitTimeSeconds?: number;
  store?: StateStore;
  logger?: Logger;
  /**
   * Confirm alarm events with DescribeAlarms before a shift (behaviour 13). Default false: most benchmarks
   * send synthetic alarm events the CloudWatch simulator never saw, and confirming them would dispute
   * every one. A benchmark that sets the simulator's state for each event it sends can turn it on.
   */
  confirmAlarms?: boolean;
}): Promise<ControllerRun> {
  const observed = new Observed();
  const abort = new AbortController();
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  let signalsKnown = 0;
  const done = runController({
    config: options.config,
    logger: options.logger ?? discardingLogger(),
    signal: abort.signal,
    waitTimeSeconds: options.waitTimeSeconds ?? 20,
    confirmAlarms: options.confirmAlarms ?? false,
    alarmPollMs: 0,
    ...(options.store ? { store: options.store } : {}),
    hooks: {
      message: (outcome) => observed.message(outcome),
      shift: (outcome) => observed.shift(outcome),
      decision: (d) => observed.decision(d),
      confirmation: (outcome) => observed.confirmation(outcome),
      state: (snapshot) => {
        signalsKnown = Object.keys(snapshot.context.signals).length;
        observed.notify();
      },
      ready: () => ready(),
    },
  });
  await Promise.race([
    isReady,
    done.then(() => Promise.reject(new Error('the controller stopped before it was ready'))),
  ]);
  // The alarms' first DescribeAlarms read runs beside the receive loop; a benchmark's stream of duplicates
  // and stale events is defined against it, so it starts once that read is applied.
  const configured = Object.values(options.config.signals).flat().length;
  await observed.until(() => signalsKnown >= configured, 'the first alarm read applied', 30_000);
  return {
    observed,
    async stop() {
      abort.abort(new Error('benchmark stop'));
      await done;
    },
  };
}
