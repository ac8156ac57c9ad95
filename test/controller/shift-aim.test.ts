/** ShiftAim on its own: the real shift book and statechart, a reconciler stand-in that records what it is told. */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { createFailoverMachine } from '../../state-machines/index.ts';
import type { FailoverPolicy } from '../../state-machines/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { emptyDocument } from '../../src/controller/document.ts';
import type { Target } from '../../src/controller/reconciler.ts';
import { ShiftAim } from '../../src/controller/shift-aim.ts';
import { ShiftBook } from '../../src/controller/shift-book.ts';
import { policyOf } from '../../src/domain/policy.ts';
import { CONFIG, silentLogger } from '../helpers/controller-fixtures.ts';

const NOW = Date.UTC(2026, 11, 1, 12);

/** An aim over a reconciler that only records its targets, and a snapshot failed over by an operator. */
function setup(options: { dryRun?: boolean; policy?: FailoverPolicy } = {}) {
  const policy = options.policy ?? policyOf(CONFIG);
  const wanted: Target[] = [];
  const held = { count: 0 };
  const shifts = new ShiftBook({ config: CONFIG, clock: new ManualClock(NOW), logger: silentLogger, dryRun: false });
  const reconciler = { want: (t: Target) => void wanted.push(t), hold: () => void (held.count += 1) };
  const aim = new ShiftAim(policy, shifts, reconciler, options.dryRun ?? false);
  const machine = createFailoverMachine(policy);
  const [start] = initialTransition(machine, { now: NOW });
  const [failedOver] = transition(machine, start, {
    type: 'operator.failoverRequested',
    force: true,
    reason: 'drill',
    by: 'op',
    now: NOW,
  });
  return { aim, wanted, held, doc: emptyDocument({}), failedOver, machine };
}

describe('ShiftAim', () => {
  it('records a decided split at once, holds the old shift, and aims the reconciler only after the save', () => {
    const { aim, wanted, held, doc, failedOver } = setup();

    const target = aim.decided(doc, failedOver);
    const beforeSave = [...wanted];
    expect(held.count).toBe(1);
    aim.saved(doc, failedOver);
    aim.saved(doc, failedOver);

    expect(target).toEqual({ primaryPercent: 0, seq: 1, write: true });
    expect(doc.shift).toMatchObject({ targetPrimaryPercent: 0, decidedSeq: 1, status: 'pending' });
    expect(beforeSave).toEqual([]);
    expect(wanted).toEqual([target]);
  });

  it('aims nothing after the save once the decided split was forgotten', () => {
    const { aim, wanted, doc, failedOver } = setup();

    aim.decided(doc, failedOver);
    aim.forget();
    aim.saved(doc, failedOver);

    expect(wanted).toEqual([]);
  });

  it('never writes in a dry run, and reads only when told not to write', () => {
    const dry = setup({ dryRun: true });
    const live = setup();

    dry.aim.aim(dry.doc, dry.failedOver, true);
    live.aim.aim(live.doc, live.failedOver, false);

    expect(dry.wanted.map((t) => t.write)).toEqual([false]);
    expect(live.wanted.map((t) => t.write)).toEqual([false]);
  });

  it("gives the agents their own split only when a failback step's agents lead the calls", () => {
    const base = policyOf(CONFIG);
    const policy = { ...base, traffic: { ...base.traffic, failbackSteps: [20, 50, 100], agentsLead: 10 } };
    const { aim, wanted, doc, failedOver, machine } = setup({ policy });
    const [step] = transition(machine, failedOver, {
      type: 'operator.failbackRequested',
      force: false,
      reason: 'back',
      by: 'op',
      now: NOW,
    });

    aim.aim(doc, failedOver, true);
    aim.aim(doc, step, true);

    expect(wanted).toEqual([
      { primaryPercent: 0, seq: 1, write: true },
      { primaryPercent: 20, agentsPrimaryPercent: 30, seq: 2, write: true },
    ]);
  });
});
