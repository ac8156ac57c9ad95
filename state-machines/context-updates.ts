/**
 * What each of the statechart's actions does to its context, as pure functions of the context, the event
 * and the action's params: the machine (failover-machine.ts) wraps each in `assign`. Kept apart so the
 * machine file reads as the statechart itself, and so every update can be read next to its helpers.
 */
import {
  automaticShift,
  blockedShift,
  failbackStepIndex,
  failbackSteps,
  firing,
  primaryAllOk,
  primaryKeys,
  primaryPercentFor,
  readingVerdict,
} from './policy.ts';
import type {
  AutomationState,
  CommandOutcome,
  Decision,
  FailbackStep,
  FailoverContext,
  FailoverEvent,
  FailoverPolicy,
  HealthState,
  OperatorCommandName,
  SignalReading,
} from './types.ts';

/** How many decisions the context keeps (the full history lives in the store). */
const KEPT_DECISIONS = 20;

type OperatorEvent = Extract<FailoverEvent, { type: `operator.${string}` }>;

const COMMAND_OF: Record<OperatorEvent['type'], OperatorCommandName> = {
  'operator.failoverRequested': 'failover',
  'operator.failbackRequested': 'failback',
  'operator.pauseRequested': 'pause',
  'operator.resumeRequested': 'resume',
};

/** What an action is given: the context before it and the event being handled. */
interface Args {
  context: FailoverContext;
  event: FailoverEvent;
}

/** The context updates of the machine for one policy (the names are the machine's action names). */
export function contextUpdates(policy: FailoverPolicy) {
  const known = new Set([...primaryKeys(policy), ...policy.signals.replicaUnhealthy]);

  /**
   * Moves the context's clock to `now`, in either direction. A wall clock can step back (NTP, a VM
   * restored): times the context holds that lie ahead of the new `now` are brought back to it, so no
   * deadline derived from them is ever further out than `now` + the rule's own duration.
   */
  const withClock = (ctx: FailoverContext, now: number) => ({
    now,
    since: Math.min(ctx.since, now),
    okSince: ctx.okSince === null ? null : Math.min(ctx.okSince, now),
    lastShiftAt: ctx.lastShiftAt === null ? null : Math.min(ctx.lastShiftAt, now),
    automaticShifts: ctx.automaticShifts.some((at) => at > now)
      ? ctx.automaticShifts.map((at) => Math.min(at, now))
      : ctx.automaticShifts,
    failbackStep: stepWithClock(ctx.failbackStep, now),
  });

  const stepWithClock = (step: FailbackStep | null, now: number): FailbackStep | null =>
    step === null || (step.since <= now && (step.verifiedAt ?? now) <= now)
      ? step
      : {
          ...step,
          since: Math.min(step.since, now),
          verifiedAt: step.verifiedAt === null ? null : Math.min(step.verifiedAt, now),
        };

  /** The step a health state starts with: the first failback step when entering `failingBack`, else none. */
  const firstStep = (to: HealthState, at: number): FailbackStep | null =>
    to === 'failingBack' ? { index: 0, since: at, verifiedAt: null } : null;

  /** The telephony percent a decision moves to, kept with it so history and reports show each step's split. */
  const percentOf = (to: HealthState, step: FailbackStep | null) =>
    primaryPercentFor(policy, to, { failbackStep: step });

  const withReading = (
    ctx: FailoverContext,
    now: number,
    readings: Array<{ alarm: string; value: SignalReading['value']; at: number }>,
  ) => {
    const signals = { ...ctx.signals };
    for (const r of readings) {
      if (known.has(r.alarm) && readingVerdict(signals[r.alarm], r.at, now) === 'applied')
        signals[r.alarm] = { value: r.value, at: r.at };
    }
    const clock = withClock(ctx, now);
    const allOk = primaryAllOk(policy, signals);
    return { ...clock, signals, okSince: allOk ? (clock.okSince ?? now) : null };
  };

  const decision = (ctx: FailoverContext, d: Omit<Decision, 'seq'>): Pick<FailoverContext, 'decisions' | 'seq'> => {
    const seq = ctx.seq + 1;
    return { seq, decisions: [...ctx.decisions, { ...d, seq }].slice(-KEPT_DECISIONS) };
  };

  const outcome = (event: OperatorEvent, accepted: boolean, detail: string): CommandOutcome => ({
    command: COMMAND_OF[event.type],
    accepted,
    detail,
    by: event.by,
    reason: event.reason,
    at: event.now,
  });

  return {
    applyAlarm: ({ context, event }: Args) => {
      if (event.type !== 'alarm.changed') return {};
      return withReading(context, event.now, [event]);
    },
    applyObservedAlarms: ({ context, event }: Args) => {
      if (event.type !== 'alarms.observed') return {};
      return withReading(context, event.now, event.alarms);
    },
    advanceClock: ({ context, event }: Args) => withReading(context, event.now, []),
    /**
     * The current step's shift is verified: its hold starts. Never before the step was decided: a
     * verification that took its time is stamped when it came, not when the write began.
     */
    startStepHold: ({ context, event }: Args) => {
      const e = event as Extract<FailoverEvent, { type: 'shift.verified' }>;
      const clock = withReading(context, e.now, []);
      const step = clock.failbackStep;
      if (step === null) return clock;
      return { ...clock, failbackStep: { ...step, verifiedAt: Math.max(step.since, Math.min(e.at, e.now)) } };
    },
    recordAutomaticShift: ({ context }: Args, params: { from: HealthState; to: HealthState }) => {
      const wanted = automaticShift(policy, context, params.from, 'active');
      const at = context.now;
      const step = firstStep(params.to, at);
      return {
        since: at,
        lastShiftAt: at,
        operatorHold: false,
        failbackStep: step,
        automaticShifts: [...context.automaticShifts, at].slice(-(policy.timing.maxAutomaticShifts.count + 1)),
        ...decision(context, {
          region: 'health',
          from: params.from,
          to: params.to,
          reason: wanted?.reason ?? 'automatic',
          alarms: wanted?.alarms ?? [],
          at,
          trigger: 'automatic',
          primaryPercent: percentOf(params.to, step),
        }),
      };
    },
    /**
     * The next step of a failback under way, or healthy after the last. Not counted as an automatic
     * shift (the failback was, once): a return in three steps must not trip `maxAutomaticShifts`.
     */
    recordFailbackStep: ({ context }: Args, params: { to: 'failingBack' | 'healthy' }) => {
      const wanted = automaticShift(policy, context, 'failingBack', 'active');
      const at = context.now;
      const step =
        params.to === 'failingBack'
          ? { index: failbackStepIndex(policy, context) + 1, since: at, verifiedAt: null }
          : null;
      return {
        // `since` stays the start of the failback until it is done: status says how long it has run.
        since: params.to === 'healthy' ? at : context.since,
        lastShiftAt: at,
        failbackStep: step,
        ...decision(context, {
          region: 'health',
          from: 'failingBack',
          to: params.to,
          reason: wanted?.reason ?? 'failback step held',
          alarms: [],
          at,
          trigger: 'automatic',
          primaryPercent: percentOf(params.to, step),
        }),
      };
    },
    recordOperatorShift: ({ context, event }: Args, params: { from: HealthState; to: HealthState }) => {
      const e = event as OperatorEvent;
      const at = e.now;
      const held = params.to === 'failedOver';
      const step = firstStep(params.to, at);
      const detail =
        step === null
          ? `${params.from} -> ${params.to}`
          : `${params.from} -> ${params.to} (step 1 of ${failbackSteps(policy).length}, ${percentOf(params.to, step)}%)`;
      return {
        ...withClock(context, at),
        since: at,
        lastShiftAt: at,
        operatorHold: held,
        failbackStep: step,
        lastCommand: outcome(e, true, detail),
        ...decision(context, {
          region: 'health',
          from: params.from,
          to: params.to,
          reason: `operator ${COMMAND_OF[e.type]}${e.type === 'operator.failbackRequested' && e.immediate ? ' --now' : ''}: ${e.reason}`,
          alarms: firingSignals(policy, context),
          at,
          trigger: 'operator',
          by: e.by,
          primaryPercent: percentOf(params.to, step),
        }),
      };
    },
    holdFailover: ({ context, event }: Args) => ({
      ...withClock(context, event.now),
      operatorHold: true,
      lastCommand: outcome(
        event as OperatorEvent,
        true,
        'already failed over; automatic failback now held until failback',
      ),
    }),
    acknowledge: ({ context, event }: Args, params: { detail: string }) => ({
      ...withClock(context, event.now),
      lastCommand: outcome(event as OperatorEvent, true, params.detail),
    }),
    acknowledgeFailingBack: ({ context, event }: Args) => {
      const index = failbackStepIndex(policy, context);
      const detail =
        `already failing back (step ${index + 1} of ${failbackSteps(policy).length}, ${primaryPercentFor(policy, 'failingBack', context)}% primary); ` +
        'the next steps follow while every primary signal stays OK and automation is active; failback --now returns to healthy at once';
      return { ...withClock(context, event.now), lastCommand: outcome(event as OperatorEvent, true, detail) };
    },
    refuse: ({ context, event }: Args, params: { why: 'replicaUnhealthy' | 'primaryFiring' }) => {
      const alarms =
        params.why === 'replicaUnhealthy'
          ? firing(policy.signals.replicaUnhealthy, context.signals)
          : firing(primaryKeys(policy), context.signals);
      const detail =
        params.why === 'replicaUnhealthy'
          ? `refused: replica unhealthy (${alarms.join(', ')} in ALARM); use --force to fail over anyway`
          : `refused: primary signals in ALARM (${alarms.join(', ')}); use --force to fail back anyway (automation is then paused)`;
      return { ...withClock(context, event.now), lastCommand: outcome(event as OperatorEvent, false, detail) };
    },
    recordAutomation: ({ context, event }: Args, params: { from: AutomationState; to: AutomationState }) => {
      const e = event as OperatorEvent;
      const at = e.now;
      const clock = withClock(context, at);
      return {
        ...clock,
        automationReason: params.to === 'active' ? null : `${e.reason} (by ${e.by})`,
        // Resuming starts a fresh flapping window; otherwise the next shift would suspend again at once.
        automaticShifts: params.to === 'active' ? [] : clock.automaticShifts,
        lastCommand: outcome(e, true, `automation ${params.from} -> ${params.to}`),
        ...decision(context, {
          region: 'automation',
          from: params.from,
          to: params.to,
          reason: `operator ${COMMAND_OF[e.type]}: ${e.reason}`,
          alarms: [],
          at,
          trigger: 'operator',
          by: e.by,
        }),
      };
    },
    recordSuspension: ({ context }: Args, params: { health: HealthState }) => {
      const blocked = blockedShift(policy, context, params.health, 'active');
      const reason = `more than ${policy.timing.maxAutomaticShifts.count} automatic shifts within maxAutomaticShifts.per; ${blocked?.message ?? ''}`;
      return {
        automationReason: reason,
        ...decision(context, {
          region: 'automation',
          from: 'active',
          to: 'suspended',
          reason,
          alarms: blocked?.wanted.alarms ?? [],
          at: context.now,
          trigger: 'automatic',
        }),
      };
    },
    adoptHandSplit: ({ context, event }: Args, params: { from: HealthState; to: HealthState }) => {
      const e = event as Extract<FailoverEvent, { type: 'traffic.changedByHand' }>;
      // A failback step set by hand during a failback: that step is adopted. Connect was read at its
      // split, so the split is in place: its hold starts now.
      const step =
        params.to === 'failingBack'
          ? { index: handStepIndexOf(policy, e.primaryPercent), since: e.now, verifiedAt: e.now }
          : null;
      return {
        ...withClock(context, e.now),
        since: params.from === 'failingBack' && params.to === 'failingBack' ? Math.min(context.since, e.now) : e.now,
        lastShiftAt: e.now,
        // Failed over by hand: a person decided; automatic failback must not undo it.
        operatorHold: params.to === 'failedOver',
        failbackStep: step,
        ...decision(context, {
          region: 'health',
          from: params.from,
          to: params.to,
          reason: `adopted the split changed by hand (Connect sends ${e.primaryPercent}% to the primary)`,
          alarms: firingSignals(policy, context),
          at: e.now,
          trigger: 'hand',
          primaryPercent: e.primaryPercent,
        }),
      };
    },
    pauseForHandChange: ({ context, event }: Args) => {
      const e = event as Extract<FailoverEvent, { type: 'traffic.changedByHand' }>;
      const reason = `split changed by hand (Connect sends ${e.primaryPercent}% to the primary): a human decision; automation paused until resume`;
      return {
        ...withClock(context, e.now),
        automationReason: reason,
        ...decision(context, {
          region: 'automation',
          from: 'active',
          to: 'paused',
          reason,
          alarms: [],
          at: e.now,
          trigger: 'hand',
        }),
      };
    },
    pauseForForcedFailback: ({ context, event }: Args) => {
      const e = event as OperatorEvent;
      const alarms = firing(primaryKeys(policy), context.signals);
      const reason = `forced failback while ${alarms.join(', ')} in ALARM: automation paused so it does not fail over again; resume when the primary is sound`;
      return {
        automationReason: reason,
        ...decision(context, {
          region: 'automation',
          from: 'active',
          to: 'paused',
          reason,
          alarms,
          at: context.now,
          trigger: 'operator',
          by: e.by,
        }),
      };
    },
  };
}

/** The intermediate failback step whose split is `primaryPercent` under `policy`, or -1. */
export function handStepIndexOf(policy: FailoverPolicy, primaryPercent: number): number {
  return failbackSteps(policy).slice(0, -1).indexOf(primaryPercent);
}

function firingSignals(policy: FailoverPolicy, ctx: FailoverContext): string[] {
  return firing([...primaryKeys(policy), ...policy.signals.replicaUnhealthy], ctx.signals);
}
