/**
 * What the Controller does with each reconcile outcome: the shift record keeps it (saved when it is
 * news), a verified split is told to the statechart (a failback step's hold starts there), and a periodic
 * re-check that found a split nobody here decided is a hand change. Outcomes are handled one at a time
 * with everything else that touches the document, except `started`, which only counts an attempt in
 * memory: it must not queue behind a save in progress, so the write follows its decision at once.
 */
import type { Clock } from '../clock.ts';
import type { ControllerHooks } from './controller-types.ts';
import type { ControllerDocument } from './document.ts';
import type { ReconcileOutcome, Target } from './reconciler.ts';
import type { ShiftBook } from './shift-book.ts';
import type { SerialQueue } from './wakeup.ts';

export interface ShiftOutcomesOptions {
  shifts: ShiftBook;
  clock: Clock;
  hooks: ControllerHooks;
  /** Where document work is serialised. */
  serial: SerialQueue;
  document(): ControllerDocument;
  /** Tells the statechart Connect was verified at `target`'s split; true when that changed its state. */
  verified(target: Target, at: number): boolean;
  /** Connect was found at `primaryPercent`, set by someone else's hand. */
  handChanged(primaryPercent: number): void;
  /** Saves the document; a failure is the save retry loop's business, never the reconciler's. */
  save(): Promise<void>;
}

/** The reconciler's `onOutcome`. */
export function shiftOutcomeHandler(options: ShiftOutcomesOptions): (outcome: ReconcileOutcome) => Promise<void> {
  const { shifts, clock, hooks, serial } = options;
  return (outcome) => {
    hooks.shift?.(outcome);
    if (outcome.kind === 'started') return Promise.resolve(void shifts.record(options.document(), outcome));
    return serial.run(async () => {
      const doc = options.document();
      const before = doc.actual?.telephonyPrimaryPercent;
      const news = shifts.record(doc, outcome);
      // A failback step's hold starts once its shift is verified (behaviour 12): the statechart is told,
      // after the record, so what it reports (gauges, the heartbeat) already shows the verified split.
      const stepHeld = outcome.kind === 'verified' && options.verified(outcome.target, clock.now());
      if (news || stepHeld) await options.save();
      // A re-check found a new split nobody here decided: with `drift: pause` that is a human decision.
      const found = outcome.kind === 'observed' ? outcome.split.telephonyPrimaryPercent : undefined;
      if (outcome.resync && found !== undefined && found !== before && found !== outcome.target.primaryPercent) {
        options.handChanged(found);
        await options.save();
      }
    });
  };
}
