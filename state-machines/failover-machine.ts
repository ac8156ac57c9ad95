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
import { and, assign, not, setup, stateIn } from 'xstate';
import {
  automaticShift,
  blockedShift,
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
  FailoverContext,
  FailoverEvent,
  FailoverInput,
  FailoverPolicy,
  HealthState,
  OperatorCommandName,
  SignalReading,
} from './types.ts';

/** Bump when the persisted snapshot's shape changes; the controller refuses snapshots of another version. */
export const MACHINE_VERSION = 1;

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
    automaticShifts: ctx.automaticShifts.some((at) => at > now) ? ctx.automaticShifts.map((at) => Math.min(at, now)) : ctx.automaticShifts,
  });

  const withReading = (ctx: FailoverContext, now: number, readings: Array<{ alarm: string; value: SignalReading['value']; at: number }>) => {
    const signals = { ...ctx.signals };
    for (const r of readings) {
      if (known.has(r.alarm) && readingVerdict(signals[r.alarm], r.at, now) === 'applied') signals[r.alarm] = { value: r.value, at: r.at };
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
      requestShift: (_, _params: { state: HealthState; primaryPercent: number }) => {},
      applyAlarm: assign(({ context, event }) => {
        if (event.type !== 'alarm.changed') return {};
        return withReading(context, event.now, [event]);
      }),
      applyObservedAlarms: assign(({ context, event }) => {
        if (event.type !== 'alarms.observed') return {};
        return withReading(context, event.now, event.alarms);
      }),
      advanceClock: assign(({ context, event }) => withReading(context, event.now, [])),
      recordAutomaticShift: assign(({ context }, params: { from: HealthState; to: HealthState }) => {
        const wanted = automaticShift(policy, context, params.from, 'active');
        const at = context.now;
        return {
          since: at,
          lastShiftAt: at,
          operatorHold: false,
          automaticShifts: [...context.automaticShifts, at].slice(-(policy.timing.maxAutomaticShifts.count + 1)),
          ...decision(context, {
            region: 'health',
            from: params.from,
            to: params.to,
            reason: wanted?.reason ?? 'automatic',
            alarms: wanted?.alarms ?? [],
            at,
            trigger: 'automatic',
          }),
        };
      }),
      recordOperatorShift: assign(({ context, event }, params: { from: HealthState; to: HealthState }) => {
        const e = event as OperatorEvent;
        const at = e.now;
        const held = params.to === 'failedOver';
        return {
          ...withClock(context, at),
          since: at,
          lastShiftAt: at,
          operatorHold: held,
          lastCommand: outcome(e, true, `${params.from} -> ${params.to}`),
          ...decision(context, {
            region: 'health',
            from: params.from,
            to: params.to,
            reason: `operator ${COMMAND_OF[e.type]}: ${e.reason}`,
            alarms: firingSignals(policy, context),
            at,
            trigger: 'operator',
            by: e.by,
          }),
        };
      }),
      holdFailover: assign(({ context, event }) => ({
        ...withClock(context, event.now),
        operatorHold: true,
        lastCommand: outcome(event as OperatorEvent, true, 'already failed over; automatic failback now held until failback'),
      })),
      acknowledge: assign(({ context, event }, params: { detail: string }) => ({
        ...withClock(context, event.now),
        lastCommand: outcome(event as OperatorEvent, true, params.detail),
      })),
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
      pauseForForcedFailback: assign(({ context, event }) => {
        const e = event as OperatorEvent;
        const alarms = firing(primaryKeys(policy), context.signals);
        const reason = `forced failback while ${alarms.join(', ')} in ALARM: automation paused so it does not fail over again; resume when the primary is sound`;
        return {
          automationReason: reason,
          ...decision(context, { region: 'automation', from: 'active', to: 'paused', reason, alarms, at: context.now, trigger: 'operator', by: e.by }),
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
      automationReason: null,
      decisions: [],
      seq: 0,
      lastCommand: null,
    }),
    on: {
      'alarm.changed': { actions: 'applyAlarm' },
      'alarms.observed': { actions: 'applyObservedAlarms' },
      'clock.ticked': { actions: 'advanceClock' },
    },
    states: {
      health: {
        initial: 'healthy',
        states: {
          healthy: {
            entry: { type: 'requestShift', params: { state: 'healthy', primaryPercent: primaryPercentFor(policy, 'healthy') } },
            always: [automatic('healthy', 'failedOver'), automatic('healthy', 'degraded')],
            on: {
              'operator.failoverRequested': operatorFailover('healthy'),
              'operator.failbackRequested': { actions: { type: 'acknowledge', params: { detail: 'already healthy; nothing to do' } } },
            },
          },
          degraded: {
            entry: { type: 'requestShift', params: { state: 'degraded', primaryPercent: primaryPercentFor(policy, 'degraded') } },
            always: [automatic('degraded', 'failedOver'), automatic('degraded', 'healthy')],
            on: {
              'operator.failoverRequested': operatorFailover('degraded'),
              'operator.failbackRequested': operatorFailback('degraded'),
            },
          },
          failedOver: {
            entry: { type: 'requestShift', params: { state: 'failedOver', primaryPercent: primaryPercentFor(policy, 'failedOver') } },
            always: [automatic('failedOver', 'healthy')],
            on: {
              'operator.failoverRequested': { actions: 'holdFailover' },
              'operator.failbackRequested': operatorFailback('failedOver'),
            },
          },
        },
      },
      automation: {
        initial: 'active',
        states: {
          active: {
            // Flapping: a shift that would otherwise happen, beyond maxAutomaticShifts, suspends automation instead.
            always: (['healthy', 'degraded', 'failedOver'] as const).map((health) => ({
              target: 'suspended' as const,
              guard: and([stateIn({ health }), { type: 'shiftLimitReached' as const, params: { from: health } }]),
              actions: { type: 'recordSuspension' as const, params: { health } },
            })),
            on: {
              'operator.pauseRequested': { target: 'paused', actions: { type: 'recordAutomation', params: { from: 'active', to: 'paused' } } },
              'operator.resumeRequested': { actions: { type: 'acknowledge', params: { detail: 'automation already active' } } },
              // A forced failback against firing primary alarms: pause in the same step, or automation would undo it.
              'operator.failbackRequested': {
                target: 'paused',
                guard: and(['forced', not('primaryClear'), not(stateIn({ health: 'healthy' }))]),
                actions: 'pauseForForcedFailback',
              },
            },
          },
          paused: {
            on: {
              'operator.pauseRequested': { actions: { type: 'acknowledge', params: { detail: 'automation already paused' } } },
              'operator.resumeRequested': { target: 'active', actions: { type: 'recordAutomation', params: { from: 'paused', to: 'active' } } },
            },
          },
          suspended: {
            on: {
              'operator.pauseRequested': {
                actions: { type: 'acknowledge', params: { detail: 'automation is suspended; only resume leaves suspension' } },
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

  function automatic(from: HealthState, to: HealthState) {
    return {
      target: to,
      guard: and([stateIn({ automation: 'active' }), { type: 'automaticShift' as const, params: { from, to } }]),
      actions: { type: 'recordAutomaticShift' as const, params: { from, to } },
    };
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

  function operatorFailback(from: HealthState) {
    return [
      {
        target: 'healthy',
        guard: 'primaryClear' as const,
        actions: { type: 'recordOperatorShift' as const, params: { from, to: 'healthy' as const } },
      },
      {
        target: 'healthy',
        guard: 'forced' as const,
        // The automation region pauses on the same event (see automation.active), before any eventless
        // transition could fail over again.
        actions: { type: 'recordOperatorShift' as const, params: { from, to: 'healthy' as const } },
      },
      { actions: { type: 'refuse' as const, params: { why: 'primaryFiring' as const } } },
    ];
  }
}

function firingSignals(policy: FailoverPolicy, ctx: FailoverContext): string[] {
  return firing([...primaryKeys(policy), ...policy.signals.replicaUnhealthy], ctx.signals);
}

export type FailoverMachine = ReturnType<typeof createFailoverMachine>;
