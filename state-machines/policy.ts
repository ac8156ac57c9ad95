/**
 * The rules of the contract as pure functions of (policy, context, state). The machine's guards call these,
 * and so do status and the controller's scheduler, so there is one definition of "due", "blocked" and "next".
 */
import type { AutomationState, FailoverContext, FailoverPolicy, HealthState, SignalReading } from './types.ts';

/** A shift the rules want, before the automation gates (paused, suspended, replica, limit) are applied. */
export interface WantedShift {
  to: HealthState;
  reason: string;
  alarms: string[];
  /**
   * The next step of a failback under way (to the next step, or from the last one to healthy). It carries
   * out a failback already decided, so it is not a new automatic shift: neither the shift limit nor the
   * cooldown applies, only `failbackStepHold` and the pause.
   */
  step?: true;
}

/** `timing.failbackStepHold` when the policy does not say. */
export const DEFAULT_FAILBACK_STEP_HOLD_MS = 2 * 60_000;

/** Why a wanted shift is not happening now. */
export interface Blocked {
  wanted: WantedShift;
  /** `waiting` resolves by itself at `until`; the others need a signal or an operator. */
  kind: 'paused' | 'suspended' | 'replicaUnhealthy' | 'shiftLimit' | 'waiting';
  message: string;
  until?: number;
}

/**
 * How far an alarm-state timestamp may be ahead of the controller's clock and still be believed. CloudWatch
 * stamps transitions with its own clock; a few seconds of skew are normal, a date years ahead is a bug or
 * a forgery, and believing it would make every real transition after it look stale.
 */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/** What to do with an alarm reading stamped `at`, given the last one applied for that alarm, at `now`. */
export type ReadingVerdict = 'applied' | 'duplicate' | 'stale' | 'future';

/**
 * At-least-once delivery: only a strictly newer alarm-state timestamp is applied. A reading dated beyond
 * the skew tolerance is refused; a stored reading dated beyond it (saved before this rule, or before the
 * clock stepped back) is not trusted to order anything, so any believable reading replaces it.
 */
export function readingVerdict(current: SignalReading | undefined, at: number, now: number): ReadingVerdict {
  if (at > now + MAX_FUTURE_SKEW_MS) return 'future';
  if (current === undefined || current.at > now + MAX_FUTURE_SKEW_MS || at > current.at) return 'applied';
  return at === current.at ? 'duplicate' : 'stale';
}

/** Keys of the alarms of `keys` that are in ALARM now. */
export function firing(keys: readonly string[], signals: Readonly<Record<string, SignalReading>>): string[] {
  return keys.filter((key) => signals[key]?.value === 'ALARM');
}

/** True when every degraded and critical alarm is known and OK. INSUFFICIENT_DATA or unknown holds recovery back. */
export function primaryAllOk(policy: FailoverPolicy, signals: Readonly<Record<string, SignalReading>>): boolean {
  return primaryKeys(policy).every((key) => signals[key]?.value === 'OK');
}

export function primaryKeys(policy: FailoverPolicy): string[] {
  return [...policy.signals.degraded, ...policy.signals.critical];
}

/** The primary percentages of a return from failedOver; the last is `traffic.healthy`. */
export function failbackSteps(policy: FailoverPolicy): readonly number[] {
  const steps = policy.traffic.failbackSteps;
  return steps !== undefined && steps.length > 0 ? steps : [policy.traffic.healthy];
}

/** True when a return from failedOver passes through `failingBack` (there is a step before healthy). */
export function stagedFailback(policy: FailoverPolicy): boolean {
  return failbackSteps(policy).length > 1;
}

export function failbackStepHoldMs(policy: FailoverPolicy): number {
  return policy.timing.failbackStepHoldMs ?? DEFAULT_FAILBACK_STEP_HOLD_MS;
}

/**
 * The step `failingBack` is at: the context's, else the first. A snapshot restored under a config with
 * fewer steps is clamped to the last intermediate one (or to healthy's percent when none is left), so
 * the return goes on from there instead of failing.
 */
export function failbackStepIndex(
  policy: FailoverPolicy,
  ctx: Pick<FailoverContext, 'failbackStep'> | undefined,
): number {
  const index = ctx?.failbackStep?.index ?? 0;
  return Math.max(0, Math.min(index, failbackSteps(policy).length - 2));
}

/**
 * The percent of telephony traffic the primary should take in `state`; for `failingBack`, at the step in
 * `ctx` (its first step without one).
 */
export function primaryPercentFor(
  policy: FailoverPolicy,
  state: HealthState,
  ctx?: Pick<FailoverContext, 'failbackStep'>,
): number {
  if (state !== 'failingBack') return policy.traffic[state];
  return failbackSteps(policy)[failbackStepIndex(policy, ctx)] ?? policy.traffic.healthy;
}

/**
 * The percent of agents the primary should take in `state`. Agents move with telephony, except on the way
 * back: at each failback step they lead by `traffic.agentsLead` points (capped at `traffic.healthy`), so
 * agents are signed in to the primary before its calls come (an agent moves only after finishing the
 * contact in hand, so agent capacity trails the AgentConfig change while calls follow TelephonyConfig at
 * once). On the way out they never lag: calls land on the replica at once and need agents there.
 */
export function agentsPercentFor(
  policy: FailoverPolicy,
  state: HealthState,
  ctx?: Pick<FailoverContext, 'failbackStep'>,
): number {
  const telephony = primaryPercentFor(policy, state, ctx);
  if (state !== 'failingBack') return telephony;
  return Math.min(telephony + (policy.traffic.agentsLead ?? 0), Math.max(policy.traffic.healthy, telephony));
}

/** True when going from `from` to `to` moves traffic away from the primary. */
export function movesAwayFromPrimary(
  policy: FailoverPolicy,
  ctx: FailoverContext,
  from: HealthState,
  to: HealthState,
): boolean {
  return primaryPercentFor(policy, to, ctx) < primaryPercentFor(policy, from, ctx);
}

/**
 * When the current failback step has been held long enough, or null while it cannot be: a primary signal
 * is not OK, or the step's shift is not verified yet. `failbackStepHold` after the step's shift was
 * verified, or after every primary signal became OK if that was later.
 */
export function failbackStepDueAt(policy: FailoverPolicy, ctx: FailoverContext): number | null {
  if (ctx.okSince === null) return null;
  const heldSince = ctx.failbackStep === null ? ctx.since : ctx.failbackStep.verifiedAt;
  if (heldSince === null) return null;
  return Math.max(heldSince, ctx.okSince) + failbackStepHoldMs(policy);
}

/** True when a split verified in Connect is the current failback step's, telephony and agents alike. */
export function isStepSplit(
  policy: FailoverPolicy,
  ctx: Pick<FailoverContext, 'failbackStep'>,
  split: { primaryPercent: number; agentsPrimaryPercent: number },
): boolean {
  return (
    split.primaryPercent === primaryPercentFor(policy, 'failingBack', ctx) &&
    split.agentsPrimaryPercent === agentsPercentFor(policy, 'failingBack', ctx)
  );
}

/** Where a staged failback is, for status and the controller: 1-based step, of how many, and its hold. */
export interface FailbackProgress {
  /** 1-based: step 1 of 3 is the first; the last step is healthy itself. */
  step: number;
  of: number;
  primaryPercent: number;
  agentsPrimaryPercent: number;
  /**
   * When the step's hold ends and the next step follows; null while it cannot: the step's shift is not
   * verified yet, a primary signal is not OK, or automation is paused or suspended (the step is frozen).
   */
  holdUntil: number | null;
  /** The step's shift has been verified in Connect (its hold has started, or starts once all is OK). */
  verified: boolean;
  /** Automation is paused or suspended: no step follows (and no relapse is made) until `resume`. */
  frozen: boolean;
}

export function failbackProgress(
  policy: FailoverPolicy,
  ctx: FailoverContext,
  health: HealthState,
  automation: AutomationState,
): FailbackProgress | null {
  if (health !== 'failingBack') return null;
  const frozen = automation !== 'active';
  return {
    step: failbackStepIndex(policy, ctx) + 1,
    of: failbackSteps(policy).length,
    primaryPercent: primaryPercentFor(policy, health, ctx),
    agentsPrimaryPercent: agentsPercentFor(policy, health, ctx),
    holdUntil: frozen ? null : failbackStepDueAt(policy, ctx),
    verified: (ctx.failbackStep?.verifiedAt ?? null) !== null,
    frozen,
  };
}

function stepText(policy: FailoverPolicy, ctx: FailoverContext): string {
  const index = failbackStepIndex(policy, ctx);
  return `failback step ${index + 1} of ${failbackSteps(policy).length} (${primaryPercentFor(policy, 'failingBack', ctx)}%)`;
}

/** When recovery toward the primary may happen, or null while a primary signal is not OK. */
export function recoveryDueAt(policy: FailoverPolicy, ctx: FailoverContext): number | null {
  if (ctx.okSince === null) return null;
  const recovered = ctx.okSince + policy.timing.recoverAfterMs;
  // Cooldown: the least time since the last shift before an automatic shift back toward the primary.
  const cooled = ctx.lastShiftAt === null ? 0 : ctx.lastShiftAt + policy.timing.cooldownMs;
  return Math.max(recovered, cooled);
}

/** When a degraded primary escalates to failover, or null when it does not (not degraded, or no degraded alarm). */
export function escalationDueAt(policy: FailoverPolicy, ctx: FailoverContext, health: HealthState): number | null {
  if (health !== 'degraded') return null;
  if (firing(policy.signals.degraded, ctx.signals).length === 0) return null;
  return ctx.since + policy.timing.escalateAfterMs;
}

/**
 * The shift the rules of the contract want from `health` at `ctx.now`, ignoring automation gates
 * (those are `gateFor`'s job). Null when the current state is right.
 */
export function wantedShift(policy: FailoverPolicy, ctx: FailoverContext, health: HealthState): WantedShift | null {
  if (health === 'failingBack') return wantedFromStep(policy, ctx);
  const critical = firing(policy.signals.critical, ctx.signals);
  const degraded = firing(policy.signals.degraded, ctx.signals);
  if (health !== 'failedOver' && critical.length > 0) {
    return { to: 'failedOver', reason: 'critical alarm in ALARM', alarms: critical };
  }
  if (health === 'healthy') {
    return degraded.length > 0 ? { to: 'degraded', reason: 'degraded alarm in ALARM', alarms: degraded } : null;
  }
  if (health === 'degraded') {
    const escalateAt = escalationDueAt(policy, ctx, health);
    if (escalateAt !== null && ctx.now >= escalateAt) {
      return { to: 'failedOver', reason: 'still degraded after escalateAfter', alarms: degraded };
    }
  }
  if (health === 'failedOver' && (policy.failback !== 'automatic' || ctx.operatorHold)) return null;
  const recoverAt = recoveryDueAt(policy, ctx);
  if (recoverAt !== null && ctx.now >= recoverAt) {
    // Only a return from failedOver is staged: a degraded primary kept its share of calls and agents.
    const staged = health === 'failedOver' && stagedFailback(policy);
    return {
      to: staged ? 'failingBack' : 'healthy',
      reason: staged
        ? `every primary signal OK for recoverAfter; failback in ${failbackSteps(policy).length} steps`
        : 'every primary signal OK for recoverAfter',
      alarms: primaryKeys(policy),
    };
  }
  return null;
}

/**
 * During a failback step the primary is on probation: any primary signal in ALARM, degraded as well as
 * critical, sends traffic back to the replica at once (the primary has just shown it is not sound, and
 * the degraded split could even send it more traffic than the step does). Otherwise the step is held for
 * `failbackStepHold` with every primary signal OK, then the next one follows.
 */
function wantedFromStep(policy: FailoverPolicy, ctx: FailoverContext): WantedShift | null {
  const alarms = firing(primaryKeys(policy), ctx.signals);
  if (alarms.length > 0)
    return { to: 'failedOver', reason: `primary signal in ALARM during ${stepText(policy, ctx)}`, alarms };
  const due = failbackStepDueAt(policy, ctx);
  if (due === null || ctx.now < due) return null;
  const last = failbackStepIndex(policy, ctx) + 1 >= failbackSteps(policy).length - 1;
  return {
    to: last ? 'healthy' : 'failingBack',
    reason: `${stepText(policy, ctx)} held for failbackStepHold with every primary signal OK`,
    alarms: [],
    step: true,
  };
}

/** Number of automatic shifts inside the `maxAutomaticShifts` window ending now. */
export function recentAutomaticShifts(policy: FailoverPolicy, ctx: FailoverContext): number {
  const windowStart = ctx.now - policy.timing.maxAutomaticShifts.perMs;
  return ctx.automaticShifts.filter((at) => at > windowStart).length;
}

/**
 * Why the wanted shift from `health` cannot be made automatically now, or null when it can (or none is wanted).
 * Order matters: an operator's pause outranks everything; the shift limit is checked last because only a
 * shift that would otherwise happen counts as flapping.
 */
export function blockedShift(
  policy: FailoverPolicy,
  ctx: FailoverContext,
  health: HealthState,
  automation: AutomationState,
): Blocked | null {
  const wanted = wantedShift(policy, ctx, health);
  if (wanted === null) return pendingRecovery(policy, ctx, health, automation);
  if (automation === 'paused')
    return { wanted, kind: 'paused', message: `${describe(wanted)} blocked: automation is paused` };
  if (automation === 'suspended') {
    return { wanted, kind: 'suspended', message: `${describe(wanted)} blocked: automation is suspended until resume` };
  }
  const replica = firing(policy.signals.replicaUnhealthy, ctx.signals);
  if (movesAwayFromPrimary(policy, ctx, health, wanted.to) && replica.length > 0) {
    return {
      wanted,
      kind: 'replicaUnhealthy',
      message: `${describe(wanted)} blocked: replica unhealthy (${replica.join(', ')} in ALARM)`,
    };
  }
  if (!wanted.step && recentAutomaticShifts(policy, ctx) >= policy.timing.maxAutomaticShifts.count) {
    return { wanted, kind: 'shiftLimit', message: `${describe(wanted)} blocked: maxAutomaticShifts reached` };
  }
  return null;
}

/** A recovery that is only waiting for recoverAfter or the cooldown, reported so status can say until when. */
function pendingRecovery(
  policy: FailoverPolicy,
  ctx: FailoverContext,
  health: HealthState,
  automation: AutomationState,
): Blocked | null {
  if (health === 'healthy' || automation !== 'active') return null;
  if (health === 'failingBack') {
    const due = failbackStepDueAt(policy, ctx);
    if (due === null || due <= ctx.now) return null;
    const wanted: WantedShift = { to: 'failingBack', reason: 'failback step held', alarms: [], step: true };
    return {
      wanted,
      kind: 'waiting',
      message: `${stepText(policy, ctx)} held until failbackStepHold has passed with every primary signal OK`,
      until: due,
    };
  }
  if (health === 'failedOver' && (policy.failback !== 'automatic' || ctx.operatorHold)) return null;
  const until = recoveryDueAt(policy, ctx);
  if (until === null || until <= ctx.now) return null;
  const wanted: WantedShift = { to: 'healthy', reason: 'every primary signal OK', alarms: primaryKeys(policy) };
  return { wanted, kind: 'waiting', message: `recovery to healthy waiting for recoverAfter and cooldown`, until };
}

/** The automatic shift to make now, or null. The guards of the machine are built on this. */
export function automaticShift(
  policy: FailoverPolicy,
  ctx: FailoverContext,
  health: HealthState,
  automation: AutomationState,
): WantedShift | null {
  if (automation !== 'active') return null;
  const wanted = wantedShift(policy, ctx, health);
  if (wanted === null) return null;
  return blockedShift(policy, ctx, health, automation) === null ? wanted : null;
}

/**
 * The next time at which the decision may change with no new event: the controller wakes the machine
 * then with `clock.ticked`. Null when only an event can change anything. Because deadlines are absolute
 * times in context, they survive a restart (unlike XState `after` timers, which are not persisted).
 */
export function nextDeadline(
  policy: FailoverPolicy,
  ctx: FailoverContext,
  health: HealthState,
  automation: AutomationState,
): number | null {
  if (automation !== 'active') return null;
  const candidates: number[] = [];
  const escalateAt = escalationDueAt(policy, ctx, health);
  if (escalateAt !== null) candidates.push(escalateAt);
  const stepAt = health === 'failingBack' ? failbackStepDueAt(policy, ctx) : null;
  if (stepAt !== null) candidates.push(stepAt);
  const recovering =
    health === 'degraded' || (health === 'failedOver' && policy.failback === 'automatic' && !ctx.operatorHold);
  const recoverAt = recovering ? recoveryDueAt(policy, ctx) : null;
  if (recoverAt !== null) candidates.push(recoverAt);
  const future = candidates.filter((at) => at > ctx.now);
  return future.length === 0 ? null : Math.min(...future);
}

function describe(wanted: WantedShift): string {
  const verb = wanted.step
    ? 'next failback step'
    : wanted.to === 'failedOver'
      ? 'failover'
      : wanted.to === 'degraded'
        ? 'shift to degraded'
        : wanted.to === 'failingBack'
          ? 'staged failback'
          : 'recovery to healthy';
  const away = wanted.to === 'failedOver' || wanted.to === 'degraded';
  return wanted.alarms.length > 0 && away ? `${verb} (${wanted.alarms.join(', ')})` : verb;
}
