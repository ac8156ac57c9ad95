/**
 * The controller: feeds the statechart alarm events, operator commands and clock ticks, persists what
 * they produced, and only then lets the intake acknowledge the messages. Its collaborators each do one
 * job: the classifier parses and judges messages, the journal logs and records decisions, the shift book
 * keeps the shift record, the saver keeps the store in step, the ticker wakes deadlines, and the
 * reconciler makes Connect match the split the state wants.
 */
import { createActor } from 'xstate';
import type { Actor } from 'xstate';
import { createFailoverMachine, outlook, restoreSnapshot, statesOf } from '../../state-machines/index.ts';
import type { FailoverEvent, FailoverPolicy, FailoverSnapshot } from '../../state-machines/index.ts';
import type { AlarmReader } from '../cloudwatch/alarm-reader.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/types.ts';
import type { TrafficControl } from '../connect/traffic-port.ts';
import type { OperatorCommand, QueueEvent } from '../events/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { StateStore } from '../store/store.ts';
import { iso } from './controller-types.ts';
import type { ControllerHooks, InboundMessage } from './controller-types.ts';
import { runDeadlineTicker } from './deadline-ticker.ts';
import { DecisionJournal } from './decision-journal.ts';
import { DocumentSaver } from './document-saver.ts';
import type { StoreRetry } from './document-saver.ts';
import { appendHistory, emptyDocument, readDocument, rememberCommand } from './document.ts';
import type { ControllerDocument } from './document.ts';
import { commandEvent } from './machine-events.ts';
import { MessageClassifier } from './message-classifier.ts';
import { policyOf } from '../domain/policy.ts';
import { Reconciler } from './reconciler.ts';
import { ShiftBook, actualTraffic } from './shift-book.ts';
import { signalRefs } from './signal-map.ts';
import type { SignalRef } from './signal-map.ts';
import { readAlarmsAtStart, readTrafficAtStart } from './startup-reads.ts';
import { SerialQueue, Wakeup } from './wakeup.ts';

export type { ControllerHooks, InboundMessage, MessageOutcome } from './controller-types.ts';
export { policyOf } from '../domain/policy.ts';

export interface ControllerOptions {
  config: Config;
  store: StateStore;
  traffic: TrafficControl;
  alarms: AlarmReader;
  clock: Clock;
  logger: Logger;
  dryRun?: boolean;
  hooks?: ControllerHooks;
  /** How often a settled split is read again to catch changes made by hand (default 5 min; 0: never). */
  resyncMs?: number;
  /**
   * Failed saves are retried with full-jitter backoff (default 1 s doubling to 15 s); after `maxFailures`
   * in a row (default 6, about a minute) the controller stops: the messages whose state was not saved were
   * not deleted, so they come back to the next controller.
   */
  storeRetry?: StoreRetry;
}

export class Controller {
  readonly policy: FailoverPolicy;
  private readonly machine;
  private readonly refs: SignalRef[];
  private readonly serial = new SerialQueue();
  private readonly rescheduled = new Wakeup();
  private readonly reconciler: Reconciler;
  private readonly classifier: MessageClassifier;
  private readonly journal: DecisionJournal;
  private readonly shifts: ShiftBook;
  private readonly saver: DocumentSaver;
  private actor: Actor<ReturnType<typeof createFailoverMachine>> | undefined;
  private doc: ControllerDocument | undefined;
  /** The split the statechart's `requestShift` effect asked for during the event being handled. */
  private requested: number | undefined;

  constructor(private readonly options: ControllerOptions) {
    const { config, clock, logger, hooks = {} } = options;
    this.policy = policyOf(config);
    // The statechart's one effect: entering a health state requests its split. It only notes the request;
    // `send` aims the reconciler once the event is fully handled and the decision journaled.
    this.machine = createFailoverMachine(this.policy).provide({
      actions: { requestShift: (_, params) => void (this.requested = params.primaryPercent) },
    });
    this.refs = signalRefs(config.signals, config.regions);
    this.classifier = new MessageClassifier(this.refs, logger, hooks);
    this.journal = new DecisionJournal(this.policy, clock, logger, hooks);
    this.shifts = new ShiftBook({ config, clock, logger, dryRun: Boolean(options.dryRun) });
    this.saver = new DocumentSaver(options.store, clock, logger, options.storeRetry);
    this.reconciler = new Reconciler({
      traffic: options.traffic,
      clock,
      logger,
      // `started` only counts an attempt in memory, so it does not queue behind a save in progress: the
      // write follows the decision at once. Every other outcome is recorded and saved in turn.
      onOutcome: (outcome) => {
        hooks.shift?.(outcome);
        if (outcome.kind === 'started') return Promise.resolve(void this.shifts.record(this.document, outcome));
        return this.serial.run(() => (this.shifts.record(this.document, outcome) ? this.saveQuietly() : Promise.resolve()));
      },
      resyncMs: options.resyncMs,
      // While automation is paused or suspended, a split changed by hand is reported, not overwritten.
      mayCorrectDrift: () => statesOf(this.snapshot).automation === 'active',
    });
  }

  get snapshot(): FailoverSnapshot {
    if (!this.actor) throw new Error('controller not started');
    return this.actor.getSnapshot();
  }

  get document(): ControllerDocument {
    if (!this.doc) throw new Error('controller not started');
    return this.doc;
  }

  /**
   * Start-up reconciliation (behaviour 8): the persisted state, then the alarms as CloudWatch has them now,
   * then the split as Connect has it now. Drift is reported; the reconciler then acts on what was found.
   */
  async start(signal: AbortSignal): Promise<void> {
    const { store, logger, clock, config } = this.options;
    const stored = await store.load(signal);
    if (stored) {
      this.saver.loaded(stored.version);
      this.doc = readDocument(stored.data, store.describe(), {
        config,
        onAdopt: (owner) => logger.warn({ owner }, 'state document names no traffic distribution group; adopting it for this one'),
      });
      this.actor = createActor(this.machine, { snapshot: restoreSnapshot(this.machine, this.doc.snapshot), input: { now: clock.now() } }).start();
      this.journal.resumeAfter(this.snapshot.context.seq);
    } else {
      this.actor = createActor(this.machine, { input: { now: clock.now() } }).start();
      this.doc = emptyDocument(this.actor.getPersistedSnapshot(), config);
    }
    logger.info({ store: store.describe(), restored: Boolean(stored), ...statesOf(this.snapshot) }, 'controller starting');

    const alarms = await readAlarmsAtStart(this.options.alarms, this.refs, logger, signal);
    if (alarms) await this.serial.run(async () => this.send({ type: 'alarms.observed', alarms, now: clock.now() }));
    const traffic = await readTrafficAtStart(this.options.traffic, logger, signal);
    await this.serial.run(async () => {
      const drift = traffic !== undefined && this.noteStartupSplit(traffic);
      appendHistory(this.document, {
        at: iso(clock.now()),
        kind: 'startup',
        reason: stored ? 'restored persisted state' : 'no persisted state: started healthy',
        to: statesOf(this.snapshot).health,
      });
      await this.save(signal);
      // While automation is paused or suspended, a split changed by hand is reported, not overwritten.
      const handChanged = drift && this.document.shift?.status === 'verified';
      this.aim(!(handChanged && statesOf(this.snapshot).automation !== 'active'));
    });
  }

  /** Runs the reconciler, the deadline ticker and the save retries until `signal` aborts. */
  async runLoops(signal: AbortSignal): Promise<void> {
    await Promise.all([
      this.reconciler.run(signal),
      runDeadlineTicker(
        {
          clock: this.options.clock,
          rescheduled: this.rescheduled,
          nextDeadline: () => outlook(this.policy, this.snapshot).nextDeadline,
          tick: () => this.serial.run(() => this.tick()),
        },
        signal,
      ),
      this.saver.retryLoop(() => this.serial.run(() => (this.saver.dirty ? this.save() : Promise.resolve())), signal),
    ]);
  }

  /**
   * Applies one batch: classifies every message, applies alarm events in alarm-timestamp order, persists,
   * and returns the ids that may be deleted (everything but malformed messages, which stay for the DLQ).
   */
  async handleBatch(batch: readonly InboundMessage[], signal?: AbortSignal): Promise<{ deletable: string[]; malformed: string[] }> {
    const { events, malformed } = this.classifier.parse(batch);
    return this.serial.run(async () => {
      for (const { message, event } of events) if (this.apply(message, event)) this.saver.dirty = true;
      // Behaviour 4: nothing is deleted before the state it produced is saved. That includes a redelivery
      // judged a duplicate against memory while memory is still unsaved (a save failed earlier): the
      // duplicate's own state is the unsaved one. A throw here leaves the whole batch on the queue.
      if (this.saver.dirty) await this.save(signal);
      return { deletable: events.map((p) => p.message.messageId), malformed };
    });
  }

  /** Persists whatever is in memory (used at shutdown). */
  async flush(signal?: AbortSignal): Promise<void> {
    await this.serial.run(() => this.save(signal));
  }

  /** Applies one event; true when it changed the state or the document. */
  private apply(message: InboundMessage, event: QueueEvent): boolean {
    const { logger, clock, hooks = {} } = this.options;
    if (event.kind === 'ignored') {
      hooks.message?.('ignored', event.shape);
      logger.info({ messageId: message.messageId, shape: event.shape, why: event.why }, 'message ignored');
      return false;
    }
    if (event.kind === 'operator') return this.applyCommand(message, event);
    const now = clock.now();
    const verdict = this.classifier.judge(event, this.snapshot.context.signals, now);
    if (verdict.kind === 'unknownAlarm') {
      hooks.message?.('unknownAlarm', event.shape);
      logger.info({ messageId: message.messageId, alarm: event.alarm.arn }, 'alarm is not a configured signal; ignored');
      return false;
    }
    const { ref, outcome } = verdict;
    hooks.message?.(outcome, event.shape);
    const details = { messageId: message.messageId, shape: event.shape, alarm: ref.key, role: ref.role, state: event.state, stateAt: iso(event.stateAt), outcome };
    if (outcome === 'future') {
      // Believing it would make every real change after it look stale; the statechart refuses it too.
      logger.warn({ ...details, aheadMs: event.stateAt - now }, 'alarm event dated ahead of the controller clock; not applied');
      return false;
    }
    // Duplicates and stale events are routine under at-least-once delivery: debug, not info.
    logger[outcome === 'applied' ? 'info' : 'debug'](details, 'alarm state change');
    if (outcome !== 'applied') return false;
    this.send({ type: 'alarm.changed', alarm: ref.key, value: event.state, at: event.stateAt, now });
    return true;
  }

  private applyCommand(message: InboundMessage, command: OperatorCommand): boolean {
    const doc = this.document;
    this.options.hooks?.message?.('command', command.shape);
    if (doc.commandIds.includes(command.id)) {
      this.options.logger.info({ messageId: message.messageId, commandId: command.id }, 'operator command already applied');
      return false;
    }
    rememberCommand(doc, command.id);
    const entry = this.journal.commandReceived(doc, message, command);
    this.send(commandEvent(command, this.options.clock.now()));
    this.journal.commandDone(entry, message, command, this.snapshot.context.lastCommand);
    return true;
  }

  /** A deadline passed: the statechart reads the clock; a decision it makes is saved (or retried). */
  private async tick(): Promise<void> {
    const before = this.snapshot.context.seq;
    this.send({ type: 'clock.ticked', now: this.options.clock.now() });
    if (this.snapshot.context.seq === before) return;
    this.saver.dirty = true;
    await this.saveQuietly();
  }

  /** Sends one event to the statechart, journals what it decided, and aims the reconciler at a requested split. */
  private send(event: FailoverEvent): void {
    this.requested = undefined;
    this.actor!.send(event);
    this.journal.note(this.snapshot, this.document);
    this.document.snapshot = this.actor!.getPersistedSnapshot();
    if (this.requested !== undefined) this.aim(true);
    this.rescheduled.notify();
    this.options.hooks?.state?.(this.snapshot, this.document);
  }

  /** Compares the split read at start-up with the state's; records drift. True when they differ. */
  private noteStartupSplit(now: Awaited<ReturnType<TrafficControl['read']>>): boolean {
    const doc = this.document;
    doc.actual = actualTraffic(now.split, now.status, iso(this.options.clock.now()));
    const desired = outlook(this.policy, this.snapshot).desiredPrimaryPercent;
    if (now.split.telephonyPrimaryPercent === desired) return false;
    appendHistory(doc, {
      at: iso(this.options.clock.now()),
      kind: 'drift',
      reason: `Connect sends ${now.split.telephonyPrimaryPercent}% to the primary; the state wants ${desired}%`,
      primaryPercent: now.split.telephonyPrimaryPercent,
    });
    this.options.logger.warn({ actualPrimaryPercent: now.split.telephonyPrimaryPercent, desiredPrimaryPercent: desired, region: now.region }, 'drift: split differs from the state');
    return true;
  }

  /** Points the reconciler at the split the current state wants. */
  private aim(write: boolean): void {
    const target = {
      primaryPercent: outlook(this.policy, this.snapshot).desiredPrimaryPercent,
      seq: this.snapshot.context.seq,
      write: write && !this.options.dryRun,
    };
    this.shifts.aim(this.document, target);
    this.reconciler.want(target);
  }

  private save(signal?: AbortSignal): Promise<void> {
    this.document.snapshot = this.actor!.getPersistedSnapshot();
    return this.saver.save(this.document, signal);
  }

  /** A save whose failure the retry loop handles (it is not the caller's failure: a shift, a tick). */
  private saveQuietly(): Promise<void> {
    return this.save().catch(() => undefined);
  }
}
