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
}

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

/** The percent of telephony traffic the primary should take in `state`. */
export function primaryPercentFor(policy: FailoverPolicy, state: HealthState): number {
  return policy.traffic[state];
}

/** True when going from `from` to `to` moves traffic away from the primary. */
export function movesAwayFromPrimary(policy: FailoverPolicy, from: HealthState, to: HealthState): boolean {
  return policy.traffic[to] < policy.traffic[from];
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
    return { to: 'healthy', reason: 'every primary signal OK for recoverAfter', alarms: primaryKeys(policy) };
  }
  return null;
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
  if (automation === 'paused') return { wanted, kind: 'paused', message: `${describe(wanted)} blocked: automation is paused` };
  if (automation === 'suspended') {
    return { wanted, kind: 'suspended', message: `${describe(wanted)} blocked: automation is suspended until resume` };
  }
  const replica = firing(policy.signals.replicaUnhealthy, ctx.signals);
  if (movesAwayFromPrimary(policy, health, wanted.to) && replica.length > 0) {
    return { wanted, kind: 'replicaUnhealthy', message: `${describe(wanted)} blocked: replica unhealthy (${replica.join(', ')} in ALARM)` };
  }
  if (recentAutomaticShifts(policy, ctx) >= policy.timing.maxAutomaticShifts.count) {
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
  const recovering = health === 'degraded' || (health === 'failedOver' && policy.failback === 'automatic' && !ctx.operatorHold);
  const recoverAt = recovering ? recoveryDueAt(policy, ctx) : null;
  if (recoverAt !== null) candidates.push(recoverAt);
  const future = candidates.filter((at) => at > ctx.now);
  return future.length === 0 ? null : Math.min(...future);
}

function describe(wanted: WantedShift): string {
  const verb = wanted.to === 'failedOver' ? 'failover' : wanted.to === 'degraded' ? 'shift to degraded' : 'recovery to healthy';
  return wanted.alarms.length > 0 && wanted.to !== 'healthy' ? `${verb} (${wanted.alarms.join(', ')})` : verb;
}
