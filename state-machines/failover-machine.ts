/**
 * The failover statechart. Two parallel regions:
 * - `health`: where traffic should be (healthy, degraded, failedOver, failingBack);
 * - `automation`: whether the controller may move it on its own (active, paused, suspended).
 *
 * It is pure: no timers, no I/O. Every event carries the injected clock's reading (`now`); deadlines are
 * absolute times derived from context (see policy.ts `nextDeadline`), so a persisted snapshot restores
 * with its timing intact. Automatic decisions are eventless (`always`) transitions guarded by the rules in
 * policy.ts, so whatever woke the machine (an alarm, a tick, a resume) the same rules are applied.
 * The one effect, `requestShift`, is a named action that `src/` provides with `machine.provide()`.
 * What each action does to the context is in context-updates.ts; recurring transitions in transitions.ts.
 */
import { and, assign, not, or, setup, stateIn } from 'xstate';
import { contextUpdates, handStepIndexOf } from './context-updates.ts';
import {
  agentsPercentFor,
  automaticShift,
  blockedShift,
  firing,
  isStepSplit,
  primaryKeys,
  primaryPercentFor,
  stagedFailback,
} from './policy.ts';
import { transitionBuilders } from './transitions.ts';
import type {
  FailoverContext,
  FailoverEvent,
  FailoverInput,
  FailoverPolicy,
  HealthState,
  SplitState,
} from './types.ts';

/**
 * Bump when the persisted snapshot's shape changes; the controller refuses snapshots of another version
 * (or migrates those it knows: see `src/controller/document.ts`). 2: `failingBack` and `failbackStep`;
 * 3: `failbackStep.verifiedAt` (a step's hold runs from its verified shift).
 */
export const MACHINE_VERSION = 3;

/** Builds the machine for one policy. The policy is configuration, not state: it is never persisted. */
export function createFailoverMachine(policy: FailoverPolicy) {
  const update = contextUpdates(policy);
  const { split, automatic, adoptHandSplit, operatorFailover, operatorFailback } = transitionBuilders(policy);

  return setup({
    types: {
      context: {} as FailoverContext,
      events: {} as FailoverEvent,
      input: {} as FailoverInput,
    },
    actions: {
      /** The effect: `src/` provides it to wake the reconciler. Desired split = policy.traffic[state]. */
      requestShift: (_, _params: { state: HealthState; primaryPercent: number; agentsPrimaryPercent: number }) => {},
      applyAlarm: assign(update.applyAlarm),
      applyObservedAlarms: assign(update.applyObservedAlarms),
      advanceClock: assign(update.advanceClock),
      startStepHold: assign(update.startStepHold),
      recordAutomaticShift: assign(update.recordAutomaticShift),
      recordFailbackStep: assign(update.recordFailbackStep),
      recordOperatorShift: assign(update.recordOperatorShift),
      holdFailover: assign(update.holdFailover),
      acknowledge: assign(update.acknowledge),
      acknowledgeFailingBack: assign(update.acknowledgeFailingBack),
      refuse: assign(update.refuse),
      recordAutomation: assign(update.recordAutomation),
      recordSuspension: assign(update.recordSuspension),
      adoptHandSplit: assign(update.adoptHandSplit),
      pauseForHandChange: assign(update.pauseForHandChange),
      pauseForForcedFailback: assign(update.pauseForForcedFailback),
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
        handStepIndexOf(policy, event.primaryPercent) !== -1 &&
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
}

export type FailoverMachine = ReturnType<typeof createFailoverMachine>;
