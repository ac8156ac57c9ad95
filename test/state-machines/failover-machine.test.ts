import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { createFailoverMachine, outlook, restoreSnapshot } from '../../state-machines/index.ts';
import { examplePolicy, MachineDriver, MINUTE, SECOND } from '../helpers/machine.ts';

describe('behaviour 1: a critical alarm fails over at once', () => {
  it('moves traffic to traffic.failedOver with the alarm as the reason', () => {
    const d = new MachineDriver(examplePolicy()).allOk();

    d.alarm('crit', 'ALARM');

    expect(d.health).toBe('failedOver');
    expect(d.shifts).toEqual([100, 0]);
    expect(d.lastDecision).toMatchObject({ from: 'healthy', to: 'failedOver', alarms: ['crit'], trigger: 'automatic' });
  });

  it('is blocked while a replicaUnhealthy alarm is in ALARM, and reports why', () => {
    const d = new MachineDriver(examplePolicy()).allOk().alarm('rep', 'ALARM');

    d.alarm('crit', 'ALARM');

    expect(d.health).toBe('healthy');
    expect(outlook(d.policy, d.snapshot).blocked).toMatchObject({ kind: 'replicaUnhealthy' });
    expect(outlook(d.policy, d.snapshot).blocked?.message).toContain('rep in ALARM');
  });

  it('fails over as soon as the replica recovers while the critical alarm still fires', () => {
    const d = new MachineDriver(examplePolicy()).allOk().alarm('rep', 'ALARM').alarm('crit', 'ALARM');

    d.alarm('rep', 'OK');

    expect(d.health).toBe('failedOver');
  });

  it('is blocked while paused, and reports it', () => {
    const d = new MachineDriver(examplePolicy()).allOk().operator('pause');

    d.alarm('crit', 'ALARM');

    expect(d.health).toBe('healthy');
    expect(outlook(d.policy, d.snapshot).blocked?.kind).toBe('paused');
  });

  it('ignores the cooldown when moving away from a failing primary', () => {
    const d = new MachineDriver(examplePolicy()).allOk().alarm('deg', 'ALARM');

    d.advance(1 * SECOND).alarm('crit', 'ALARM');

    expect(d.health).toBe('failedOver');
  });
});

describe('behaviour 2: degraded, then escalation', () => {
  it('moves to traffic.degraded and fails over when still degraded after escalateAfter', () => {
    const d = new MachineDriver(examplePolicy()).allOk().alarm('deg', 'ALARM');
    expect(d.health).toBe('degraded');
    expect(outlook(d.policy, d.snapshot).nextDeadline).toBe(d.now + 5 * MINUTE);

    d.advance(5 * MINUTE - 1);
    expect(d.health).toBe('degraded');
    d.advance(1);

    expect(d.health).toBe('failedOver');
    expect(d.shifts).toEqual([100, 50, 0]);
    expect(d.lastDecision?.reason).toBe('still degraded after escalateAfter');
  });

  it('does not escalate when the degraded alarm is no longer in ALARM at the deadline', () => {
    const d = new MachineDriver(examplePolicy()).allOk().alarm('deg', 'ALARM');

    d.advance(1 * MINUTE)
      .alarm('deg', 'INSUFFICIENT_DATA')
      .advance(10 * MINUTE);

    expect(d.health).toBe('degraded');
  });
});

describe('behaviour 3: recovery', () => {
  it('returns from degraded to healthy after every primary signal is OK for recoverAfter', () => {
    const d = new MachineDriver(examplePolicy()).allOk().alarm('deg', 'ALARM');
    d.advance(1 * MINUTE).alarm('deg', 'OK');

    d.advance(10 * MINUTE - 1);
    expect(d.health).toBe('degraded');
    d.advance(1);

    expect(d.health).toBe('healthy');
    expect(d.shifts).toEqual([100, 50, 100]);
  });

  it('is held back by INSUFFICIENT_DATA on any primary signal', () => {
    const d = new MachineDriver(examplePolicy()).allOk().alarm('deg', 'ALARM');
    d.alarm('deg', 'OK').alarm('crit', 'INSUFFICIENT_DATA');

    d.advance(60 * MINUTE);

    expect(d.health).toBe('degraded');
    d.alarm('crit', 'OK').advance(10 * MINUTE);
    expect(d.health).toBe('healthy');
  });

  it('waits for the cooldown since the last shift before moving back toward the primary', () => {
    const policy = examplePolicy({
      timing: { ...examplePolicy().timing, recoverAfterMs: 1 * MINUTE, cooldownMs: 5 * MINUTE },
    });
    const d = new MachineDriver(policy).allOk().alarm('deg', 'ALARM').alarm('deg', 'OK');

    d.advance(1 * MINUTE);
    expect(d.health).toBe('degraded');
    expect(outlook(policy, d.snapshot).blocked).toMatchObject({ kind: 'waiting', until: d.now + 4 * MINUTE });
    d.advance(4 * MINUTE);

    expect(d.health).toBe('healthy');
  });

  it('with failback: manual stays failed over until the failback command', () => {
    const d = new MachineDriver(examplePolicy()).allOk().alarm('crit', 'ALARM').alarm('crit', 'OK');

    d.advance(120 * MINUTE);
    expect(d.health).toBe('failedOver');
    d.operator('failback');

    expect(d.health).toBe('healthy');
    expect(d.shifts).toEqual([100, 0, 100]);
  });

  it('with failback: automatic returns to healthy after recoverAfter', () => {
    const d = new MachineDriver(examplePolicy({ failback: 'automatic' }))
      .allOk()
      .alarm('crit', 'ALARM')
      .alarm('crit', 'OK');

    d.advance(10 * MINUTE);

    expect(d.health).toBe('healthy');
  });

  it('does not fail back automatically from an operator failover', () => {
    const d = new MachineDriver(examplePolicy({ failback: 'automatic' })).allOk().operator('failover');

    d.advance(120 * MINUTE);

    expect(d.health).toBe('failedOver');
    expect(d.snapshot.context.operatorHold).toBe(true);
  });
});

describe('behaviour 6: limits and operator commands', () => {
  it('suspends automation instead of making a shift beyond maxAutomaticShifts', () => {
    const policy = examplePolicy({
      failback: 'automatic',
      timing: {
        escalateAfterMs: MINUTE,
        recoverAfterMs: MINUTE,
        cooldownMs: 0,
        maxAutomaticShifts: { count: 2, perMs: 60 * MINUTE },
      },
    });
    const d = new MachineDriver(policy).allOk();
    d.alarm('crit', 'ALARM').alarm('crit', 'OK').advance(MINUTE);
    expect(d.health).toBe('healthy');

    d.alarm('crit', 'ALARM');

    expect(d.health).toBe('healthy');
    expect(d.automation).toBe('suspended');
    expect(d.lastDecision).toMatchObject({ region: 'automation', to: 'suspended', alarms: ['crit'] });
  });

  it('lets the window slide: old shifts stop counting after maxAutomaticShifts.per', () => {
    const policy = examplePolicy({
      failback: 'automatic',
      timing: {
        escalateAfterMs: MINUTE,
        recoverAfterMs: MINUTE,
        cooldownMs: 0,
        maxAutomaticShifts: { count: 2, perMs: 10 * MINUTE },
      },
    });
    const d = new MachineDriver(policy).allOk();
    d.alarm('crit', 'ALARM').alarm('crit', 'OK').advance(MINUTE);

    d.advance(10 * MINUTE).alarm('crit', 'ALARM');

    expect(d.automation).toBe('active');
    expect(d.health).toBe('failedOver');
  });

  it('refuses an operator failover while the replica is unhealthy, unless forced', () => {
    const d = new MachineDriver(examplePolicy()).allOk().alarm('rep', 'ALARM');

    d.operator('failover');
    expect(d.health).toBe('healthy');
    expect(d.snapshot.context.lastCommand).toMatchObject({ command: 'failover', accepted: false });
    expect(d.snapshot.context.lastCommand?.detail).toContain('--force');

    d.operator('failover', { force: true });
    expect(d.health).toBe('failedOver');
    expect(d.lastDecision).toMatchObject({ trigger: 'operator', by: 'tester' });
  });

  it('lets operator commands through while paused, suspended or cooling down', () => {
    const d = new MachineDriver(examplePolicy()).allOk().operator('pause');

    d.operator('failover');
    expect(d.health).toBe('failedOver');
    d.operator('failback');

    expect(d.health).toBe('healthy');
    expect(d.shifts).toEqual([100, 0, 100]);
  });

  it('refuses a failback while a primary signal is in ALARM unless forced, and a forced one pauses automation', () => {
    const d = new MachineDriver(examplePolicy()).allOk().alarm('crit', 'ALARM');

    d.operator('failback');
    expect(d.health).toBe('failedOver');
    expect(d.snapshot.context.lastCommand?.accepted).toBe(false);

    d.operator('failback', { force: true });
    expect(d.health).toBe('healthy');
    expect(d.automation).toBe('paused');
    expect(d.snapshot.context.automationReason).toContain('forced failback');
  });
});

describe('behaviour 7: pause and resume', () => {
  it('tracks signals while paused and re-evaluates at once on resume', () => {
    const d = new MachineDriver(examplePolicy()).allOk().operator('pause').alarm('crit', 'ALARM');
    expect(d.health).toBe('healthy');

    d.operator('resume');

    expect(d.automation).toBe('active');
    expect(d.health).toBe('failedOver');
  });

  it('leaves suspension only by resume; pause does not', () => {
    const policy = examplePolicy({
      failback: 'automatic',
      timing: {
        escalateAfterMs: MINUTE,
        recoverAfterMs: MINUTE,
        cooldownMs: 0,
        maxAutomaticShifts: { count: 1, perMs: 60 * MINUTE },
      },
    });
    const d = new MachineDriver(policy).allOk().alarm('deg', 'ALARM').alarm('crit', 'ALARM');
    expect(d.automation).toBe('suspended');

    d.operator('pause');
    expect(d.automation).toBe('suspended');
    d.operator('resume');

    expect(d.automation).toBe('active');
    expect(d.health).toBe('failedOver');
  });
});

describe('deduplication and ordering (behaviour 4, the statechart part)', () => {
  it('ignores a duplicate or older alarm-state timestamp and unknown alarms', () => {
    const d = new MachineDriver(examplePolicy()).allOk();
    d.alarm('crit', 'ALARM', 100).alarm('crit', 'OK', 200);
    d.operator('failback');
    expect(d.health).toBe('healthy');

    d.alarm('crit', 'ALARM', 100).alarm('crit', 'ALARM', 200).alarm('not-configured', 'ALARM', 300);

    expect(d.health).toBe('healthy');
    expect(d.snapshot.context.signals['not-configured']).toBeUndefined();
  });
});

describe('persistence', () => {
  it('restores a persisted snapshot with its deadlines: escalation still happens after a restart', () => {
    const policy = examplePolicy();
    const machine = createFailoverMachine(policy);
    const first = createActor(machine, { input: { now: 0 } }).start();
    first.send({ type: 'alarms.observed', alarms: [{ alarm: 'deg', value: 'ALARM', at: 1 }], now: 1 });
    const persisted = JSON.parse(JSON.stringify(first.getPersistedSnapshot()));
    first.stop();

    const second = createActor(machine, { snapshot: restoreSnapshot(machine, persisted), input: { now: 0 } }).start();
    second.send({ type: 'clock.ticked', now: 1 + 5 * MINUTE });

    expect(second.getSnapshot().value).toEqual({ health: 'failedOver', automation: 'active' });
  });
});
