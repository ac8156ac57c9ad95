/** CommandIntake on its own: the real journal and statechart, a document in memory, a manual clock. */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { createFailoverMachine, statesOf } from '../../state-machines/index.ts';
import type { FailoverEvent, FailoverSnapshot } from '../../state-machines/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { CommandIntake } from '../../src/controller/command-intake.ts';
import { DecisionJournal } from '../../src/controller/decision-journal.ts';
import { emptyDocument } from '../../src/controller/document.ts';
import { policyOf } from '../../src/domain/policy.ts';
import { normalizeMessage } from '../../src/events/normalize.ts';
import { encodeOperatorCommand } from '../../src/events/normalize.ts';
import type { OperatorCommand } from '../../src/events/types.ts';
import { CONFIG, message, silentLogger } from '../helpers/controller-fixtures.ts';

const ID = '6f1c9a52-3b1e-4c8e-9d2a-0b7e5f4a1c11';

/** The intake over a statechart stepped with the pure `transition`, recording the events it was sent. */
function setup() {
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 12));
  const policy = policyOf(CONFIG);
  const machine = createFailoverMachine(policy);
  let snapshot: FailoverSnapshot = initialTransition(machine, { now: clock.now() })[0];
  const sent: FailoverEvent[] = [];
  const target = {
    send: (event: FailoverEvent) => {
      sent.push(event);
      snapshot = transition(machine, snapshot, event)[0];
    },
    outcome: () => snapshot.context.lastCommand,
  };
  const intake = new CommandIntake({
    journal: new DecisionJournal(policy, clock, silentLogger),
    clock,
    logger: silentLogger,
    hooks: {},
  });
  return { intake, target, sent, doc: emptyDocument({}), snapshot: () => snapshot };
}

const command = (name: OperatorCommand['command'], id = ID) =>
  normalizeMessage(
    encodeOperatorCommand({ id, command: name, reason: 'drill', force: false, requestedBy: 'op', requestedAt: 0 }),
  ) as OperatorCommand;

describe('CommandIntake', () => {
  it('applies a command once: its redelivery changes nothing', () => {
    const { intake, target, sent, doc, snapshot } = setup();

    const first = intake.apply(doc, message('c', 'm1'), command('failover'), target);
    const again = intake.apply(doc, message('c', 'm2'), command('failover'), target);

    expect({ first, again }).toEqual({ first: true, again: false });
    expect(sent.map((e) => e.type)).toEqual(['operator.failoverRequested']);
    expect(statesOf(snapshot()).health).toBe('failedOver');
    expect(doc.commandIds).toEqual([ID]);
  });

  it('records the command in the history with the outcome the statechart gave it', () => {
    const { intake, target, doc } = setup();

    intake.apply(doc, message('c'), command('failover'), target);

    expect(doc.history.map((e) => e.kind)).toEqual(['command']);
    expect(doc.history[0]).toMatchObject({
      commandId: ID,
      command: 'failover',
      accepted: true,
      outcome: 'failover accepted: healthy -> failedOver',
    });
  });

  it('records a command the statechart refused as refused, with why', () => {
    const { intake, target, doc } = setup();
    target.send({ type: 'alarm.changed', alarm: 'connect-primary-outage', value: 'ALARM', at: 1, now: 1 });

    intake.apply(doc, message('c'), command('failback', '7f1c9a52-3b1e-4c8e-9d2a-0b7e5f4a1c11'), target);

    expect(doc.history.at(-1)).toMatchObject({ kind: 'command', accepted: false });
    expect(doc.history.at(-1)?.detail).toContain('refused: primary signals in ALARM');
  });
});
