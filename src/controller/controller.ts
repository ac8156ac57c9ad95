/**
 * The controller: feeds the statechart alarm events, operator commands and clock ticks, persists what
 * they produced, and only then lets the intake acknowledge the messages. Its collaborators each do one
 * job: the classifier parses and judges messages, the journal logs and records decisions, the shift book
 * keeps the shift record, the saver keeps the store in step, the ticker wakes deadlines, and the
 * reconciler makes Connect match the split the state wants.
 */
import { createActor, transition } from 'xstate';
import type { Actor } from 'xstate';
import {
  createFailoverMachine,
  outlook,
  readingVerdict,
  restoreSnapshot,
  statesOf,
} from '../../state-machines/index.ts';
import type { FailoverEvent, FailoverPolicy, FailoverSnapshot } from '../../state-machines/index.ts';
import type { AlarmReader } from '../cloudwatch/alarm-reader.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/types.ts';
import type { TrafficControl } from '../connect/traffic-port.ts';
import type { AlarmStateChange, OperatorCommand, QueueEvent } from '../events/types.ts';
import type { LeaseLostError } from '../errors.ts';
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
import type { Target } from './reconciler.ts';
import { ShiftBook, actualTraffic } from './shift-book.ts';
import { signalRefs } from '../domain/signals.ts';
import type { SignalRef } from '../domain/signals.ts';
import { AlarmConfirmer } from './alarm-confirmer.ts';
import type { Confirmation } from './alarm-confirmer.ts';
import { AlarmPoller } from './alarm-poller.ts';
import type { ObservedAlarm } from './alarm-poller.ts';
import { readTrafficAtStart } from './startup-reads.ts';
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
  /** How often every signal is read with DescribeAlarms (default: `timing.alarmPoll`; 0: at start-up only). */
  alarmPollMs?: number;
  /** Confirm an alarm event with DescribeAlarms before it may cause an automatic shift (default true). */
  confirmAlarms?: boolean;
  /** Told when the store refused a save because another controller leads now (the lease was lost). */
  onLeaseLost?: (error: LeaseLostError) => void;
}

/** Longest start-up waits for the first DescribeAlarms read before it applies what the queue holds. */
const FIRST_ALARM_READ_WAIT_MS = 2_000;

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
  private readonly poller: AlarmPoller;
  private readonly confirmer: AlarmConfirmer | undefined;
  private actor: Actor<ReturnType<typeof createFailoverMachine>> | undefined;
  private doc: ControllerDocument | undefined;
  /** The split the statechart's `requestShift` effect asked for during the event being handled. */
  private requested: number | undefined;
  /** What start-up read from Connect, decided on in `settleStartup`. */
  private startupSplit: Awaited<ReturnType<TrafficControl['read']>> | undefined;
  private restored = false;
  /** A split was requested while saves failed: aimed at once the decision is saved. */
  private aimAfterSave = false;

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
    this.saver = new DocumentSaver(options.store, clock, logger, options.storeRetry, options.onLeaseLost);
    this.poller = new AlarmPoller({
      reader: options.alarms,
      refs: this.refs,
      clock,
      logger,
      intervalMs: options.alarmPollMs ?? config.timing.alarmPollMs,
      apply: (readings) => this.serial.run(() => this.observe(readings)),
    });
    this.confirmer = options.confirmAlarms === false ? undefined : new AlarmConfirmer(options.alarms);
    this.reconciler = new Reconciler({
      traffic: options.traffic,
      clock,
      logger,
      // `started` only counts an attempt in memory, so it does not queue behind a save in progress: the
      // write follows the decision at once. Every other outcome is recorded and saved in turn.
      onOutcome: (outcome) => {
        hooks.shift?.(outcome);
        if (outcome.kind === 'started') return Promise.resolve(void this.shifts.record(this.document, outcome));
        return this.serial.run(async () => {
          const before = this.document.actual?.telephonyPrimaryPercent;
          // A failback step's hold starts once its shift is verified (behaviour 12): the statechart is told.
          const stepHeld = outcome.kind === 'verified' && this.verified(outcome.target, clock.now());
          if (this.shifts.record(this.document, outcome) || stepHeld) await this.saveQuietly();
          // A re-check found a new split nobody here decided: with `drift: pause` that is a human decision.
          const found = outcome.kind === 'observed' ? outcome.split.telephonyPrimaryPercent : undefined;
          if (outcome.resync && found !== undefined && found !== before && found !== outcome.target.primaryPercent) {
            this.handChanged(found);
            await this.saveQuietly();
          }
        });
      },
      resyncMs: options.resyncMs,
      // Only `drift: restore` overwrites a split changed by hand, and only while automation is active.
      mayCorrectDrift: () => config.drift === 'restore' && statesOf(this.snapshot).automation === 'active',
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
   * Start-up reconciliation (behaviour 8), first half: the persisted state and the split as Connect has it
   * now; `settleStartup` decides on what was found. The alarms are read by the poller, which starts with
   * the loops and never holds the start back (a Region whose CloudWatch hangs must not stall a restart).
   */
  async start(signal: AbortSignal): Promise<void> {
    const { store, logger, clock, config } = this.options;
    const stored = await store.load(signal);
    if (stored) {
      this.saver.loaded(stored.version);
      this.doc = readDocument(stored.data, store.describe(), {
        config,
        onAdopt: (owner) =>
          logger.warn({ owner }, 'state document names no traffic distribution group; adopting it for this one'),
      });
      this.actor = createActor(this.machine, {
        snapshot: restoreSnapshot(this.machine, this.doc.snapshot),
        input: { now: clock.now() },
      }).start();
      this.journal.resumeAfter(this.snapshot.context.seq);
    } else {
      this.actor = createActor(this.machine, { input: { now: clock.now() } }).start();
      this.doc = emptyDocument(this.actor.getPersistedSnapshot(), config);
    }
    logger.info(
      { store: store.describe(), restored: Boolean(stored), ...statesOf(this.snapshot) },
      'controller starting',
    );

    // The alarms as they are now, before queued events are applied, but never waited on for long: a
    // Region whose CloudWatch hangs must not stall a restart (its read goes on in the background).
    const [split] = await Promise.all([
      readTrafficAtStart(this.options.traffic, logger, signal),
      this.poller.prime(signal, FIRST_ALARM_READ_WAIT_MS),
    ]);
    this.startupSplit = split;
    this.restored = Boolean(stored);
  }

  /**
   * The end of start-up (behaviour 8), after the operator commands already waiting in the queue were
   * applied: a split found different from what the state wants, with no shift of ours unfinished, was
   * changed by hand. `drift: pause` adopts it and pauses; `drift: restore` writes the state's split back.
   */
  async settleStartup(signal: AbortSignal): Promise<void> {
    const { clock, config } = this.options;
    await this.serial.run(async () => {
      const found = this.startupSplit;
      const drift = found !== undefined && this.noteStartupSplit(found);
      const ours = this.document.shift !== undefined && this.document.shift.status !== 'verified';
      const byHand = drift && !ours;
      appendHistory(this.document, {
        at: iso(clock.now()),
        kind: 'startup',
        reason: this.restored ? 'restored persisted state' : 'no persisted state: started healthy',
        to: statesOf(this.snapshot).health,
      });
      if (byHand && config.drift === 'pause') this.handChanged(found!.split.telephonyPrimaryPercent);
      // Start-up aims once, below, with the write flag it decides.
      this.aimAfterSave = false;
      await this.save(signal);
      this.aimAfterSave = false;
      const active = statesOf(this.snapshot).automation === 'active';
      this.aim(!(byHand && (config.drift === 'pause' || !active)));
      // Gauges and the heartbeat know the state from the start, not from the first event.
      this.options.hooks?.state?.(this.snapshot, this.document);
    });
  }

  /** Tells the statechart Connect was found at `primaryPercent` by someone else's hand. */
  private handChanged(primaryPercent: number): void {
    this.options.logger.warn(
      { actualPrimaryPercent: primaryPercent, drift: this.options.config.drift },
      'split changed by hand: adopting it and pausing automation',
    );
    this.send({ type: 'traffic.changedByHand', primaryPercent, now: this.options.clock.now() });
    this.saver.dirty = true;
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
      this.poller.run(signal),
    ]);
  }

  /**
   * Applies one batch: classifies every message, applies alarm events in alarm-timestamp order, persists,
   * and returns the ids that may be deleted (everything but malformed messages, which stay for the DLQ).
   */
  async handleBatch(
    batch: readonly InboundMessage[],
    signal?: AbortSignal,
  ): Promise<{ deletable: string[]; malformed: string[] }> {
    const { events, malformed } = this.classifier.parse(batch);
    return this.serial.run(async () => {
      for (const { message, event } of events) {
        const confirmation = event.kind === 'alarm' ? await this.confirmIfShifting(event, signal) : undefined;
        if (this.apply(message, event, confirmation)) this.saver.dirty = true;
      }
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
  private apply(message: InboundMessage, event: QueueEvent, confirmation?: Confirmation): boolean {
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
      logger.info(
        { messageId: message.messageId, alarm: event.alarm.arn },
        'alarm is not a configured signal; ignored',
      );
      return false;
    }
    const { ref, outcome } = verdict;
    hooks.message?.(outcome, event.shape);
    const details = {
      messageId: message.messageId,
      shape: event.shape,
      alarm: ref.key,
      role: ref.role,
      state: event.state,
      stateAt: iso(event.stateAt),
      outcome,
    };
    if (outcome === 'future') {
      // Believing it would make every real change after it look stale; the statechart refuses it too.
      logger.warn(
        { ...details, aheadMs: event.stateAt - now },
        'alarm event dated ahead of the controller clock; not applied',
      );
      return false;
    }
    // Duplicates and stale events are routine under at-least-once delivery: debug, not info.
    logger[outcome === 'applied' ? 'info' : 'debug'](details, 'alarm state change');
    if (outcome !== 'applied') return false;
    if (confirmation) hooks.confirmation?.(confirmation.outcome);
    if (confirmation?.outcome === 'contradicted' || confirmation?.outcome === 'superseded') {
      const disputed = confirmation.outcome === 'contradicted';
      logger.warn(
        { ...details, confirmation: confirmation.outcome, ...(disputed ? { detail: confirmation.detail } : {}) },
        disputed
          ? 'alarm event contradicted by CloudWatch; moves nothing'
          : 'alarm changed again since the event; applying what CloudWatch shows now',
      );
      if (disputed)
        appendHistory(this.document, {
          at: iso(now),
          kind: 'disputed',
          reason: confirmation.detail,
          alarms: [ref.key],
        });
      // What CloudWatch shows is applied as a reading: the truth, deduplicated like any other.
      if (confirmation.reading) this.send({ type: 'alarms.observed', alarms: [confirmation.reading], now });
      return true;
    }
    if (confirmation?.outcome === 'unconfirmed') {
      logger.warn(
        { ...details, detail: confirmation.detail },
        'alarm event not confirmed (CloudWatch did not answer); acting on it',
      );
      appendHistory(this.document, {
        at: iso(now),
        kind: 'unconfirmed',
        reason: confirmation.detail,
        alarms: [ref.key],
      });
    }
    this.send({ type: 'alarm.changed', alarm: ref.key, value: event.state, at: event.stateAt, now });
    return true;
  }

  /** Asks CloudWatch about an alarm event only when applying it would make an automatic shift. */
  private async confirmIfShifting(event: AlarmStateChange, signal?: AbortSignal): Promise<Confirmation | undefined> {
    if (!this.confirmer) return undefined;
    const now = this.options.clock.now();
    const verdict = this.classifier.judge(event, this.snapshot.context.signals, now);
    if (verdict.kind !== 'signal' || verdict.outcome !== 'applied') return undefined;
    const [next] = transition(this.machine, this.snapshot, {
      type: 'alarm.changed',
      alarm: verdict.ref.key,
      value: event.state,
      at: event.stateAt,
      now,
    });
    if (statesOf(next).health === statesOf(this.snapshot).health) return undefined;
    return this.confirmer.confirm(verdict.ref, event, signal);
  }

  /** Applies what DescribeAlarms showed; saved (or retried) when it changed anything. */
  private async observe(readings: ObservedAlarm[]): Promise<void> {
    const now = this.options.clock.now();
    const signals = this.snapshot.context.signals;
    if (!readings.some((r) => readingVerdict(signals[r.alarm], r.at, now) === 'applied')) return;
    this.send({ type: 'alarms.observed', alarms: readings, now });
    this.saver.dirty = true;
    await this.saveQuietly();
  }

  private applyCommand(message: InboundMessage, command: OperatorCommand): boolean {
    const doc = this.document;
    this.options.hooks?.message?.('command', command.shape);
    if (doc.commandIds.includes(command.id)) {
      this.options.logger.info(
        { messageId: message.messageId, commandId: command.id },
        'operator command already applied',
      );
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
    // A shift starts only once its decision is saved: a write nobody could see (status, a standby, the next
    // start after a crash, which would take it for a hand change) must not be made, and a deposed leader's
    // fenced save stops it before it reaches Connect. While the store fails, the last verified split stays.
    if (this.requested !== undefined) {
      // The shift record goes into the same save as the decision, so a restart knows the write was ours.
      const target = this.target(true);
      this.aimAfterSave = true;
      // A dry run writes nothing, so nothing is ever verified: its stand-in for a shift is one verified
      // at once, as if Connect moved instantly, so a failback's steps go on as their holds say.
      if (this.options.dryRun) this.verified(target, event.now);
    }
    this.rescheduled.notify();
    this.options.hooks?.state?.(this.snapshot, this.document);
  }

  /**
   * Tells the statechart Connect was verified at `target`'s split; true when that changed its state (a
   * failback step's hold started), which is then saved.
   */
  private verified(target: Target, at: number): boolean {
    const before = this.snapshot.context;
    this.send({
      type: 'shift.verified',
      primaryPercent: target.primaryPercent,
      agentsPrimaryPercent: target.agentsPrimaryPercent ?? target.primaryPercent,
      at,
      now: at,
    });
    const changed =
      this.snapshot.context.failbackStep !== before.failbackStep || this.snapshot.context.seq !== before.seq;
    if (changed) this.saver.dirty = true;
    return changed;
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
    this.options.logger.warn(
      {
        actualPrimaryPercent: now.split.telephonyPrimaryPercent,
        desiredPrimaryPercent: desired,
        awsRegion: now.region,
      },
      'drift: split differs from the state',
    );
    return true;
  }

  /** Points the reconciler at the split the current state wants. */
  private aim(write: boolean): void {
    this.reconciler.want(this.target(write));
  }

  /** The split the current state wants, recorded in the document's shift record (saved with the decision). */
  private target(write: boolean): Target {
    const view = outlook(this.policy, this.snapshot);
    const target = {
      primaryPercent: view.desiredPrimaryPercent,
      // Only a failback step with traffic.agentsLead gives the agents a split of their own.
      ...(view.desiredAgentsPrimaryPercent === view.desiredPrimaryPercent
        ? {}
        : { agentsPrimaryPercent: view.desiredAgentsPrimaryPercent }),
      seq: this.snapshot.context.seq,
      write: write && !this.options.dryRun,
    };
    this.shifts.aim(this.document, target);
    return target;
  }

  private async save(signal?: AbortSignal): Promise<void> {
    this.document.snapshot = this.actor!.getPersistedSnapshot();
    await this.saver.save(this.document, signal);
    if (this.aimAfterSave) {
      this.aimAfterSave = false;
      this.aim(true);
    }
  }

  /** A save whose failure the retry loop handles (it is not the caller's failure: a shift, a tick). */
  private saveQuietly(): Promise<void> {
    return this.save().catch(() => undefined);
  }
}
