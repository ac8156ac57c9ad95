import { describe, expect, it } from 'vitest';
import { transition } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { createFailoverMachine, firing, primaryKeys, statesOf } from '../../state-machines/index.ts';
import type { AlarmValue, FailoverEvent, FailoverPolicy, FailoverSnapshot } from '../../state-machines/index.ts';
import { examplePolicy, MINUTE } from '../helpers/machine.ts';

/** Model-based tests: every reachable (state, signals, hold, window) combination, invariants on every step. */
const policies: Array<[string, FailoverPolicy]> = [
  ['manual failback', examplePolicy()],
  [
    'automatic failback, a tight shift limit',
    examplePolicy({
      failback: 'automatic',
      timing: { escalateAfterMs: 5 * MINUTE, recoverAfterMs: 10 * MINUTE, cooldownMs: 2 * MINUTE, maxAutomaticShifts: { count: 2, perMs: 60 * MINUTE } },
    }),
  ],
];

/** Events offered in every state: each alarm to each value (newer timestamp), clock jumps and every operator command. */
function eventsFor(policy: FailoverPolicy) {
  return (snapshot: FailoverSnapshot): FailoverEvent[] => {
    const ctx = snapshot.context;
    const now = ctx.now;
    const alarms = [...primaryKeys(policy), ...policy.signals.replicaUnhealthy];
    const values: AlarmValue[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
    const op = { reason: 'model', by: 'graph', now };
    return [
      ...alarms.flatMap((alarm) => values.map((value) => ({ type: 'alarm.changed' as const, alarm, value, at: (ctx.signals[alarm]?.at ?? 0) + 1, now }))),
      { type: 'clock.ticked', now: now + policy.timing.escalateAfterMs },
      { type: 'clock.ticked', now: now + policy.timing.recoverAfterMs },
      { type: 'operator.failoverRequested', force: false, ...op },
      { type: 'operator.failoverRequested', force: true, ...op },
      { type: 'operator.failbackRequested', force: false, ...op },
      { type: 'operator.failbackRequested', force: true, ...op },
      { type: 'operator.pauseRequested', ...op },
      { type: 'operator.resumeRequested', ...op },
    ];
  };
}

/** State identity without timestamps or counters, so the traversal is finite. */
function serializeState(policy: FailoverPolicy) {
  return (snapshot: FailoverSnapshot): string => {
    const ctx = snapshot.context;
    const signals = Object.entries(ctx.signals).map(([k, v]) => `${k}=${v.value}`).sort();
    const window = ctx.automaticShifts.filter((t) => t > ctx.now - policy.timing.maxAutomaticShifts.perMs).length;
    return JSON.stringify([snapshot.value, signals, ctx.operatorHold, window, ctx.okSince === null]);
  };
}

interface Step {
  before: FailoverSnapshot;
  event: FailoverEvent;
  after: FailoverSnapshot;
  requested: number[];
}

function stepsOf(machine: ReturnType<typeof createFailoverMachine>, path: { steps: Array<{ state: FailoverSnapshot; event: FailoverEvent }> }): Step[] {
  const steps: Step[] = [];
  // path.steps[i].state is the state reached by path.steps[i].event; the first event is xstate.init.
  for (let i = 1; i < path.steps.length; i++) {
    const before = path.steps[i - 1]!.state;
    const event = path.steps[i]!.event;
    const [after, actions] = transition(machine, before, event);
    const requested = actions.filter((a) => a.type === 'requestShift').map((a) => (a.params as { primaryPercent: number }).primaryPercent);
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

  it('reaches every health and automation state', () => {
    const seen = new Set(steps.map((s) => JSON.stringify(s.after.value)));
    for (const health of ['healthy', 'degraded', 'failedOver']) {
      for (const automation of ['active', 'paused', 'suspended']) {
        expect(seen, `${health}/${automation}`).toContain(JSON.stringify({ health, automation }));
      }
    }
    expect(paths.length).toBeGreaterThan(100);
  });

  it('never moves traffic toward an unhealthy replica unless an operator forced it', () => {
    for (const s of steps) {
      const from = statesOf(s.before).health;
      const to = statesOf(s.after).health;
      const away = policy.traffic[to] < policy.traffic[from];
      const replicaFiring = firing(policy.signals.replicaUnhealthy, s.after.context.signals).length > 0;
      if (away && replicaFiring) {
        expect(s.event, `${from} -> ${to}`).toMatchObject({ type: 'operator.failoverRequested', force: true });
      }
    }
  });

  it('makes no automatic shift while paused or suspended', () => {
    for (const s of steps) {
      const moved = statesOf(s.before).health !== statesOf(s.after).health;
      if (moved && !s.event.type.startsWith('operator.')) {
        expect(statesOf(s.before).automation).toBe('active');
      }
    }
  });

  it('requests exactly the configured split of the state it enters, once per change of state', () => {
    for (const s of steps) {
      const to = statesOf(s.after).health;
      const moved = statesOf(s.before).health !== to;
      expect(s.requested).toEqual(moved ? [policy.traffic[to]] : []);
    }
  });

  it('leaves suspension only by resume', () => {
    for (const s of steps) {
      if (statesOf(s.before).automation === 'suspended' && statesOf(s.after).automation !== 'suspended') {
        expect(s.event.type).toBe('operator.resumeRequested');
      }
    }
  });
});
