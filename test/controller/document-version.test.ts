import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { createFailoverMachine, MACHINE_VERSION, restoreSnapshot, statesOf } from '../../state-machines/index.ts';
import { emptyDocument, MachineVersionError, readDocument } from '../../src/controller/document.ts';
import { examplePolicy } from '../helpers/machine.ts';

/** A document as machine version 1 saved it: failed over, and no `failbackStep` in the context. */
function versionOneDocument(): Record<string, unknown> {
  const machine = createFailoverMachine(examplePolicy());
  const actor = createActor(machine, { input: { now: 1_000 } }).start();
  actor.send({ type: 'operator.failoverRequested', force: true, reason: 'drill', by: 'tester', now: 2_000 });
  const snapshot = JSON.parse(JSON.stringify(actor.getPersistedSnapshot())) as { context: Record<string, unknown> };
  delete snapshot.context['failbackStep'];
  return { ...emptyDocument(snapshot), machineVersion: 1 };
}

describe('documents of an older machine version', () => {
  it('reads a version 1 document as the current version, at no failback step, keeping its state', () => {
    const doc = readDocument(versionOneDocument(), 'test');
    const machine = createFailoverMachine(examplePolicy());
    const snapshot = restoreSnapshot(machine, doc.snapshot);

    expect(MACHINE_VERSION).toBe(2);
    expect(doc.machineVersion).toBe(MACHINE_VERSION);
    expect(snapshot.context.failbackStep).toBeNull();
    expect(statesOf(snapshot)).toEqual({ health: 'failedOver', automation: 'active' });
  });

  it('refuses a version it does not know', () => {
    expect(() => readDocument({ ...versionOneDocument(), machineVersion: 3 }, 'test')).toThrow(MachineVersionError);
  });
});
