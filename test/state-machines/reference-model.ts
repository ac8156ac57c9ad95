/**
 * The contract's rules restated as plain imperative code, independent of XState and of policy.ts, so the
 * property tests can tell whether the statechart's wiring (guards, regions, eventless transitions,
 * restore) does what the rules say.
 */
import type { AlarmValue, AutomationState, FailoverPolicy, HealthState } from '../../state-machines/index.ts';

export type ModelCommand =
  | { kind: 'alarm'; key: string; value: AlarmValue; at: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'operator'; command: 'failover' | 'failback' | 'pause' | 'resume'; force: boolean; now?: boolean }
  | { kind: 'hand'; primaryPercent: number }
  /** The reconciler verified Connect at this split. */
  | { kind: 'verify'; primaryPercent: number; agentsPrimaryPercent: number };

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
  /** While failingBack: the index into the failback steps, when it was entered and when its shift was verified. */
  step: number | null = null;
  private stepSince = 0;
  private stepVerifiedAt: number | null = null;
  private readonly steps: number[];
  private readonly stepHoldMs: number;

  constructor(
    private readonly policy: FailoverPolicy,
    now: number,
  ) {
    this.now = now;
    this.since = now;
    // Behaviour 12 as the contract says it: one step (healthy) unless configured; a 2 minute hold.
    this.steps = [...(policy.traffic.failbackSteps ?? [policy.traffic.healthy])];
    this.stepHoldMs = policy.timing.failbackStepHoldMs ?? 2 * 60_000;
  }

  /** The telephony percent the primary should take now. */
  get primaryPercent(): number {
    return this.percentOf(this.health);
  }

  /** The agents' percent: ahead by agentsLead during a failback step, never past healthy; else with telephony. */
  get agentsPrimaryPercent(): number {
    const telephony = this.primaryPercent;
    if (this.health !== 'failingBack') return telephony;
    return Math.min(telephony + (this.policy.traffic.agentsLead ?? 0), this.policy.traffic.healthy);
  }

  private percentOf(health: HealthState): number {
    if (health === 'failingBack') return this.steps[this.step ?? 0]!;
    return this.policy.traffic[health];
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
      this.stepSince = back(this.stepSince);
      this.stepVerifiedAt = this.stepVerifiedAt === null ? null : back(this.stepVerifiedAt);
      this.refreshOkSince();
    } else if (cmd.kind === 'verify') {
      // A step's hold starts when its own split (telephony and agents) is verified, once.
      const ours = cmd.primaryPercent === this.primaryPercent && cmd.agentsPrimaryPercent === this.agentsPrimaryPercent;
      if (this.health === 'failingBack' && this.stepVerifiedAt === null && ours) this.stepVerifiedAt = this.now;
    } else if (cmd.kind === 'hand') {
      // Someone set the split by hand: a state with that split is adopted (during a failback, another step
      // is that step), and automation pauses.
      const { traffic } = this.policy;
      const step = this.health === 'failingBack' ? this.steps.slice(0, -1).indexOf(cmd.primaryPercent) : -1;
      const adopted = (['healthy', 'degraded', 'failedOver'] as const).find((h) => traffic[h] === cmd.primaryPercent);
      if (cmd.primaryPercent !== this.primaryPercent) {
        // Connect was read at that step's split: it is in place, verified.
        if (step !== -1) this.enterStep(step, true);
        else if (adopted) this.shiftTo(adopted, adopted === 'failedOver');
      }
      if (this.automation === 'active') this.automation = 'paused';
    } else {
      this.operator(cmd.command, cmd.force, cmd.now ?? false);
    }
    this.settle();
  }

  private operator(command: string, force: boolean, now: boolean): void {
    if (command === 'failover') {
      if (this.health === 'failedOver') this.hold = true;
      else if (force || !this.any(this.policy.signals.replicaUnhealthy)) this.shiftTo('failedOver', true);
    } else if (command === 'failback') {
      if (this.health === 'healthy') return;
      const staged = this.steps.length > 1;
      // During a failback only --now moves traffic; the steps go on otherwise.
      if (this.health === 'failingBack' && !now && staged) return;
      const primaryFiring = this.any(this.primary());
      if (!primaryFiring && this.health === 'failedOver' && staged && !now) {
        this.shiftTo('failingBack', false);
      } else if (!primaryFiring || force) {
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
      if (this.stepHeld()) {
        // The next step of a failback under way: not a new automatic shift (no limit, no cooldown).
        if (this.step! + 1 >= this.steps.length - 1) this.shiftTo('healthy', false);
        else this.enterStep(this.step! + 1);
        this.lastShiftAt = this.now;
        continue;
      }
      const target = this.wanted();
      if (target === null) return;
      const away = (target === 'failingBack' ? this.steps[0]! : this.policy.traffic[target]) < this.primaryPercent;
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

  /**
   * Failing back, every primary signal OK, and the step held for failbackStepHold since its shift was
   * verified (or since all OK, if later).
   */
  private stepHeld(): boolean {
    if (this.health !== 'failingBack' || this.okSince === null || this.stepVerifiedAt === null) return false;
    return this.now >= Math.max(this.stepVerifiedAt, this.okSince) + this.stepHoldMs;
  }

  private wanted(): HealthState | null {
    const { timing } = this.policy;
    // On probation during a failback: any primary signal in ALARM sends traffic back to the replica.
    if (this.health === 'failingBack') return this.any(this.primary()) ? 'failedOver' : null;
    if (this.health !== 'failedOver' && this.any(this.policy.signals.critical)) return 'failedOver';
    const degraded = this.any(this.policy.signals.degraded);
    if (this.health === 'healthy') return degraded ? 'degraded' : null;
    if (this.health === 'degraded' && degraded && this.now >= this.since + timing.escalateAfterMs) return 'failedOver';
    if (this.health === 'failedOver' && (this.policy.failback === 'manual' || this.hold)) return null;
    if (this.okSince === null) return null;
    const cooled = this.lastShiftAt === null || this.now >= this.lastShiftAt + timing.cooldownMs;
    if (!(this.now >= this.okSince + timing.recoverAfterMs && cooled)) return null;
    return this.health === 'failedOver' && this.steps.length > 1 ? 'failingBack' : 'healthy';
  }

  private shiftTo(target: HealthState, hold: boolean): void {
    this.health = target;
    this.since = this.now;
    this.lastShiftAt = this.now;
    this.hold = hold;
    this.step = null;
    if (target === 'failingBack') this.enterStep(0);
  }

  private enterStep(index: number, verified = false): void {
    this.health = 'failingBack';
    this.step = index;
    this.stepSince = this.now;
    this.stepVerifiedAt = verified ? this.now : null;
    this.lastShiftAt = this.now;
    this.hold = false;
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
