import { describe, expect, it } from 'vitest';
import { transition } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import {
  createFailoverMachine,
  failbackSteps,
  failbackStepHoldMs,
  firing,
  outlook,
  primaryKeys,
  statesOf,
} from '../../state-machines/index.ts';
import type {
  AlarmValue,
  FailoverEvent,
  FailoverPolicy,
  FailoverSnapshot,
  HealthState,
} from '../../state-machines/index.ts';
import { examplePolicy, MINUTE } from '../helpers/machine.ts';

/** Model-based tests: every reachable (state, signals, hold, window) combination, invariants on every step. */
const policies: Array<[string, FailoverPolicy]> = [
  ['manual failback', examplePolicy()],
  [
    'automatic failback, a tight shift limit',
    examplePolicy({
      failback: 'automatic',
      timing: {
        escalateAfterMs: 5 * MINUTE,
        recoverAfterMs: 10 * MINUTE,
        cooldownMs: 2 * MINUTE,
        maxAutomaticShifts: { count: 2, perMs: 60 * MINUTE },
      },
    }),
  ],
  [
    // 50 is both a step and traffic.degraded: a hand-set 50 during a failback must pick one of them.
    'failback in steps [20, 50, 100], automatic, agents 10 points ahead, a tight shift limit',
    examplePolicy({
      failback: 'automatic',
      traffic: { healthy: 100, degraded: 50, failedOver: 0, failbackSteps: [20, 50, 100], agentsLead: 10 },
      timing: {
        escalateAfterMs: 5 * MINUTE,
        recoverAfterMs: 10 * MINUTE,
        cooldownMs: 2 * MINUTE,
        maxAutomaticShifts: { count: 2, perMs: 60 * MINUTE },
        failbackStepHoldMs: 2 * MINUTE,
      },
    }),
  ],
];

/** Every split the policy can want: each state's and each failback step's. */
function splitsOf(policy: FailoverPolicy): number[] {
  const { healthy, degraded, failedOver } = policy.traffic;
  return [...new Set([healthy, degraded, failedOver, ...failbackSteps(policy)])];
}

function health(snapshot: FailoverSnapshot): HealthState {
  return statesOf(snapshot).health;
}

/** Where traffic is meant to be: the health state and, while failing back, the step. */
function position(snapshot: FailoverSnapshot): string {
  return `${health(snapshot)}#${snapshot.context.failbackStep?.index ?? ''}`;
}

/** Events offered in every state: each alarm to each value (newer timestamp), clock jumps and every operator command. */
function eventsFor(policy: FailoverPolicy) {
  return (snapshot: FailoverSnapshot): FailoverEvent[] => {
    const ctx = snapshot.context;
    const now = ctx.now;
    const alarms = [...primaryKeys(policy), ...policy.signals.replicaUnhealthy];
    const values: AlarmValue[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
    const op = { reason: 'model', by: 'graph', now };
    return [
      ...alarms.flatMap((alarm) =>
        values.map((value) => ({
          type: 'alarm.changed' as const,
          alarm,
          value,
          at: (ctx.signals[alarm]?.at ?? 0) + 1,
          now,
        })),
      ),
      { type: 'clock.ticked', now: now + policy.timing.escalateAfterMs },
      { type: 'clock.ticked', now: now + policy.timing.recoverAfterMs },
      { type: 'clock.ticked', now: now + failbackStepHoldMs(policy) },
      { type: 'operator.failoverRequested', force: false, ...op },
      { type: 'operator.failoverRequested', force: true, ...op },
      ...[false, true].flatMap((force) =>
        [false, true].map((immediate) => ({ type: 'operator.failbackRequested' as const, force, immediate, ...op })),
      ),
      { type: 'operator.pauseRequested', ...op },
      { type: 'operator.resumeRequested', ...op },
      // The reconciler verifying each split there is (agents with telephony, or leading as a step's do).
      ...splitsOf(policy).flatMap((primaryPercent) =>
        [...new Set([primaryPercent, Math.min(primaryPercent + (policy.traffic.agentsLead ?? 0), 100)])].map(
          (agentsPrimaryPercent) => ({
            type: 'shift.verified' as const,
            primaryPercent,
            agentsPrimaryPercent,
            at: now,
            now,
          }),
        ),
      ),
      // Connect found at each state's or step's split, or at one nothing has, changed by hand.
      ...[...splitsOf(policy), 30].map((primaryPercent) => ({
        type: 'traffic.changedByHand' as const,
        primaryPercent,
        now,
      })),
    ];
  };
}

/** State identity without timestamps or counters, so the traversal is finite. */
function serializeState(policy: FailoverPolicy) {
  return (snapshot: FailoverSnapshot): string => {
    const ctx = snapshot.context;
    const signals = Object.entries(ctx.signals)
      .map(([k, v]) => `${k}=${v.value}`)
      .sort();
    const window = ctx.automaticShifts.filter((t) => t > ctx.now - policy.timing.maxAutomaticShifts.perMs).length;
    return JSON.stringify([
      snapshot.value,
      ctx.failbackStep?.index ?? null,
      ctx.failbackStep === null ? null : ctx.failbackStep.verifiedAt !== null,
      signals,
      ctx.operatorHold,
      window,
      ctx.okSince === null,
    ]);
  };
}

interface Step {
  before: FailoverSnapshot;
  event: FailoverEvent;
  after: FailoverSnapshot;
  requested: Array<{ primaryPercent: number; agentsPrimaryPercent: number }>;
}

/** The steps a property speaks about, asserted to exist, so the property cannot hold by finding none. */
function some<T>(list: T[], what: string): T[] {
  expect(list.length, `steps where ${what}`).toBeGreaterThan(0);
  return list;
}

function stepsOf(
  machine: ReturnType<typeof createFailoverMachine>,
  path: { steps: Array<{ state: FailoverSnapshot; event: FailoverEvent }> },
): Step[] {
  const steps: Step[] = [];
  // path.steps[i].state is the state reached by path.steps[i].event; the first event is xstate.init.
  for (let i = 1; i < path.steps.length; i++) {
    const before = path.steps[i - 1]!.state;
    const event = path.steps[i]!.event;
    const [after, actions] = transition(machine, before, event);
    const requested = actions
      .filter((a) => a.type === 'requestShift')
      .map((a) => {
        const { primaryPercent, agentsPrimaryPercent } = a.params as {
          primaryPercent: number;
          agentsPrimaryPercent: number;
        };
        return { primaryPercent, agentsPrimaryPercent };
      });
    steps.push({ before, event, after, requested });
  }
  return steps;
}

describe.each(policies)('model-based paths (%s)', (_name, policy) => {
  const machine = createFailoverMachine(policy);
  const paths = getShortestPaths(machine, {
    input: { now: 0 },
    events: eventsFor(policy),
    serializeState: serializeState(policy),
  } as never) as unknown as Array<{ steps: Array<{ state: FailoverSnapshot; event: FailoverEvent }> }>;
  const steps = paths.flatMap((p) => stepsOf(machine, p));

  const staged = failbackSteps(policy).length > 1;
  const desired = (snapshot: FailoverSnapshot) => outlook(policy, snapshot).desiredPrimaryPercent;

  it('reaches every health and automation state, and every failback step', () => {
    const seen = new Set(steps.map((s) => JSON.stringify(s.after.value)));
    const healths = staged
      ? ['healthy', 'degraded', 'failedOver', 'failingBack']
      : ['healthy', 'degraded', 'failedOver'];
    for (const h of healths) {
      for (const automation of ['active', 'paused', 'suspended']) {
        expect(seen, `${h}/${automation}`).toContain(JSON.stringify({ health: h, automation }));
      }
    }
    const stepsSeen = new Set(steps.filter((s) => health(s.after) === 'failingBack').map((s) => desired(s.after)));
    expect([...stepsSeen].sort((a, b) => a - b)).toEqual(failbackSteps(policy).slice(0, -1));
    expect(paths.length).toBeGreaterThan(100);
  });

  it('never moves traffic toward an unhealthy replica unless an operator forced it', () => {
    const towardSickReplica = steps.filter(
      (s) =>
        desired(s.after) < desired(s.before) &&
        firing(policy.signals.replicaUnhealthy, s.after.context.signals).length > 0 &&
        s.event.type !== 'traffic.changedByHand',
    );
    for (const s of some(towardSickReplica, 'traffic moves toward a firing replica')) {
      expect(s.event, `${health(s.before)} -> ${health(s.after)}`).toMatchObject({
        type: 'operator.failoverRequested',
        force: true,
      });
    }
  });

  it('makes no automatic shift while paused or suspended, a failback step included', () => {
    // A split changed by hand is adopted, not made: it is no automatic shift.
    const automatic = steps.filter(
      (s) =>
        position(s.before) !== position(s.after) &&
        !s.event.type.startsWith('operator.') &&
        s.event.type !== 'traffic.changedByHand',
    );
    for (const s of some(automatic, 'an automatic shift')) expect(statesOf(s.before).automation).toBe('active');
    if (staged) {
      expect(automatic.some((s) => health(s.before) === 'failingBack' && health(s.after) === 'failingBack')).toBe(true);
    }
  });

  it('requests exactly the split of the state (or step) it enters, once per change of state or step', () => {
    for (const s of some(steps, 'anything happens')) {
      const moved = position(s.before) !== position(s.after);
      const view = outlook(policy, s.after);
      expect(s.requested).toEqual(
        moved
          ? [{ primaryPercent: view.desiredPrimaryPercent, agentsPrimaryPercent: view.desiredAgentsPrimaryPercent }]
          : [],
      );
    }
  });

  it('keeps agents with telephony outside a failback, and at most agentsLead ahead (never past healthy) during one', () => {
    for (const s of some(steps, 'anything happens')) {
      const view = outlook(policy, s.after);
      const lead = view.desiredAgentsPrimaryPercent - view.desiredPrimaryPercent;
      if (view.health !== 'failingBack') expect(lead).toBe(0);
      else
        expect(lead).toBe(
          Math.min(policy.traffic.agentsLead ?? 0, policy.traffic.healthy - view.desiredPrimaryPercent),
        );
      expect(view.desiredAgentsPrimaryPercent % 10).toBe(0);
    }
  });

  it('holds a failback step in context exactly while failingBack, at an intermediate step', () => {
    for (const s of some(steps, 'anything happens')) {
      const step = s.after.context.failbackStep;
      expect(step !== null, JSON.stringify(s.after.value)).toBe(health(s.after) === 'failingBack');
      if (step) expect(step.index).toBeLessThan(failbackSteps(policy).length - 1);
    }
  });

  it('moves on from a failback step only after its hold with every primary signal OK, and back to failedOver only on a firing one', () => {
    // Whatever event it was (every event carries the clock), the same rule decides.
    const moves = steps.filter(
      (s) =>
        health(s.before) === 'failingBack' &&
        !s.event.type.startsWith('operator.') &&
        s.event.type !== 'traffic.changedByHand' &&
        position(s.after) !== position(s.before),
    );
    if (!staged) {
      expect(moves).toEqual([]);
      return;
    }
    const relapses = moves.filter((s) => health(s.after) === 'failedOver');
    const advances = moves.filter((s) => health(s.after) !== 'failedOver');
    for (const s of some(relapses, 'a failback step relapses')) {
      expect(firing(primaryKeys(policy), s.after.context.signals).length).toBeGreaterThan(0);
    }
    for (const s of some(advances, 'a failback step moves on')) {
      expect(firing(primaryKeys(policy), s.after.context.signals)).toEqual([]);
      // The hold runs from the step's verified shift: an unverified step never moves on.
      const verifiedAt = s.before.context.failbackStep!.verifiedAt;
      expect(verifiedAt).not.toBeNull();
      expect(s.after.context.now - verifiedAt!).toBeGreaterThanOrEqual(failbackStepHoldMs(policy));
      expect(desired(s.after)).toBeGreaterThan(desired(s.before));
    }
  });

  it("starts a step's hold only on a verification of that step's own split, and never restarts it", () => {
    for (const s of steps) {
      if (s.event.type !== 'shift.verified') continue;
      const before = s.before.context.failbackStep;
      const after = s.after.context.failbackStep;
      const ours =
        health(s.before) === 'failingBack' &&
        s.event.primaryPercent === outlook(policy, s.before).desiredPrimaryPercent &&
        s.event.agentsPrimaryPercent === outlook(policy, s.before).desiredAgentsPrimaryPercent;
      // Path events keep the clock of the state they were found in: it may be behind this one's (a step back).
      const now = s.event.now;
      expect(after?.index).toBe(before?.index);
      if (ours && before?.verifiedAt === null) expect(after?.verifiedAt).toBe(now);
      else expect(after?.verifiedAt ?? null).toBe(before?.verifiedAt == null ? null : Math.min(before.verifiedAt, now));
      expect(s.requested).toEqual([]);
    }
    if (staged) expect(steps.filter((s) => s.event.type === 'shift.verified').length).toBeGreaterThan(0);
  });

  it('only --now skips failback steps: an operator failback from failedOver enters the first step', () => {
    const failbacks = steps.filter(
      (s) =>
        s.event.type === 'operator.failbackRequested' &&
        health(s.before) === 'failedOver' &&
        health(s.after) !== 'failedOver',
    );
    expect(failbacks.length).toBeGreaterThan(0);
    for (const s of failbacks) {
      const e = s.event as Extract<FailoverEvent, { type: 'operator.failbackRequested' }>;
      const clear = firing(primaryKeys(policy), s.before.context.signals).length === 0;
      const direct = !staged || e.immediate === true || !clear;
      expect(health(s.after), JSON.stringify(e)).toBe(direct ? 'healthy' : 'failingBack');
    }
  });

  it('leaves suspension only by resume', () => {
    // Shortest paths never pass through a suspended state to go elsewhere (what lies beyond is nearer by
    // another way), so every event is tried from every suspended state the paths reach.
    const key = serializeState(policy);
    const suspended = new Map(
      steps.filter((s) => statesOf(s.after).automation === 'suspended').map((s) => [key(s.after), s.after]),
    );
    const leaving = [...suspended.values()]
      .flatMap((before) =>
        eventsFor(policy)(before).map((event) => ({ before, event, after: transition(machine, before, event)[0] })),
      )
      .filter((s) => statesOf(s.after).automation !== 'suspended');
    for (const s of some(leaving, 'automation leaves suspended')) expect(s.event.type).toBe('operator.resumeRequested');
  });

  it('adopts a split changed by hand and pauses automation, writing nothing new', () => {
    const hand = steps.filter((s) => s.event.type === 'traffic.changedByHand');
    expect(hand.length).toBeGreaterThan(0);
    for (const s of hand) {
      const percent = (s.event as { primaryPercent: number }).primaryPercent;
      const before = statesOf(s.before);
      // During a failback another step's split is that step; otherwise a state's split is that state.
      const step = before.health === 'failingBack' && failbackSteps(policy).slice(0, -1).includes(percent);
      const adopted = step
        ? 'failingBack'
        : (['healthy', 'degraded', 'failedOver'] as const).find((h) => policy.traffic[h] === percent);
      expect(statesOf(s.after).automation).toBe(before.automation === 'active' ? 'paused' : before.automation);
      if (adopted && desired(s.before) !== percent) {
        expect(health(s.after)).toBe(adopted);
        expect(desired(s.after)).toBe(percent);
      } else {
        expect(position(s.after)).toBe(position(s.before));
      }
      // Entering the adopted state requests exactly the split Connect already has.
      expect(s.requested.every((p) => p.primaryPercent === percent)).toBe(true);
    }
  });
});
