/**
 * The failover statechart. Two parallel regions:
 * - `health`: where traffic should be (healthy, degraded, failedOver);
 * - `automation`: whether the controller may move it on its own (active, paused, suspended).
 *
 * It is pure: no timers, no I/O. Every event carries the injected clock's reading (`now`); deadlines are
 * absolute times derived from context (see policy.ts `nextDeadline`), so a persisted snapshot restores
 * with its timing intact. Automatic decisions are eventless (`always`) transitions guarded by the rules in
 * policy.ts, so whatever woke the machine (an alarm, a tick, a resume) the same rules are applied.
 * The one effect, `requestShift`, is a named action that `src/` provides with `machine.provide()`.
 */
import { and, assign, not, or, setup, stateIn } from 'xstate';
import {
  agentsPercentFor,
  automaticShift,
  blockedShift,
  failbackStepIndex,
  failbackSteps,
  firing,
  isStepSplit,
  primaryAllOk,
  primaryKeys,
  primaryPercentFor,
  readingVerdict,
  stagedFailback,
} from './policy.ts';
import type {
  AutomationState,
  CommandOutcome,
  Decision,
  FailbackStep,
  FailoverContext,
  FailoverEvent,
  FailoverInput,
  FailoverPolicy,
  HealthState,
  OperatorCommandName,
  SignalReading,
  SplitState,
} from './types.ts';

/**
 * Bump when the persisted snapshot's shape changes; the controller refuses snapshots of another version
 * (or migrates those it knows: see `src/controller/document.ts`). 2: `failingBack` and `failbackStep`;
 * 3: `failbackStep.verifiedAt` (a step's hold runs from its verified shift).
 */
export const MACHINE_VERSION = 3;

/** How many decisions the context keeps (the full history lives in the store). */
const KEPT_DECISIONS = 20;

type OperatorEvent = Extract<FailoverEvent, { type: `operator.${string}` }>;

const COMMAND_OF: Record<OperatorEvent['type'], OperatorCommandName> = {
  'operator.failoverRequested': 'failover',
  'operator.failbackRequested': 'failback',
  'operator.pauseRequested': 'pause',
  'operator.resumeRequested': 'resume',
};

/** Builds the machine for one policy. The policy is configuration, not state: it is never persisted. */
export function createFailoverMachine(policy: FailoverPolicy) {
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

  return setup({
    types: {
      context: {} as FailoverContext,
      events: {} as FailoverEvent,
      input: {} as FailoverInput,
    },
    actions: {
      /** The effect: `src/` provides it to wake the reconciler. Desired split = policy.traffic[state]. */
      requestShift: (_, _params: { state: HealthState; primaryPercent: number; agentsPrimaryPercent: number }) => {},
      applyAlarm: assign(({ context, event }) => {
        if (event.type !== 'alarm.changed') return {};
        return withReading(context, event.now, [event]);
      }),
      applyObservedAlarms: assign(({ context, event }) => {
        if (event.type !== 'alarms.observed') return {};
        return withReading(context, event.now, event.alarms);
      }),
      advanceClock: assign(({ context, event }) => withReading(context, event.now, [])),
      /**
       * The current step's shift is verified: its hold starts. Never before the step was decided: a
       * verification that took its time is stamped when it came, not when the write began.
       */
      startStepHold: assign(({ context, event }) => {
        const e = event as Extract<FailoverEvent, { type: 'shift.verified' }>;
        const clock = withReading(context, e.now, []);
        const step = clock.failbackStep;
        if (step === null) return clock;
        return { ...clock, failbackStep: { ...step, verifiedAt: Math.max(step.since, Math.min(e.at, e.now)) } };
      }),
      recordAutomaticShift: assign(({ context }, params: { from: HealthState; to: HealthState }) => {
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
      }),
      /**
       * The next step of a failback under way, or healthy after the last. Not counted as an automatic
       * shift (the failback was, once): a return in three steps must not trip `maxAutomaticShifts`.
       */
      recordFailbackStep: assign(({ context }, params: { to: 'failingBack' | 'healthy' }) => {
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
      }),
      recordOperatorShift: assign(({ context, event }, params: { from: HealthState; to: HealthState }) => {
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
      }),
      holdFailover: assign(({ context, event }) => ({
        ...withClock(context, event.now),
        operatorHold: true,
        lastCommand: outcome(
          event as OperatorEvent,
          true,
          'already failed over; automatic failback now held until failback',
        ),
      })),
      acknowledge: assign(({ context, event }, params: { detail: string }) => ({
        ...withClock(context, event.now),
        lastCommand: outcome(event as OperatorEvent, true, params.detail),
      })),
      acknowledgeFailingBack: assign(({ context, event }) => {
        const index = failbackStepIndex(policy, context);
        const detail =
          `already failing back (step ${index + 1} of ${failbackSteps(policy).length}, ${primaryPercentFor(policy, 'failingBack', context)}% primary); ` +
          'the next steps follow while every primary signal stays OK and automation is active; failback --now returns to healthy at once';
        return { ...withClock(context, event.now), lastCommand: outcome(event as OperatorEvent, true, detail) };
      }),
      refuse: assign(({ context, event }, params: { why: 'replicaUnhealthy' | 'primaryFiring' }) => {
        const alarms =
          params.why === 'replicaUnhealthy'
            ? firing(policy.signals.replicaUnhealthy, context.signals)
            : firing(primaryKeys(policy), context.signals);
        const detail =
          params.why === 'replicaUnhealthy'
            ? `refused: replica unhealthy (${alarms.join(', ')} in ALARM); use --force to fail over anyway`
            : `refused: primary signals in ALARM (${alarms.join(', ')}); use --force to fail back anyway (automation is then paused)`;
        return { ...withClock(context, event.now), lastCommand: outcome(event as OperatorEvent, false, detail) };
      }),
      recordAutomation: assign(({ context, event }, params: { from: AutomationState; to: AutomationState }) => {
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
      }),
      recordSuspension: assign(({ context }, params: { health: HealthState }) => {
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
      }),
      adoptHandSplit: assign(({ context, event }, params: { from: HealthState; to: HealthState }) => {
        const e = event as Extract<FailoverEvent, { type: 'traffic.changedByHand' }>;
        // A failback step set by hand during a failback: that step is adopted. Connect was read at its
        // split, so the split is in place: its hold starts now.
        const step =
          params.to === 'failingBack'
            ? { index: handStepIndex(e.primaryPercent), since: e.now, verifiedAt: e.now }
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
      }),
      pauseForHandChange: assign(({ context, event }) => {
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
      }),
      pauseForForcedFailback: assign(({ context, event }) => {
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
      }),
    },
    guards: {
      automaticShift: ({ context }, params: { from: HealthState; to: HealthState }) =>
        automaticShift(policy, context, params.from, 'active')?.to === params.to,
      shiftLimitReached: ({ context }, params: { from: HealthState }) =>
        blockedShift(policy, context, params.from, 'active')?.kind === 'shiftLimit',
      replicaHealthyOrForced: ({ context, event }) =>
        (event.type === 'operator.failoverRequested' && event.force) ||
        firing(policy.signals.replicaUnhealthy, context.signals).length === 0,
      primaryClear: ({ context }) => firing(primaryKeys(policy), context.signals).length === 0,
      forced: ({ event }) => 'force' in event && event.force,
      /** `failback --now`, or a policy with no step before healthy: straight back. */
      immediateFailback: ({ event }) =>
        !stagedFailback(policy) || (event.type === 'operator.failbackRequested' && event.immediate === true),
      /** The hold of the current failback step is over with every primary signal OK: `to` is next. */
      failbackStepHeld: ({ context }, params: { to: 'failingBack' | 'healthy' }) => {
        const wanted = automaticShift(policy, context, 'failingBack', 'active');
        return wanted?.step === true && wanted.to === params.to;
      },
      handSplitIs: ({ context, event }, params: { from: HealthState; to: SplitState }) =>
        event.type === 'traffic.changedByHand' &&
        event.primaryPercent === policy.traffic[params.to] &&
        event.primaryPercent !== primaryPercentFor(policy, params.from, context),
      /**
       * The split verified is the current step's and the step's hold has not started. A verification of
       * another split (an older target, finished late) starts nothing. One of the same split, even from an
       * older decision, does: verified means read back from Connect, so that split is in place now.
       */
      stepSplitVerified: ({ context, event }) =>
        event.type === 'shift.verified' &&
        context.failbackStep !== null &&
        context.failbackStep.verifiedAt === null &&
        isStepSplit(policy, context, event),
      /** During a failback, Connect was set by hand to another step's split (not healthy's: that is a state). */
      handSplitIsStep: ({ context, event }) =>
        event.type === 'traffic.changedByHand' &&
        handStepIndex(event.primaryPercent) !== -1 &&
        event.primaryPercent !== primaryPercentFor(policy, 'failingBack', context),
    },
  }).createMachine({
    id: 'failover',
    type: 'parallel',
    context: ({ input }) => ({
      now: input.now,
      signals: {},
      since: input.now,
      okSince: null,
      lastShiftAt: null,
      automaticShifts: [],
      operatorHold: false,
      failbackStep: null,
      automationReason: null,
      decisions: [],
      seq: 0,
      lastCommand: null,
    }),
    on: {
      'alarm.changed': { actions: 'applyAlarm' },
      'alarms.observed': { actions: 'applyObservedAlarms' },
      'clock.ticked': { actions: 'advanceClock' },
      // Outside a failback step a verified shift changes no rule: it only moves the clock.
      'shift.verified': { actions: 'advanceClock' },
    },
    states: {
      health: {
        initial: 'healthy',
        states: {
          healthy: {
            entry: { type: 'requestShift', params: split('healthy') },
            always: [automatic('healthy', 'failedOver'), automatic('healthy', 'degraded')],
            on: {
              'traffic.changedByHand': adoptHandSplit('healthy'),
              'operator.failoverRequested': operatorFailover('healthy'),
              'operator.failbackRequested': {
                actions: { type: 'acknowledge', params: { detail: 'already healthy; nothing to do' } },
              },
            },
          },
          degraded: {
            entry: { type: 'requestShift', params: split('degraded') },
            always: [automatic('degraded', 'failedOver'), automatic('degraded', 'healthy')],
            on: {
              'traffic.changedByHand': adoptHandSplit('degraded'),
              'operator.failoverRequested': operatorFailover('degraded'),
              'operator.failbackRequested': operatorFailback('degraded'),
            },
          },
          failedOver: {
            entry: { type: 'requestShift', params: split('failedOver') },
            always: [automatic('failedOver', 'failingBack'), automatic('failedOver', 'healthy')],
            on: {
              'traffic.changedByHand': adoptHandSplit('failedOver'),
              'operator.failoverRequested': { actions: 'holdFailover' },
              'operator.failbackRequested': operatorFailback('failedOver'),
            },
          },
          // A staged return from failedOver: one step of traffic.failbackSteps at a time (context.failbackStep).
          failingBack: {
            // Re-entered at each step, so each step requests (and the reconciler verifies) its own split.
            entry: {
              type: 'requestShift',
              params: ({ context }) => ({
                state: 'failingBack' as const,
                primaryPercent: primaryPercentFor(policy, 'failingBack', context),
                agentsPrimaryPercent: agentsPercentFor(policy, 'failingBack', context),
              }),
            },
            always: [
              automatic('failingBack', 'failedOver'),
              {
                target: 'healthy',
                guard: and([
                  stateIn({ automation: 'active' }),
                  { type: 'failbackStepHeld', params: { to: 'healthy' } },
                ]),
                actions: { type: 'recordFailbackStep', params: { to: 'healthy' } },
              },
              {
                target: 'failingBack',
                reenter: true,
                guard: and([
                  stateIn({ automation: 'active' }),
                  { type: 'failbackStepHeld', params: { to: 'failingBack' } },
                ]),
                actions: { type: 'recordFailbackStep', params: { to: 'failingBack' } },
              },
            ],
            on: {
              'traffic.changedByHand': [
                {
                  target: 'failingBack',
                  reenter: true,
                  guard: 'handSplitIsStep',
                  actions: { type: 'adoptHandSplit', params: { from: 'failingBack', to: 'failingBack' } },
                },
                ...adoptHandSplit('failingBack'),
              ],
              'operator.failoverRequested': operatorFailover('failingBack'),
              'operator.failbackRequested': operatorFailback('failingBack'),
              'shift.verified': { guard: 'stepSplitVerified', actions: 'startStepHold' },
            },
          },
        },
      },
      automation: {
        initial: 'active',
        states: {
          active: {
            // Flapping: a shift that would otherwise happen, beyond maxAutomaticShifts, suspends automation instead.
            always: (['healthy', 'degraded', 'failedOver', 'failingBack'] as const).map((health) => ({
              target: 'suspended' as const,
              guard: and([stateIn({ health }), { type: 'shiftLimitReached' as const, params: { from: health } }]),
              actions: { type: 'recordSuspension' as const, params: { health } },
            })),
            on: {
              'operator.pauseRequested': {
                target: 'paused',
                actions: { type: 'recordAutomation', params: { from: 'active', to: 'paused' } },
              },
              'traffic.changedByHand': { target: 'paused', actions: 'pauseForHandChange' },
              'operator.resumeRequested': {
                actions: { type: 'acknowledge', params: { detail: 'automation already active' } },
              },
              // A forced failback against firing primary alarms: pause in the same step, or automation would undo it.
              // During a failback only `--now` moves traffic (the steps go on otherwise), so only it pauses.
              'operator.failbackRequested': {
                target: 'paused',
                guard: and([
                  'forced',
                  not('primaryClear'),
                  not(stateIn({ health: 'healthy' })),
                  or([not(stateIn({ health: 'failingBack' })), 'immediateFailback']),
                ]),
                actions: 'pauseForForcedFailback',
              },
            },
          },
          paused: {
            on: {
              'operator.pauseRequested': {
                actions: { type: 'acknowledge', params: { detail: 'automation already paused' } },
              },
              'operator.resumeRequested': {
                target: 'active',
                actions: { type: 'recordAutomation', params: { from: 'paused', to: 'active' } },
              },
            },
          },
          suspended: {
            on: {
              'operator.pauseRequested': {
                actions: {
                  type: 'acknowledge',
                  params: { detail: 'automation is suspended; only resume leaves suspension' },
                },
              },
              'operator.resumeRequested': {
                target: 'active',
                actions: { type: 'recordAutomation', params: { from: 'suspended', to: 'active' } },
              },
            },
          },
        },
      },
    },
  });

  /** The split a state with a configured split requests on entry: agents move with telephony. */
  function split(state: SplitState) {
    return {
      state,
      primaryPercent: primaryPercentFor(policy, state),
      agentsPrimaryPercent: agentsPercentFor(policy, state),
    };
  }

  /** The intermediate failback step whose split is `primaryPercent`, or -1 (healthy's, the last, is a state). */
  function handStepIndex(primaryPercent: number): number {
    return failbackSteps(policy).slice(0, -1).indexOf(primaryPercent);
  }

  function automatic(from: HealthState, to: HealthState) {
    return {
      target: to,
      guard: and([stateIn({ automation: 'active' }), { type: 'automaticShift' as const, params: { from, to } }]),
      actions: { type: 'recordAutomaticShift' as const, params: { from, to } },
    };
  }

  /** A hand-set split that is some state's split: that state is adopted (no write: Connect already has it). */
  function adoptHandSplit(from: HealthState) {
    return (['healthy', 'degraded', 'failedOver'] as const satisfies readonly SplitState[])
      .filter((to) => to !== from)
      .map((to) => ({
        target: to,
        guard: { type: 'handSplitIs' as const, params: { from, to } },
        actions: { type: 'adoptHandSplit' as const, params: { from, to } },
      }));
  }

  function operatorFailover(from: HealthState) {
    return [
      {
        target: 'failedOver',
        guard: 'replicaHealthyOrForced' as const,
        actions: { type: 'recordOperatorShift' as const, params: { from, to: 'failedOver' as const } },
      },
      { actions: { type: 'refuse' as const, params: { why: 'replicaUnhealthy' as const } } },
    ];
  }

  /**
   * From degraded a failback goes straight back: the primary kept its share of calls and agents. From
   * failedOver it is staged, unless `--now` or there is no step before healthy. From failingBack only
   * `--now` moves traffic; without it the steps go on. A forced failback against firing primary signals
   * pauses automation in the same step (see automation.active), before an eventless transition could
   * fail over again.
   */
  function operatorFailback(from: HealthState) {
    const to = (target: 'healthy' | 'failingBack') => ({
      type: 'recordOperatorShift' as const,
      params: { from, to: target },
    });
    const refuse = { type: 'refuse' as const, params: { why: 'primaryFiring' as const } };
    if (from === 'failingBack') {
      return [
        { target: 'healthy', guard: and(['immediateFailback', 'primaryClear']), actions: to('healthy') },
        { target: 'healthy', guard: and(['immediateFailback', 'forced']), actions: to('healthy') },
        { guard: 'immediateFailback' as const, actions: refuse },
        { actions: 'acknowledgeFailingBack' as const },
      ];
    }
    const back =
      from === 'failedOver'
        ? [
            { target: 'healthy', guard: and(['primaryClear', 'immediateFailback']), actions: to('healthy') },
            { target: 'failingBack', guard: 'primaryClear' as const, actions: to('failingBack') },
          ]
        : [{ target: 'healthy', guard: 'primaryClear' as const, actions: to('healthy') }];
    return [
      ...back,
      // Forced against a firing primary signal: straight back. A step holds only while every primary
      // signal is OK, so a staged return could never get past its first step.
      { target: 'healthy', guard: 'forced' as const, actions: to('healthy') },
      { actions: refuse },
    ];
  }
}

function firingSignals(policy: FailoverPolicy, ctx: FailoverContext): string[] {
  return firing([...primaryKeys(policy), ...policy.signals.replicaUnhealthy], ctx.signals);
}

export type FailoverMachine = ReturnType<typeof createFailoverMachine>;
