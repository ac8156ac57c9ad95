import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { createFailoverMachine, MACHINE_VERSION, restoreSnapshot, statesOf } from '../../state-machines/index.ts';
import { emptyDocument, MachineVersionError, readDocument } from '../../src/controller/document.ts';
import { examplePolicy, MachineDriver, MINUTE } from '../helpers/machine.ts';

/** A document as machine version 1 saved it: failed over, and no `failbackStep` in the context. */
function versionOneDocument(): Record<string, unknown> {
  const machine = createFailoverMachine(examplePolicy());
  const actor = createActor(machine, { input: { now: 1_000 } }).start();
  actor.send({ type: 'operator.failoverRequested', force: true, reason: 'drill', by: 'tester', now: 2_000 });
  const snapshot = JSON.parse(JSON.stringify(actor.getPersistedSnapshot())) as { context: Record<string, unknown> };
  delete snapshot.context['failbackStep'];
  return { ...emptyDocument(snapshot), machineVersion: 1 };
}

/**
 * A document as machine version 2 saved it: at the first of failback steps [20, 50, 100], decided at
 * `decidedAt`, with no `verifiedAt` (version 2 held a step from its decision).
 */
function versionTwoDocument(decidedAt: number): Record<string, unknown> {
  const d = stagedDriver(decidedAt);
  const snapshot = JSON.parse(JSON.stringify(d.machine.getPersistedSnapshot(d.snapshot))) as {
    context: { failbackStep: Record<string, unknown> };
  };
  delete snapshot.context.failbackStep['verifiedAt'];
  return { ...emptyDocument(snapshot), machineVersion: 2 };
}

/** Failed over, cleared, and failing back at step 1 of [20, 50, 100] (2 minute holds) decided at `decidedAt`. */
function stagedDriver(decidedAt: number): MachineDriver {
  const base = examplePolicy();
  const policy = {
    ...base,
    traffic: { ...base.traffic, failbackSteps: [20, 50, 100] },
    timing: { ...base.timing, failbackStepHoldMs: 2 * MINUTE },
  };
  const d = new MachineDriver(policy, decidedAt - MINUTE, 'manual').allOk().alarm('crit', 'ALARM').alarm('crit', 'OK');
  d.now = decidedAt;
  return d.operator('failback');
}

describe('documents of an older machine version', () => {
  it('reads a version 1 document as the current version, at no failback step, keeping its state', () => {
    const doc = readDocument(versionOneDocument(), 'test');
    const machine = createFailoverMachine(examplePolicy());
    const snapshot = restoreSnapshot(machine, doc.snapshot);

    expect(MACHINE_VERSION).toBe(3);
    expect(doc.machineVersion).toBe(MACHINE_VERSION);
    expect(snapshot.context.failbackStep).toBeNull();
    expect(statesOf(snapshot)).toEqual({ health: 'failedOver', automation: 'active' });
  });

  it('reads a version 2 document at a failback step as held from its decision, as version 2 held it', () => {
    const decidedAt = 10 * MINUTE;
    const d = stagedDriver(decidedAt);

    const doc = readDocument(versionTwoDocument(decidedAt), 'test');
    d.snapshot = restoreSnapshot(d.machine, doc.snapshot);
    d.advance(2 * MINUTE);

    expect(doc.machineVersion).toBe(MACHINE_VERSION);
    expect(d.shifts).toEqual([100, 0, 20, 50]);
    expect(d.snapshot.context.failbackStep).toEqual({ index: 1, since: decidedAt + 2 * MINUTE, verifiedAt: null });
  });

  it('refuses a version it does not know', () => {
    expect(() => readDocument({ ...versionOneDocument(), machineVersion: 4 }, 'test')).toThrow(MachineVersionError);
  });
});
