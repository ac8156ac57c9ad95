/**
 * Points the reconciler at the split the statechart wants, in the right order: a decision's split goes
 * into the document's shift record at once (saved with the decision, so a restart knows the write was
 * ours), and the reconciler is aimed only once that save succeeded. A write nobody could see (status, a
 * standby, the next start after a crash, which would take it for a hand change) must not be made, and a
 * deposed leader's fenced save stops it before it reaches Connect.
 */
import { outlook } from '../../state-machines/index.ts';
import type { FailoverPolicy, FailoverSnapshot } from '../../state-machines/index.ts';
import type { ControllerDocument } from './document.ts';
import type { Reconciler, Target } from './reconciler.ts';
import type { ShiftBook } from './shift-book.ts';

export class ShiftAim {
  /** A split was decided and not aimed at yet: it is, once the decision is saved. */
  private pending = false;

  constructor(
    private readonly policy: FailoverPolicy,
    private readonly shifts: ShiftBook,
    private readonly reconciler: Pick<Reconciler, 'want' | 'hold'>,
    /** A dry run never writes: every target it aims at only reads. */
    private readonly dryRun: boolean,
  ) {}

  /** The statechart requested a split: recorded in `doc` now, aimed at after the next save. */
  decided(doc: ControllerDocument, snapshot: FailoverSnapshot): Target {
    // Nor may the old target's shift go on meanwhile (a retry, a re-send): it is no longer wanted.
    this.reconciler.hold();
    const target = this.target(doc, snapshot, true);
    this.pending = true;
    return target;
  }

  /** The document was saved: a decided split is aimed at now. */
  saved(doc: ControllerDocument, snapshot: FailoverSnapshot): void {
    if (!this.pending) return;
    this.pending = false;
    this.aim(doc, snapshot, true);
  }

  /** Drops a decided split not yet aimed at: the caller aims itself, with a write flag of its own. */
  forget(): void {
    this.pending = false;
  }

  /** Points the reconciler at the split the current state wants (`write` false: read and report only). */
  aim(doc: ControllerDocument, snapshot: FailoverSnapshot, write: boolean): void {
    this.reconciler.want(this.target(doc, snapshot, write));
  }

  /** The split the current state wants, recorded in the document's shift record. */
  private target(doc: ControllerDocument, snapshot: FailoverSnapshot, write: boolean): Target {
    const view = outlook(this.policy, snapshot);
    const target = {
      primaryPercent: view.desiredPrimaryPercent,
      // Only a failback step with traffic.agentsLead gives the agents a split of their own.
      ...(view.desiredAgentsPrimaryPercent === view.desiredPrimaryPercent
        ? {}
        : { agentsPrimaryPercent: view.desiredAgentsPrimaryPercent }),
      seq: snapshot.context.seq,
      write: write && !this.dryRun,
    };
    this.shifts.aim(doc, target);
    return target;
  }
}
