/**
 * The controller: feeds the statechart alarm events, operator commands and clock ticks, persists what
 * they produced, and only then lets the intake acknowledge the messages. Its collaborators each do one
 * job: the classifier parses messages, the alarm intake judges and confirms alarm events, the command
 * intake applies each operator command once, the session runs the statechart and journals its decisions,
 * the shift book keeps the shift record and the aim points the reconciler at the wanted split once it is
 * saved, the saver keeps the store in step, the ticker wakes deadlines, the poller reads the alarms, and
 * the reconciler makes Connect match the split.
 */
import { outlook, readingVerdict, statesOf } from '../../state-machines/index.ts';
import type { FailoverEvent, FailoverPolicy, FailoverSnapshot } from '../../state-machines/index.ts';
import { policyOf } from '../domain/policy.ts';
import { signalRefs } from '../domain/signals.ts';
import { AlarmConfirmer } from './alarm-confirmer.ts';
import { AlarmIntake } from './alarm-intake.ts';
import { AlarmPoller } from './alarm-poller.ts';
import { CommandIntake } from './command-intake.ts';
import type { ObservedAlarm } from './alarm-poller.ts';
import type { ControllerOptions, InboundMessage } from './controller-types.ts';
import { runDeadlineTicker } from './deadline-ticker.ts';
import { DecisionJournal } from './decision-journal.ts';
import { DocumentSaver } from './document-saver.ts';
import { emptyDocument } from './document.ts';
import type { ControllerDocument } from './document.ts';
import { verifiedEvent } from './machine-events.ts';
import { MessageClassifier } from './message-classifier.ts';
import { Reconciler } from './reconciler.ts';
import type { Target } from './reconciler.ts';
import { ShiftAim } from './shift-aim.ts';
import { ShiftBook } from './shift-book.ts';
import { shiftOutcomeHandler } from './shift-outcomes.ts';
import { StartupCheck } from './startup-reads.ts';
import { StatechartSession } from './statechart-session.ts';
import { SerialQueue, Wakeup } from './wakeup.ts';

export type { ControllerHooks, ControllerOptions, InboundMessage, MessageOutcome } from './controller-types.ts';
export { policyOf } from '../domain/policy.ts';

/** Longest start-up waits for the first DescribeAlarms read before it applies what the queue holds. */
const FIRST_ALARM_READ_WAIT_MS = 2_000;

export class Controller {
  readonly policy: FailoverPolicy;
  private readonly serial = new SerialQueue();
  private readonly rescheduled = new Wakeup();
  private readonly session: StatechartSession;
  private readonly reconciler: Reconciler;
  private readonly classifier: MessageClassifier;
  private readonly journal: DecisionJournal;
  private readonly intake: AlarmIntake;
  private readonly commands: CommandIntake;
  private readonly saver: DocumentSaver;
  private readonly poller: AlarmPoller;
  private readonly aims: ShiftAim;
  private doc: ControllerDocument | undefined;
  private readonly startup: StartupCheck;

  constructor(private readonly options: ControllerOptions) {
    const { config, clock, logger, hooks = {} } = options;
    this.policy = policyOf(config);
    const refs = signalRefs(config.signals, config.regions);
    const journal = new DecisionJournal(this.policy, clock, logger, hooks);
    this.session = new StatechartSession(this.policy, journal);
    this.commands = new CommandIntake({ journal, clock, logger, hooks });
    this.classifier = new MessageClassifier(refs, logger, hooks, config.queue.alarmSenders);
    this.journal = journal;
    const confirmer = options.confirmAlarms === false ? undefined : new AlarmConfirmer(options.alarms);
    this.intake = new AlarmIntake({ classifier: this.classifier, confirmer, clock, logger, hooks });
    const shifts = new ShiftBook({ config, clock, logger, dryRun: Boolean(options.dryRun) });
    this.saver = new DocumentSaver(options.store, clock, logger, options.storeRetry, options.onLeaseLost);
    this.poller = new AlarmPoller({
      reader: options.alarms,
      refs,
      clock,
      logger,
      intervalMs: options.alarmPollMs ?? config.timing.alarmPollMs,
      apply: (readings) => this.serial.run(() => this.observe(readings)),
    });
    this.reconciler = new Reconciler({
      traffic: options.traffic,
      clock,
      logger,
      onOutcome: shiftOutcomeHandler({
        shifts,
        clock,
        hooks,
        serial: this.serial,
        document: () => this.document,
        verified: (target, at) => this.verified(target, at),
        handChanged: (percent) => this.handChanged(percent),
        save: () => this.saveQuietly(),
      }),
      resyncMs: options.resyncMs,
      // Only `drift: restore` overwrites a split changed by hand, and only while automation is active.
      mayCorrectDrift: () => config.drift === 'restore' && statesOf(this.snapshot).automation === 'active',
    });
    this.startup = new StartupCheck(options.traffic, clock, logger);
    this.aims = new ShiftAim(this.policy, shifts, this.reconciler, Boolean(options.dryRun));
  }

  get snapshot(): FailoverSnapshot {
    return this.session.snapshot;
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
    const stored = await this.saver.open(config, signal);
    this.session.start(stored?.snapshot, clock.now());
    this.doc = stored ?? emptyDocument(this.session.persisted(), config);
    logger.info(
      { store: store.describe(), restored: Boolean(stored), ...statesOf(this.snapshot) },
      'controller starting',
    );
    // The alarms as they are now, before queued events are applied, but never waited on for long.
    await Promise.all([
      this.startup.read(Boolean(stored), signal),
      this.poller.prime(signal, FIRST_ALARM_READ_WAIT_MS),
    ]);
  }

  /**
   * The end of start-up (behaviour 8), after the operator commands already waiting in the queue were
   * applied: a split found different from what the state wants, with no shift of ours unfinished, was
   * changed by hand. `drift: pause` adopts it and pauses; `drift: restore` writes the state's split back.
   */
  async settleStartup(signal: AbortSignal): Promise<void> {
    const { config } = this.options;
    await this.serial.run(async () => {
      const desired = outlook(this.policy, this.snapshot).desiredPrimaryPercent;
      const handSplit = this.startup.settle(this.document, desired, statesOf(this.snapshot).health);
      const byHand = handSplit !== undefined;
      if (byHand && config.drift === 'pause') this.handChanged(handSplit);
      // Start-up aims once, below, with the write flag it decides.
      this.aims.forget();
      await this.save(signal);
      this.aims.forget();
      const active = statesOf(this.snapshot).automation === 'active';
      this.aims.aim(this.document, this.snapshot, !(byHand && (config.drift === 'pause' || !active)));
      // Gauges and the heartbeat know the state from the start, not from the first event.
      this.options.hooks?.state?.(this.snapshot, this.document);
    });
  }

  /** Runs the reconciler, the deadline ticker, the save retries and the alarm poller until `signal` aborts. */
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
   * and returns the ids that may be deleted (everything but malformed messages and alarm events from a
   * refused sender, which stay for the DLQ).
   */
  async handleBatch(
    batch: readonly InboundMessage[],
    signal?: AbortSignal,
  ): Promise<{ deletable: string[]; malformed: string[]; forged: string[] }> {
    const { events, malformed, forged } = this.classifier.parse(batch);
    return this.serial.run(async () => {
      if (this.journal.forgedReceived(this.document, forged)) this.saver.dirty = true;
      for (const { message, event } of events) {
        let changed = false;
        if (event.kind === 'ignored') this.intake.ignored(message, event);
        else if (event.kind === 'operator') changed = this.commands.apply(this.document, message, event, this.target);
        else {
          const result = await this.intake.handle(message, event, this.session, this.document, signal);
          if (result.changed && result.event) this.send(result.event);
          changed = result.changed;
        }
        if (changed) this.saver.dirty = true;
      }
      // Behaviour 4: nothing is deleted before the state it produced is saved. That includes a redelivery
      // judged a duplicate against memory while memory is still unsaved (a save failed earlier): the
      // duplicate's own state is the unsaved one. A throw here leaves the whole batch on the queue.
      if (this.saver.dirty) await this.save(signal);
      return {
        deletable: events.map((p) => p.message.messageId),
        malformed,
        forged: forged.map((f) => f.messageId),
      };
    });
  }

  /** Persists whatever is in memory (used at shutdown). */
  async flush(signal?: AbortSignal): Promise<void> {
    await this.serial.run(() => this.save(signal));
  }

  /** Where operator commands go: the statechart, through `send`. */
  private readonly target = {
    send: (event: FailoverEvent) => this.send(event),
    outcome: () => this.snapshot.context.lastCommand,
  };

  /** Applies what DescribeAlarms showed; saved (or retried) when it changed anything. */
  private async observe(readings: ObservedAlarm[]): Promise<void> {
    const now = this.options.clock.now();
    const signals = this.snapshot.context.signals;
    if (!readings.some((r) => readingVerdict(signals[r.alarm], r.at, now) === 'applied')) return;
    this.send({ type: 'alarms.observed', alarms: readings, now });
    this.saver.dirty = true;
    await this.saveQuietly();
  }

  /** A deadline passed: the statechart reads the clock; a decision it makes is saved (or retried). */
  private async tick(): Promise<void> {
    const before = this.snapshot.context.seq;
    this.send({ type: 'clock.ticked', now: this.options.clock.now() });
    if (this.snapshot.context.seq === before) return;
    this.saver.dirty = true;
    await this.saveQuietly();
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

  /**
   * Tells the statechart Connect was verified at `target`'s split; true when that changed its state (a
   * failback step's hold started), which is then saved.
   */
  private verified(target: Target, at: number): boolean {
    const before = this.snapshot.context;
    this.send(verifiedEvent(target, at));
    const after = this.snapshot.context;
    const changed = after.failbackStep !== before.failbackStep || after.seq !== before.seq;
    if (changed) this.saver.dirty = true;
    return changed;
  }

  /** Sends one event to the statechart; a split it requested is recorded now and aimed at once saved. */
  private send(event: FailoverEvent): void {
    if (this.session.send(event, this.document)) {
      const target = this.aims.decided(this.document, this.snapshot);
      // A dry run writes nothing, so nothing is ever verified: its stand-in for a shift is one verified
      // at once, as if Connect moved instantly, so a failback's steps go on as their holds say.
      if (this.options.dryRun) this.verified(target, event.now);
    }
    this.rescheduled.notify();
    this.options.hooks?.state?.(this.snapshot, this.document);
  }

  private async save(signal?: AbortSignal): Promise<void> {
    this.document.snapshot = this.session.persisted();
    await this.saver.save(this.document, signal);
    this.aims.saved(this.document, this.snapshot);
  }

  /** A save whose failure the retry loop handles (it is not the caller's failure: a shift, a tick). */
  private saveQuietly(): Promise<void> {
    return this.save().catch(() => undefined);
  }
}
