import { describe, expect, it } from 'vitest';
import { outlook, restoreSnapshot } from '../../state-machines/index.ts';
import type { FailoverPolicy } from '../../state-machines/index.ts';
import { examplePolicy, MachineDriver, MINUTE, SECOND } from '../helpers/machine.ts';

const HOLD = 2 * MINUTE;

/** The contract's example with failback steps [20, 50, 100] held for 2 minutes each. */
function stagedPolicy(
  overrides: { failback?: FailoverPolicy['failback']; agentsLead?: number; count?: number } = {},
): FailoverPolicy {
  const base = examplePolicy();
  return examplePolicy({
    failback: overrides.failback ?? 'manual',
    traffic: {
      ...base.traffic,
      failbackSteps: [20, 50, 100],
      ...(overrides.agentsLead === undefined ? {} : { agentsLead: overrides.agentsLead }),
    },
    timing: {
      ...base.timing,
      failbackStepHoldMs: HOLD,
      maxAutomaticShifts: { count: overrides.count ?? 4, perMs: 60 * MINUTE },
    },
  });
}

/**
 * Failed over on a critical alarm that has since cleared: ready to fail back. `verify: 'manual'`: no shift
 * is verified until the test says so (by default each is verified in the instant it is requested).
 */
function failedOverAndClear(policy = stagedPolicy(), verify: 'instant' | 'manual' = 'instant'): MachineDriver {
  return new MachineDriver(policy, undefined, verify)
    .allOk()
    .alarm('crit', 'ALARM')
    .advance(MINUTE)
    .alarm('crit', 'OK');
}

describe('behaviour 12: staged failback', () => {
  it('moves through [20, 50, 100], holding each step for failbackStepHold while every primary signal is OK', () => {
    const d = failedOverAndClear();

    d.operator('failback');
    const first = outlook(d.policy, d.snapshot);
    d.advance(HOLD - 1);
    const stillFirst = d.health;
    d.advance(1);
    const second = outlook(d.policy, d.snapshot);
    d.advance(HOLD);

    expect(first).toMatchObject({
      health: 'failingBack',
      desiredPrimaryPercent: 20,
      failback: { step: 1, of: 3, primaryPercent: 20, holdUntil: first.nextDeadline },
    });
    expect(first.nextDeadline).toBe(d.now - 2 * HOLD + HOLD);
    expect(stillFirst).toBe('failingBack');
    expect(second).toMatchObject({ health: 'failingBack', desiredPrimaryPercent: 50, failback: { step: 2, of: 3 } });
    expect(d.health).toBe('healthy');
    expect(d.shifts).toEqual([100, 0, 20, 50, 100]);
    expect(d.snapshot.context.decisions.slice(-3).map((x) => [x.from, x.to, x.primaryPercent, x.trigger])).toEqual([
      ['failedOver', 'failingBack', 20, 'operator'],
      ['failingBack', 'failingBack', 50, 'automatic'],
      ['failingBack', 'healthy', 100, 'automatic'],
    ]);
    expect(d.lastDecision?.reason).toBe(
      'failback step 2 of 3 (50%) held for failbackStepHold with every primary signal OK',
    );
  });

  it('with failback: automatic follows the same steps after recoverAfter, counting the failback once toward maxAutomaticShifts', () => {
    // A limit of 2 fits a failover and its failback; were each step counted, the second step would suspend.
    const d = failedOverAndClear(stagedPolicy({ failback: 'automatic', count: 2 }));

    d.advance(10 * MINUTE);
    const started = d.health;
    d.advance(HOLD).advance(HOLD);

    expect(started).toBe('failingBack');
    expect(d.health).toBe('healthy');
    expect(d.automation).toBe('active');
    expect(d.shifts).toEqual([100, 0, 20, 50, 100]);
    expect(d.snapshot.context.automaticShifts).toHaveLength(2);
  });

  it.each([
    ['critical', 'crit'],
    ['degraded', 'deg'],
  ])(
    'returns to failedOver at once when a %s signal goes into ALARM during a step, with no cooldown',
    (_role, alarm) => {
      const d = failedOverAndClear().operator('failback').advance(HOLD);

      d.advance(1 * SECOND).alarm(alarm, 'ALARM');

      expect(d.health).toBe('failedOver');
      expect(d.shifts).toEqual([100, 0, 20, 50, 0]);
      expect(d.lastDecision).toMatchObject({
        from: 'failingBack',
        to: 'failedOver',
        alarms: [alarm],
        trigger: 'automatic',
        reason: 'primary signal in ALARM during failback step 2 of 3 (50%)',
      });
      expect(d.snapshot.context.failbackStep).toBeNull();
    },
  );

  it('holds a step without relapse while a signal is INSUFFICIENT_DATA, and restarts the hold once it is OK', () => {
    const d = failedOverAndClear().operator('failback');

    d.advance(MINUTE)
      .alarm('deg', 'INSUFFICIENT_DATA')
      .advance(5 * MINUTE);
    const held = { health: d.health, failback: outlook(d.policy, d.snapshot).failback };
    d.alarm('deg', 'OK').advance(HOLD - 1);
    const beforeHold = d.shifts.at(-1);
    d.advance(1);

    expect(held).toEqual({ health: 'failingBack', failback: expect.objectContaining({ step: 1, holdUntil: null }) });
    expect(beforeHold).toBe(20);
    expect(d.shifts.at(-1)).toBe(50);
  });

  it('blocks the relapse while the replica is unhealthy, and says so', () => {
    const d = failedOverAndClear().operator('failback').alarm('rep', 'ALARM');

    d.alarm('crit', 'ALARM');

    expect(d.health).toBe('failingBack');
    expect(outlook(d.policy, d.snapshot).blocked).toMatchObject({
      kind: 'replicaUnhealthy',
      message: 'failover (crit) blocked: replica unhealthy (rep in ALARM)',
    });
  });

  it('skips the steps with failback --now, from failedOver or during a step', () => {
    const fromFailedOver = failedOverAndClear().operator('failback', { now: true });
    const duringStep = failedOverAndClear().operator('failback');

    duringStep.operator('failback', { now: true });

    expect(fromFailedOver.shifts).toEqual([100, 0, 100]);
    expect(fromFailedOver.lastDecision?.reason).toBe('operator failback --now: test failback');
    expect(duringStep.health).toBe('healthy');
    expect(duringStep.shifts).toEqual([100, 0, 20, 100]);
  });

  it('acknowledges a failback without --now during a step and carries on with the steps', () => {
    const d = failedOverAndClear().operator('failback');
    const seq = d.snapshot.context.seq;

    d.advance(MINUTE).operator('failback');

    expect(d.health).toBe('failingBack');
    expect(d.snapshot.context.seq).toBe(seq);
    expect(d.snapshot.context.lastCommand).toMatchObject({
      accepted: true,
      detail: expect.stringContaining('already failing back (step 1 of 3, 20% primary)'),
    });
    expect(outlook(d.policy, d.snapshot).nextDeadline).toBe(d.now - MINUTE + HOLD);
  });

  it('goes straight back on a forced failback against a firing primary signal, and pauses automation', () => {
    // A step holds only while every primary signal is OK: a staged return could not get past its first step.
    const d = new MachineDriver(stagedPolicy()).allOk().alarm('crit', 'ALARM');

    d.operator('failback', { force: true });

    expect(d.health).toBe('healthy');
    expect(d.automation).toBe('paused');
    expect(d.shifts).toEqual([100, 0, 100]);
  });

  it('freezes the step while paused: no next step after the hold and no relapse, until resume re-evaluates', () => {
    const d = failedOverAndClear().operator('failback').operator('pause');

    d.advance(2 * HOLD);
    const frozen = {
      health: d.health,
      failback: outlook(d.policy, d.snapshot).failback,
      blocked: outlook(d.policy, d.snapshot).blocked,
    };
    d.alarm('crit', 'ALARM');
    const noRelapse = d.health;
    d.operator('resume');

    expect(frozen).toEqual({
      health: 'failingBack',
      failback: expect.objectContaining({ step: 1, holdUntil: null, frozen: true }),
      blocked: expect.objectContaining({ kind: 'paused', message: 'next failback step blocked: automation is paused' }),
    });
    expect(noRelapse).toBe('failingBack');
    expect(outlook(d.policy, d.snapshot).nextDeadline).toBeNull();
    expect(d.health).toBe('failedOver');
    expect(d.shifts).toEqual([100, 0, 20, 0]);
  });

  it('goes on to the next step at once on resume when the hold passed while paused with every signal OK', () => {
    const d = failedOverAndClear().operator('failback').operator('pause').advance(HOLD);

    d.operator('resume');

    expect(d.shifts).toEqual([100, 0, 20, 50]);
  });

  it('keeps the step and its hold across a persist and restore', () => {
    const d = failedOverAndClear().operator('failback').advance(HOLD).advance(MINUTE);
    const persisted: unknown = JSON.parse(JSON.stringify(d.machine.getPersistedSnapshot(d.snapshot)));

    d.snapshot = restoreSnapshot(d.machine, persisted);
    const restored = outlook(d.policy, d.snapshot);
    d.advance(MINUTE - 1);
    const beforeHold = d.health;
    d.advance(1);

    expect(restored).toMatchObject({
      health: 'failingBack',
      desiredPrimaryPercent: 50,
      failback: { step: 2, of: 3, holdUntil: d.now },
    });
    expect(beforeHold).toBe('failingBack');
    expect(d.health).toBe('healthy');
  });

  it('goes on from the last step before healthy when restored under a config with fewer steps', () => {
    const d = failedOverAndClear().operator('failback').advance(HOLD);
    const persisted: unknown = JSON.parse(JSON.stringify(d.machine.getPersistedSnapshot(d.snapshot)));
    const base = stagedPolicy();
    const fewer = new MachineDriver({ ...base, traffic: { ...base.traffic, failbackSteps: [20, 100] } });
    fewer.now = d.now;

    fewer.snapshot = restoreSnapshot(fewer.machine, persisted);
    const restored = outlook(fewer.policy, fewer.snapshot);
    fewer.advance(HOLD);

    expect(restored).toMatchObject({ health: 'failingBack', desiredPrimaryPercent: 20, failback: { step: 1, of: 2 } });
    expect(fewer.health).toBe('healthy');
  });

  it('adopts a split changed by hand during a step: another step is that step, a state split is the state', () => {
    const toStep = failedOverAndClear().operator('failback');
    const toHealthy = failedOverAndClear().operator('failback');

    toStep.advance(MINUTE).send({ type: 'traffic.changedByHand', primaryPercent: 50, now: toStep.now });
    toHealthy.send({ type: 'traffic.changedByHand', primaryPercent: 100, now: toHealthy.now });

    expect({ health: toStep.health, automation: toStep.automation }).toEqual({
      health: 'failingBack',
      automation: 'paused',
    });
    // Connect was read at the step's split: it is in place, so its hold starts at once.
    expect(toStep.snapshot.context.failbackStep).toEqual({ index: 1, since: toStep.now, verifiedAt: toStep.now });
    expect(toStep.snapshot.context.decisions.findLast((x) => x.region === 'health')).toMatchObject({
      from: 'failingBack',
      to: 'failingBack',
      trigger: 'hand',
      primaryPercent: 50,
    });
    expect(toStep.shifts.at(-1)).toBe(50);
    expect({ health: toHealthy.health, automation: toHealthy.automation }).toEqual({
      health: 'healthy',
      automation: 'paused',
    });
  });

  it('suspends instead of a relapse beyond maxAutomaticShifts, and never for a step', () => {
    const d = failedOverAndClear(stagedPolicy({ failback: 'automatic', count: 2 }))
      .advance(10 * MINUTE)
      .advance(HOLD);

    d.alarm('crit', 'ALARM');

    expect(d.health).toBe('failingBack');
    expect(d.automation).toBe('suspended');
  });
});

describe('each step is a verified shift: its hold runs from the verification (shift.verified)', () => {
  it('holds a step from its verified shift, not from its decision, and shows no deadline until then', () => {
    const d = failedOverAndClear(stagedPolicy(), 'manual').operator('failback');
    const decidedAt = d.now;

    d.advance(10 * MINUTE);
    const unverified = outlook(d.policy, d.snapshot);
    d.verify();
    const verifiedAt = d.now;
    const verified = outlook(d.policy, d.snapshot);
    d.advance(HOLD - 1);
    const beforeHold = d.health === 'failingBack' && d.shifts.at(-1);
    d.advance(1);

    expect(unverified).toMatchObject({
      health: 'failingBack',
      desiredPrimaryPercent: 20,
      nextDeadline: null,
      failback: { step: 1, holdUntil: null, verified: false, frozen: false },
    });
    expect(verified).toMatchObject({
      nextDeadline: verifiedAt + HOLD,
      failback: { step: 1, holdUntil: verifiedAt + HOLD, verified: true },
    });
    expect(verifiedAt - decidedAt).toBe(10 * MINUTE);
    expect(beforeHold).toBe(20);
    expect(d.shifts).toEqual([100, 0, 20, 50]);
    // The next step is a shift of its own, not verified yet.
    expect(outlook(d.policy, d.snapshot)).toMatchObject({ nextDeadline: null, failback: { step: 2, verified: false } });
  });

  it.each([
    ['the previous state', { primaryPercent: 0, agentsPrimaryPercent: 0 }],
    ['the next step', { primaryPercent: 50, agentsPrimaryPercent: 60 }],
    ["the step's telephony with agents not leading", { primaryPercent: 20, agentsPrimaryPercent: 20 }],
  ])('starts no hold on a verification of another split (%s)', (_what, split) => {
    const d = failedOverAndClear(stagedPolicy({ agentsLead: 10 }), 'manual').operator('failback');
    const before = d.snapshot.context;

    d.advance(MINUTE).verify(split).advance(HOLD);

    expect(d.snapshot.context.failbackStep).toEqual(before.failbackStep);
    expect(d.snapshot.context.seq).toBe(before.seq);
    expect(outlook(d.policy, d.snapshot)).toMatchObject({ nextDeadline: null, failback: { step: 1, verified: false } });
    expect(d.shifts).toEqual([100, 0, 20]);
  });

  it('delays the next step by exactly as long as the shift took to verify', () => {
    const SLOW = 97 * SECOND;
    const prompt = failedOverAndClear(stagedPolicy(), 'manual').operator('failback').verify();
    const slow = failedOverAndClear(stagedPolicy(), 'manual').operator('failback');

    prompt.advance(HOLD).verify().advance(HOLD);
    slow.advance(SLOW).verify().advance(HOLD).advance(SLOW).verify().advance(HOLD);

    const stepTimes = (d: MachineDriver) =>
      d.snapshot.context.decisions.filter((x) => x.from === 'failingBack').map((x) => [x.to, x.at]);
    const start = prompt.snapshot.context.decisions.findLast(
      (x) => x.to === 'failingBack' && x.from === 'failedOver',
    )!.at;
    expect(stepTimes(prompt)).toEqual([
      ['failingBack', start + HOLD],
      ['healthy', start + 2 * HOLD],
    ]);
    expect(stepTimes(slow)).toEqual([
      ['failingBack', start + SLOW + HOLD],
      ['healthy', start + 2 * (SLOW + HOLD)],
    ]);
  });

  it('does not restart a hold under way on a second verification of the same split (a re-check)', () => {
    const d = failedOverAndClear(stagedPolicy(), 'manual').operator('failback').verify();
    const heldFrom = d.now;

    d.advance(MINUTE)
      .verify()
      .advance(HOLD - MINUTE);

    expect(d.shifts).toEqual([100, 0, 20, 50]);
    expect(d.lastDecision).toMatchObject({ from: 'failingBack', to: 'failingBack', at: heldFrom + HOLD });
  });

  it('keeps an unverified step unverified across a persist and restore, and holds it from a verification after', () => {
    const d = failedOverAndClear(stagedPolicy(), 'manual').operator('failback').advance(MINUTE);
    const persisted: unknown = JSON.parse(JSON.stringify(d.machine.getPersistedSnapshot(d.snapshot)));

    d.snapshot = restoreSnapshot(d.machine, persisted);
    const restored = outlook(d.policy, d.snapshot).failback;
    d.verify().advance(HOLD);

    expect(restored).toMatchObject({ step: 1, verified: false, holdUntil: null });
    expect(d.shifts).toEqual([100, 0, 20, 50]);
  });

  it('lets a verification that comes in while a signal is not OK count, the hold starting once all are OK', () => {
    const d = failedOverAndClear(stagedPolicy(), 'manual').operator('failback').alarm('deg', 'INSUFFICIENT_DATA');

    d.verify().advance(5 * MINUTE);
    const held = outlook(d.policy, d.snapshot).failback;
    d.alarm('deg', 'OK');
    const okAt = d.now;

    expect(held).toMatchObject({ verified: true, holdUntil: null });
    expect(outlook(d.policy, d.snapshot).nextDeadline).toBe(okAt + HOLD);
  });
});

describe('agents lead telephony on the way back (traffic.agentsLead)', () => {
  it('puts agents 10 points ahead at each step, capped at healthy, and moves them with telephony on the way out', () => {
    const d = failedOverAndClear(stagedPolicy({ agentsLead: 10 }));

    d.operator('failback').advance(HOLD).advance(HOLD);

    expect(d.shifts).toEqual([100, 0, 20, 50, 100]);
    expect(d.agentShifts).toEqual([100, 0, 30, 60, 100]);
  });

  it('caps the lead at traffic.healthy', () => {
    const d = failedOverAndClear(stagedPolicy({ agentsLead: 70 }));

    d.operator('failback').advance(HOLD);

    expect(d.agentShifts).toEqual([100, 0, 90, 100]);
    expect(outlook(d.policy, d.snapshot)).toMatchObject({
      desiredPrimaryPercent: 50,
      desiredAgentsPrimaryPercent: 100,
    });
  });
});

describe('one failback step (the default) is the failback of before', () => {
  it('goes from failedOver straight to healthy, agents with telephony', () => {
    const d = failedOverAndClear(examplePolicy());

    d.operator('failback');

    expect(d.health).toBe('healthy');
    expect(d.shifts).toEqual([100, 0, 100]);
    expect(d.agentShifts).toEqual(d.shifts);
    expect(outlook(d.policy, d.snapshot).failback).toBeNull();
  });
});
