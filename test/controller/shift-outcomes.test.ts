/** The reconcile outcome handler on its own: the real shift book and serial queue, recording stand-ins for the rest. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { emptyDocument } from '../../src/controller/document.ts';
import type { ControllerDocument } from '../../src/controller/document.ts';
import type { ReconcileOutcome, Target } from '../../src/controller/reconciler.ts';
import { ShiftBook } from '../../src/controller/shift-book.ts';
import { shiftOutcomeHandler } from '../../src/controller/shift-outcomes.ts';
import { SerialQueue } from '../../src/controller/wakeup.ts';
import { CONFIG, silentLogger } from '../helpers/controller-fixtures.ts';

const TARGET: Target = { primaryPercent: 0, seq: 1, write: true };
const SPLIT = { telephonyPrimaryPercent: 0, agentsPrimaryPercent: 0 };

function setup(options: { stepHeld?: boolean } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 12));
  const shifts = new ShiftBook({ config: CONFIG, clock, logger: silentLogger, dryRun: false });
  const doc: ControllerDocument = emptyDocument({});
  shifts.aim(doc, TARGET);
  const serial = new SerialQueue();
  const told = {
    verified: [] as Array<[Target, number]>,
    /** The split the document showed when the statechart was told (what its hooks report then). */
    actualWhenVerified: [] as Array<number | undefined>,
    hand: [] as number[],
    saves: 0,
    outcomes: [] as string[],
  };
  const handle = shiftOutcomeHandler({
    shifts,
    clock,
    hooks: { shift: (o) => void told.outcomes.push(o.kind) },
    serial,
    document: () => doc,
    verified: (target, at) => {
      told.verified.push([target, at]);
      told.actualWhenVerified.push(doc.actual?.telephonyPrimaryPercent);
      return options.stepHeld ?? false;
    },
    handChanged: (percent) => void told.hand.push(percent),
    save: async () => void told.saves++,
  });
  return { handle, doc, told, clock, serial };
}

const verified = (resync = false, writes = 1): ReconcileOutcome => ({
  kind: 'verified',
  target: TARGET,
  attempt: 1,
  resync,
  result: { outcome: 'verified', calls: [], writes, writtenVia: 'us-west-2', verifiedAt: 0, split: SPLIT },
});

describe('shiftOutcomeHandler', () => {
  it('counts a started attempt in memory at once, without waiting for the document work in progress', async () => {
    const { handle, doc, serial } = setup();
    let release = () => {};
    void serial.run(() => new Promise<void>((resolve) => (release = resolve)));

    await handle({ kind: 'started', target: TARGET, attempt: 1 });
    const attempts = doc.shift?.attempts;
    release();

    expect(attempts).toBe(1);
  });

  it('records a verified shift, then tells the statechart when, and saves', async () => {
    const { handle, doc, told, clock } = setup();

    await handle(verified());

    expect(doc.shift).toMatchObject({ status: 'verified' });
    expect(told.verified).toEqual([[TARGET, clock.now()]]);
    expect(told.actualWhenVerified).toEqual([0]);
    expect(told.saves).toBe(1);
    expect(told.outcomes).toEqual(['verified']);
  });

  it('saves a quiet re-check only when it started a failback step hold', async () => {
    const quiet = setup();
    const holding = setup({ stepHeld: true });

    await quiet.handle(verified(true, 0));
    await holding.handle(verified(true, 0));

    expect(quiet.told.saves).toBe(0);
    expect(holding.told.saves).toBe(1);
  });

  it('takes a new split found by a re-check, one nobody here decided, for a hand change', async () => {
    const { handle, told } = setup();
    const observed = (percent: number): ReconcileOutcome => ({
      kind: 'observed',
      target: { ...TARGET, write: false },
      split: { telephonyPrimaryPercent: percent, agentsPrimaryPercent: percent },
      status: 'ACTIVE',
      region: 'us-east-1',
      resync: true,
    });

    await handle(observed(30));
    await handle(observed(30));
    await handle(observed(0));

    expect(told.hand).toEqual([30]);
  });
});
