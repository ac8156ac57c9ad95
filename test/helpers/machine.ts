/** Fixtures for statechart tests: a policy like the contract's example, and a pure driver over `transition`. */
import { initialTransition, transition } from 'xstate';
import { createFailoverMachine, statesOf } from '../../state-machines/index.ts';
import type { FailoverEvent, FailoverPolicy, FailoverSnapshot } from '../../state-machines/index.ts';

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;

/** One alarm per role, the contract's example timings. */
export function examplePolicy(overrides: Partial<FailoverPolicy> = {}): FailoverPolicy {
  return {
    signals: { degraded: ['deg'], critical: ['crit'], replicaUnhealthy: ['rep'] },
    traffic: { healthy: 100, degraded: 50, failedOver: 0 },
    timing: {
      escalateAfterMs: 5 * MINUTE,
      recoverAfterMs: 10 * MINUTE,
      cooldownMs: 2 * MINUTE,
      maxAutomaticShifts: { count: 4, perMs: 60 * MINUTE },
    },
    failback: 'manual',
    ...overrides,
  };
}

/**
 * Steps the machine with the pure `transition` function and records every `requestShift` effect,
 * holding its own simulated clock so tests never wait. It plays the reconciler too: with `verify:
 * 'instant'` (the default) each requested split is verified at once (`shift.verified`), as a shift that
 * settles within the same instant; with `'manual'` nothing is verified until the test calls `verify()`.
 */
export class MachineDriver {
  readonly machine;
  snapshot: FailoverSnapshot;
  now: number;
  /** Primary percentages requested by `requestShift`, in order (the initial healthy one included). */
  readonly shifts: number[] = [];
  /** The agents' percentages of the same requests (equal to `shifts` unless agents lead a failback step). */
  readonly agentShifts: number[] = [];
  private alarmClock = 1;

  /** The split of the last `requestShift`, verified or not. */
  requested: { primaryPercent: number; agentsPrimaryPercent: number } | undefined;

  constructor(
    readonly policy: FailoverPolicy,
    start = 1_000_000,
    readonly verifyMode: 'instant' | 'manual' = 'instant',
  ) {
    this.machine = createFailoverMachine(policy);
    this.now = start;
    const [snapshot, actions] = initialTransition(this.machine, { now: start });
    this.snapshot = snapshot;
    this.record(actions);
  }

  send(event: FailoverEvent): this {
    const [next, actions] = transition(this.machine, this.snapshot, event);
    this.snapshot = next;
    const requested = this.record(actions);
    if (requested && this.verifyMode === 'instant') this.verify();
    return this;
  }

  /** The reconciler reports Connect verified at `split` (default: the last requested split), now. */
  verify(split = this.requested): this {
    if (split === undefined) return this;
    return this.send({ type: 'shift.verified', ...split, at: this.now, now: this.now });
  }

  /** An alarm change stamped with a fresh, increasing alarm-state timestamp. */
  alarm(alarm: string, value: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', at = this.alarmClock++): this {
    return this.send({ type: 'alarm.changed', alarm, value, at, now: this.now });
  }

  /** Every configured alarm OK, as start-up reconciliation would report. */
  allOk(): this {
    const { degraded, critical, replicaUnhealthy } = this.policy.signals;
    const at = this.alarmClock++;
    const alarms = [...degraded, ...critical, ...replicaUnhealthy].map((alarm) => ({
      alarm,
      value: 'OK' as const,
      at,
    }));
    return this.send({ type: 'alarms.observed', alarms, now: this.now });
  }

  advance(ms: number): this {
    this.now += ms;
    return this.send({ type: 'clock.ticked', now: this.now });
  }

  /** `now`: a failback straight to healthy (the command's `now`, the event's `immediate`). */
  operator(
    command: 'failover' | 'failback' | 'pause' | 'resume',
    options: { force?: boolean; reason?: string; now?: boolean } = {},
  ): this {
    const base = { reason: options.reason ?? `test ${command}`, by: 'tester', now: this.now };
    switch (command) {
      case 'failover':
        return this.send({ type: 'operator.failoverRequested', force: options.force ?? false, ...base });
      case 'failback':
        return this.send({
          type: 'operator.failbackRequested',
          force: options.force ?? false,
          immediate: options.now ?? false,
          ...base,
        });
      case 'pause':
        return this.send({ type: 'operator.pauseRequested', ...base });
      case 'resume':
        return this.send({ type: 'operator.resumeRequested', ...base });
    }
  }

  get health() {
    return statesOf(this.snapshot).health;
  }

  get automation() {
    return statesOf(this.snapshot).automation;
  }

  get lastDecision() {
    return this.snapshot.context.decisions.at(-1);
  }

  /** True when the actions requested a shift. */
  private record(actions: ReadonlyArray<{ type: string; params?: unknown }>): boolean {
    let requested = false;
    for (const action of actions) {
      if (action.type !== 'requestShift') continue;
      const { primaryPercent, agentsPrimaryPercent } = action.params as Record<
        'primaryPercent' | 'agentsPrimaryPercent',
        number
      >;
      this.shifts.push(primaryPercent);
      this.agentShifts.push(agentsPrimaryPercent);
      this.requested = { primaryPercent, agentsPrimaryPercent };
      requested = true;
    }
    return requested;
  }
}
