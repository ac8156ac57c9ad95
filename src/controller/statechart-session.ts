/**
 * The running statechart: its actor, restored from the document or started fresh, and the one way events
 * reach it. Each event's decisions are journaled into the document and the document's snapshot is kept
 * current, so nothing the machine decided can be saved without its history line, or the other way round.
 */
import { createActor, transition } from 'xstate';
import type { Actor } from 'xstate';
import { createFailoverMachine, restoreSnapshot, statesOf } from '../../state-machines/index.ts';
import type { FailoverEvent, FailoverPolicy, FailoverSnapshot } from '../../state-machines/index.ts';
import type { DecisionJournal } from './decision-journal.ts';
import type { ControllerDocument } from './document.ts';

export class StatechartSession {
  private readonly machine;
  private actor: Actor<ReturnType<typeof createFailoverMachine>> | undefined;
  /** Whether the statechart's `requestShift` effect fired during the event being sent. */
  private requested = false;

  constructor(
    policy: FailoverPolicy,
    private readonly journal: DecisionJournal,
  ) {
    // The statechart's one effect: entering a health state requests its split. It only notes the request;
    // the caller aims the reconciler once the event is fully handled and its decision journaled.
    this.machine = createFailoverMachine(policy).provide({
      actions: { requestShift: () => void (this.requested = true) },
    });
  }

  /** Starts the actor from a persisted snapshot (its decisions already journaled), or fresh at `now`. */
  start(persisted: unknown, now: number): void {
    if (persisted === undefined) {
      this.actor = createActor(this.machine, { input: { now } }).start();
      return;
    }
    this.actor = createActor(this.machine, {
      snapshot: restoreSnapshot(this.machine, persisted),
      input: { now },
    }).start();
    this.journal.resumeAfter(this.snapshot.context.seq);
  }

  get snapshot(): FailoverSnapshot {
    if (!this.actor) throw new Error('controller not started');
    return this.actor.getSnapshot();
  }

  /** The snapshot as the store keeps it. */
  persisted(): unknown {
    if (!this.actor) throw new Error('controller not started');
    return this.actor.getPersistedSnapshot();
  }

  /**
   * Sends one event, journals what it decided into `doc` and updates `doc.snapshot`. True when the
   * statechart requested a split (entered a health state, or a failback step).
   */
  send(event: FailoverEvent, doc: ControllerDocument): boolean {
    this.requested = false;
    this.actor!.send(event);
    this.journal.note(this.snapshot, doc);
    doc.snapshot = this.persisted();
    return this.requested;
  }

  /** True when `event` would move the health state: a preview on the pure `transition`, nothing applied. */
  wouldChangeHealth(event: FailoverEvent): boolean {
    const [next] = transition(this.machine, this.snapshot, event);
    return statesOf(next).health !== statesOf(this.snapshot).health;
  }
}
