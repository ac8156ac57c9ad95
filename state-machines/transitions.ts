/**
 * Builders of the statechart's recurring transitions: the split a state requests on entry, an automatic
 * shift, the adoption of a split changed by hand, and the operator's failover and failback as each state
 * answers them. Plain config objects naming the machine's actions and guards (failover-machine.ts).
 */
import { and, stateIn } from 'xstate';
import { agentsPercentFor, primaryPercentFor } from './policy.ts';
import type { FailoverPolicy, HealthState, SplitState } from './types.ts';

export function transitionBuilders(policy: FailoverPolicy) {
  /** The split a state with a configured split requests on entry: agents move with telephony. */
  function split(state: SplitState) {
    return {
      state,
      primaryPercent: primaryPercentFor(policy, state),
      agentsPrimaryPercent: agentsPercentFor(policy, state),
    };
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

  return { split, automatic, adoptHandSplit, operatorFailover, operatorFailback };
}
