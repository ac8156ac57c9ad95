/**
 * The contract's rules restated as plain imperative code, independent of XState and of policy.ts, so the
 * property tests can tell whether the statechart's wiring (guards, regions, eventless transitions,
 * restore) does what the rules say.
 */
import type { AlarmValue, AutomationState, FailoverPolicy, HealthState } from '../../state-machines/index.ts';

export type ModelCommand =
  | { kind: 'alarm'; key: string; value: AlarmValue; at: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'operator'; command: 'failover' | 'failback' | 'pause' | 'resume'; force: boolean };

export class ReferenceModel {
  health: HealthState = 'healthy';
  automation: AutomationState = 'active';
  now: number;
  private readonly signals = new Map<string, { value: AlarmValue; at: number }>();
  private since: number;
  private okSince: number | null = null;
  private lastShiftAt: number | null = null;
  private automaticShifts: number[] = [];
  private hold = false;

  constructor(private readonly policy: FailoverPolicy, now: number) {
    this.now = now;
    this.since = now;
  }

  apply(cmd: ModelCommand): void {
    if (cmd.kind === 'alarm') {
      const known = [...this.primary(), ...this.policy.signals.replicaUnhealthy].includes(cmd.key);
      const current = this.signals.get(cmd.key);
      // Five minutes of skew are believed; a stored reading beyond them orders nothing.
      const believable = (at: number) => at <= this.now + 5 * 60_000;
      if (known && believable(cmd.at) && (current === undefined || !believable(current.at) || cmd.at > current.at)) {
        this.signals.set(cmd.key, { value: cmd.value, at: cmd.at });
      }
      this.refreshOkSince();
    } else if (cmd.kind === 'advance') {
      this.now += cmd.ms;
      // A step back: no remembered time stays ahead of the clock.
      const back = (t: number) => Math.min(t, this.now);
      this.since = back(this.since);
      this.okSince = this.okSince === null ? null : back(this.okSince);
      this.lastShiftAt = this.lastShiftAt === null ? null : back(this.lastShiftAt);
      this.automaticShifts = this.automaticShifts.map(back);
      this.refreshOkSince();
    } else {
      this.operator(cmd.command, cmd.force);
    }
    this.settle();
  }

  private operator(command: string, force: boolean): void {
    if (command === 'failover') {
      if (this.health === 'failedOver') this.hold = true;
      else if (force || !this.any(this.policy.signals.replicaUnhealthy)) this.shiftTo('failedOver', true);
    } else if (command === 'failback') {
      if (this.health === 'healthy') return;
      const primaryFiring = this.any(this.primary());
      if (!primaryFiring || force) {
        this.shiftTo('healthy', false);
        if (primaryFiring && this.automation === 'active') this.automation = 'paused';
      }
    } else if (command === 'pause') {
      if (this.automation === 'active') this.automation = 'paused';
    } else if (this.automation !== 'active') {
      this.automation = 'active';
      this.automaticShifts = [];
    }
  }

  private settle(): void {
    for (let i = 0; i < 5 && this.automation === 'active'; i++) {
      const target = this.wanted();
      if (target === null) return;
      const away = this.policy.traffic[target] < this.policy.traffic[this.health];
      if (away && this.any(this.policy.signals.replicaUnhealthy)) return;
      const windowStart = this.now - this.policy.timing.maxAutomaticShifts.perMs;
      if (this.automaticShifts.filter((t) => t > windowStart).length >= this.policy.timing.maxAutomaticShifts.count) {
        this.automation = 'suspended';
        return;
      }
      this.shiftTo(target, false);
      this.automaticShifts.push(this.now);
    }
  }

  private wanted(): HealthState | null {
    const { timing } = this.policy;
    if (this.health !== 'failedOver' && this.any(this.policy.signals.critical)) return 'failedOver';
    const degraded = this.any(this.policy.signals.degraded);
    if (this.health === 'healthy') return degraded ? 'degraded' : null;
    if (this.health === 'degraded' && degraded && this.now >= this.since + timing.escalateAfterMs) return 'failedOver';
    if (this.health === 'failedOver' && (this.policy.failback === 'manual' || this.hold)) return null;
    if (this.okSince === null) return null;
    const cooled = this.lastShiftAt === null || this.now >= this.lastShiftAt + timing.cooldownMs;
    return this.now >= this.okSince + timing.recoverAfterMs && cooled ? 'healthy' : null;
  }

  private shiftTo(target: HealthState, hold: boolean): void {
    this.health = target;
    this.since = this.now;
    this.lastShiftAt = this.now;
    this.hold = hold;
  }

  private refreshOkSince(): void {
    const allOk = this.primary().every((k) => this.signals.get(k)?.value === 'OK');
    this.okSince = allOk ? (this.okSince ?? this.now) : null;
  }

  private primary(): string[] {
    return [...this.policy.signals.degraded, ...this.policy.signals.critical];
  }

  private any(keys: string[]): boolean {
    return keys.some((k) => this.signals.get(k)?.value === 'ALARM');
  }
}
