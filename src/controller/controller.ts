/**
 * The controller: restores the statechart from the store, feeds it alarm events, operator commands and
 * clock ticks, persists the result before acknowledging messages, and tells the reconciler which split
 * the state wants. Every decision is logged once and kept in the history.
 */
import { createActor } from 'xstate';
import type { Actor } from 'xstate';
import {
  createFailoverMachine,
  outlook,
  readingVerdict,
  restoreSnapshot,
  statesOf,
} from '../../state-machines/index.ts';
import type { Decision, FailoverEvent, FailoverMachine, FailoverPolicy, FailoverSnapshot } from '../../state-machines/index.ts';
import type { AlarmReader } from '../cloudwatch/alarm-reader.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/types.ts';
import type { TrafficControl, TrafficSplit } from '../connect/traffic-port.ts';
import { fullJitterDelay } from '../backoff.ts';
import { StoreConflictError, StoreUnavailableError } from '../errors.ts';
import { normalizeMessage } from '../events/normalize.ts';
import type { OperatorCommand, QueueEvent } from '../events/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { StateStore } from '../store/store.ts';
import { appendHistory, emptyDocument, readDocument, rememberCommand } from './document.ts';
import type { ActualTraffic, ControllerDocument, HistoryEntry } from './document.ts';
import { commandEvent } from './machine-events.ts';
import { Reconciler } from './reconciler.ts';
import type { ReconcileOutcome, Target } from './reconciler.ts';
import { matchSignal, signalRefs } from './signal-map.ts';
import type { SignalRef } from './signal-map.ts';
import { SerialQueue, Wakeup } from './wakeup.ts';

/** One message from the queue, as the intake hands it over. */
export interface InboundMessage {
  messageId: string;
  body: string;
  receivedAt: number;
  sentAt?: number | undefined;
  /** The IAM principal SQS says sent it (for the audit of operator commands). */
  senderId?: string | undefined;
}

/** What became of each message of a batch; the intake deletes all but the malformed ones. */
export type MessageOutcome = 'applied' | 'duplicate' | 'stale' | 'future' | 'unknownAlarm' | 'ignored' | 'command' | 'malformed';

export interface ControllerHooks {
  /** Called after each message is classified (for metrics). */
  message?(outcome: MessageOutcome, shape: string | undefined): void;
  /** Called for every decision of the statechart. */
  decision?(decision: Decision): void;
  /** Called for every reconcile outcome. */
  shift?(outcome: ReconcileOutcome): void;
  /** Called after every state change (for gauges). */
  state?(snapshot: FailoverSnapshot, doc: ControllerDocument): void;
}

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
   * Saves that failed are retried with full-jitter backoff (default 1 s doubling to 15 s); after
   * `maxFailures` failures in a row (default 6, about a minute) the controller stops: the messages whose
   * state was not saved were not deleted, so they come back to the next controller.
   */
  storeRetry?: { baseMs: number; capMs: number; maxFailures: number };
}

const DEFAULT_STORE_RETRY = { baseMs: 1_000, capMs: 15_000, maxFailures: 6 };

export function policyOf(config: Config): FailoverPolicy {
  return { signals: config.signals, traffic: config.traffic, timing: config.timing, failback: config.failback };
}

export class Controller {
  readonly policy: FailoverPolicy;
  private readonly machine: FailoverMachine;
  private readonly refs: SignalRef[];
  private readonly serial = new SerialQueue();
  private readonly rescheduled = new Wakeup();
  private readonly reconciler: Reconciler;
  private actor: Actor<FailoverMachine> | undefined;
  private doc: ControllerDocument | undefined;
  private version = 0;
  private loggedSeq = 0;
  private lastBlocked: string | undefined;
  /** True while memory holds state the store has not saved: nothing is acknowledged until it is. */
  private dirty = false;
  private saveFailures = 0;
  private readonly saveFailed = new Wakeup();
  /** Malformed message ids already reported: a redelivered one is not logged again (bounded). */
  private readonly reportedMalformed = new Set<string>();

  constructor(private readonly options: ControllerOptions) {
    this.policy = policyOf(options.config);
    this.machine = createFailoverMachine(this.policy);
    this.refs = signalRefs(options.config.signals, options.config.regions);
    this.reconciler = new Reconciler({
      traffic: options.traffic,
      clock: options.clock,
      logger: options.logger,
      // `started` only counts an attempt in memory, so it does not queue behind a save in progress: the
      // write follows the decision at once. Every other outcome is recorded and saved in turn.
      onOutcome: (outcome) => (outcome.kind === 'started' ? this.recordOutcome(outcome) : this.serial.run(() => this.recordOutcome(outcome))),
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
    const { store, logger, clock } = this.options;
    const stored = await store.load(signal);
    if (stored) {
      this.version = stored.version;
      this.doc = readDocument(stored.data, store.describe(), { config: this.options.config, onAdopt: (owner) => logger.warn({ owner }, 'state document names no traffic distribution group; adopting it for this one') });
      const persisted = restoreSnapshot(this.machine, this.doc.snapshot);
      this.actor = createActor(this.machine, { snapshot: persisted, input: { now: clock.now() } }).start();
      this.loggedSeq = this.snapshot.context.seq;
    } else {
      this.actor = createActor(this.machine, { input: { now: clock.now() } }).start();
      this.doc = emptyDocument(this.persistedSnapshot(), this.options.config);
    }
    const states = statesOf(this.snapshot);
    logger.info({ store: store.describe(), restored: Boolean(stored), ...states }, 'controller starting');

    await this.observeAlarms(signal);
    const drift = await this.observeTraffic(signal);
    await this.serial.run(async () => {
      this.noteDecisions();
      appendHistory(this.document, {
        at: iso(clock.now()),
        kind: 'startup',
        reason: stored ? 'restored persisted state' : 'no persisted state: started healthy',
        to: statesOf(this.snapshot).health,
      });
      await this.persist(signal);
    });
    // While automation is paused or suspended, a split changed by hand is reported, not overwritten.
    const { automation } = statesOf(this.snapshot);
    const handChanged = drift && this.document.shift?.status === 'verified';
    this.aim(!(handChanged && automation !== 'active'));
  }

  /** Runs the reconciler and the deadline ticker until `signal` aborts. Messages come through `handleBatch`. */
  async runLoops(signal: AbortSignal): Promise<void> {
    await Promise.all([this.reconciler.run(signal), this.tickLoop(signal), this.saveRetryLoop(signal)]);
  }

  /**
   * Applies one batch: classifies every message, applies alarm events in alarm-timestamp order, persists,
   * and returns the ids that may be deleted (everything but malformed messages, which stay for the DLQ).
   */
  async handleBatch(batch: readonly InboundMessage[], signal?: AbortSignal): Promise<{ deletable: string[]; malformed: string[] }> {
    const { logger, hooks } = { ...this.options, hooks: this.options.hooks ?? {} };
    const parsed: Array<{ message: InboundMessage; event: QueueEvent }> = [];
    const malformed: string[] = [];
    for (const message of batch) {
      try {
        parsed.push({ message, event: normalizeMessage(message.body) });
      } catch (error) {
        malformed.push(message.messageId);
        hooks.message?.('malformed', undefined);
        // The body is not logged: it may hold anything. The id finds it in the DLQ.
        const details = { messageId: message.messageId, error: (error as Error).message };
        if (this.reportedMalformed.has(message.messageId)) {
          logger.debug(details, 'malformed message received again');
        } else {
          this.reportedMalformed.add(message.messageId);
          if (this.reportedMalformed.size > 1000) this.reportedMalformed.delete(this.reportedMalformed.values().next().value!);
          logger.warn(details, 'malformed message left for the dead-letter queue');
        }
      }
    }
    parsed.sort((a, b) => orderKey(a.event) - orderKey(b.event));
    return this.serial.run(async () => {
      for (const { message, event } of parsed) if (this.applyEvent(message, event)) this.dirty = true;
      // Behaviour 4: nothing is deleted before the state it produced is saved. That includes a redelivery
      // judged a duplicate against memory while memory is still unsaved (a save failed earlier): the
      // duplicate's own state is the unsaved one. A throw here leaves the whole batch on the queue.
      if (this.dirty) await this.persist(signal);
      return { deletable: parsed.map((p) => p.message.messageId), malformed };
    });
  }

  /** Persists whatever is in memory (used at shutdown). */
  async flush(signal?: AbortSignal): Promise<void> {
    await this.serial.run(() => this.persist(signal));
  }

  /** Applies one event; true when it changed the state or the document. */
  private applyEvent(message: InboundMessage, event: QueueEvent): boolean {
    const { logger, clock } = this.options;
    const hooks = this.options.hooks ?? {};
    if (event.kind === 'ignored') {
      hooks.message?.('ignored', event.shape);
      logger.info({ messageId: message.messageId, shape: event.shape, why: event.why }, 'message ignored');
      return false;
    }
    if (event.kind === 'operator') return this.applyCommand(message, event);
    const ref = matchSignal(this.refs, event.alarm);
    if (!ref) {
      hooks.message?.('unknownAlarm', event.shape);
      logger.info({ messageId: message.messageId, alarm: event.alarm.arn }, 'alarm is not a configured signal; ignored');
      return false;
    }
    const now = clock.now();
    const outcome: MessageOutcome = readingVerdict(this.snapshot.context.signals[ref.key], event.stateAt, now);
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
    const { logger, clock } = this.options;
    const doc = this.document;
    this.options.hooks?.message?.('command', command.shape);
    if (doc.commandIds.includes(command.id)) {
      logger.info({ messageId: message.messageId, commandId: command.id }, 'operator command already applied');
      return false;
    }
    rememberCommand(doc, command.id);
    // The command goes into the history before the transitions it causes; its outcome is filled in after.
    const entry: HistoryEntry = {
      at: iso(clock.now()),
      kind: 'command',
      reason: command.reason,
      by: command.requestedBy,
      ...(message.senderId ? { sender: message.senderId } : {}),
    };
    appendHistory(doc, entry);
    this.send(commandEvent(command, clock.now()));
    const result = this.snapshot.context.lastCommand;
    const outcome = result?.accepted ? 'accepted' : 'refused';
    entry.outcome = `${command.command} ${outcome}: ${result?.detail ?? ''}`;
    logger.info(
      { commandId: command.id, command: command.command, force: command.force, by: command.requestedBy, sender: message.senderId, reason: command.reason, outcome, detail: result?.detail },
      'operator command',
    );
    return true;
  }

  /** Sends one event to the statechart, then logs and records what it decided. */
  private send(event: FailoverEvent): void {
    this.actor!.send(event);
    this.noteDecisions();
  }

  private noteDecisions(): void {
    const { logger, clock } = this.options;
    const snapshot = this.snapshot;
    const fresh = snapshot.context.decisions.filter((d) => d.seq > this.loggedSeq);
    let shiftDecided = false;
    for (const d of fresh) {
      this.loggedSeq = d.seq;
      appendHistory(this.document, {
        at: iso(d.at),
        kind: 'transition',
        region: d.region,
        from: d.from,
        to: d.to,
        reason: d.reason,
        alarms: d.alarms,
        trigger: d.trigger,
        ...(d.by ? { by: d.by } : {}),
        ...(d.region === 'health' ? { primaryPercent: this.policy.traffic[d.to as 'healthy'] } : {}),
      });
      logger.info({ decision: d.seq, region: d.region, from: d.from, to: d.to, reason: d.reason, alarms: d.alarms, trigger: d.trigger, by: d.by }, 'decision');
      this.options.hooks?.decision?.(d);
      if (d.region === 'health') shiftDecided = true;
    }
    const view = outlook(this.policy, snapshot);
    const blocked = view.blocked && view.blocked.kind !== 'waiting' ? view.blocked.message : undefined;
    if (blocked !== this.lastBlocked) {
      this.lastBlocked = blocked;
      if (blocked) {
        logger.warn({ blocked: view.blocked?.kind, alarms: view.blocked?.wanted.alarms }, blocked);
        appendHistory(this.document, { at: iso(clock.now()), kind: 'blocked', reason: blocked, alarms: view.blocked?.wanted.alarms ?? [] });
      }
    }
    this.document.snapshot = this.persistedSnapshot();
    if (shiftDecided) this.aim(true);
    this.rescheduled.notify();
    this.options.hooks?.state?.(snapshot, this.document);
  }

  /** Points the reconciler at the split the current state wants. */
  private aim(write: boolean): void {
    const view = outlook(this.policy, this.snapshot);
    const target: Target = { primaryPercent: view.desiredPrimaryPercent, seq: this.snapshot.context.seq, write: write && !this.options.dryRun };
    const doc = this.document;
    if (!doc.shift || doc.shift.targetPrimaryPercent !== target.primaryPercent) {
      doc.shift = {
        targetPrimaryPercent: target.primaryPercent,
        decidedSeq: target.seq,
        decidedAt: iso(this.options.clock.now()),
        status: 'pending',
        attempts: 0,
        writes: 0,
        lastError: undefined,
        updatedAt: iso(this.options.clock.now()),
        nextAttemptAt: undefined,
        verifiedAt: undefined,
      };
    }
    this.reconciler.want(target);
  }

  private async recordOutcome(outcome: ReconcileOutcome): Promise<void> {
    const { logger, clock } = this.options;
    const doc = this.document;
    const now = iso(clock.now());
    this.options.hooks?.shift?.(outcome);
    const shift = doc.shift;
    const current = shift && shift.targetPrimaryPercent === outcome.target.primaryPercent ? shift : undefined;
    switch (outcome.kind) {
      case 'started':
        // Not saved on its own: the decision's save already holds the pending shift, so a crash mid-shift
        // restarts knowing what it was doing, without a save on the way to every write.
        if (current) Object.assign(current, { attempts: current.attempts + 1, updatedAt: now });
        return;
      case 'verified': {
        const { result } = outcome;
        doc.actual = actualTraffic(result.split, 'ACTIVE', now);
        // A periodic re-check that found the split as it should be is not news: no history line, no save
        // (the reading rides along with the next save). Otherwise every check would push the audit out.
        if (outcome.resync && result.writes === 0) return;
        if (current) Object.assign(current, { status: 'verified', writes: current.writes + result.writes, lastError: undefined, nextAttemptAt: undefined, verifiedAt: now, updatedAt: now });
        if (outcome.resync && result.writes > 0) {
          // Nothing decided a shift, yet the split had to be written: someone changed it by hand.
          appendHistory(doc, { at: now, kind: 'drift', reason: `split found changed while running; restored ${outcome.target.primaryPercent}% to the primary`, primaryPercent: outcome.target.primaryPercent });
          logger.warn({ targetPrimaryPercent: outcome.target.primaryPercent, writes: result.writes }, 'drift: split changed by hand while running; restored');
        }
        appendHistory(doc, { at: now, kind: 'shift', reason: `${result.outcome} via ${result.writtenVia ?? 'no write'}`, outcome: 'verified', primaryPercent: outcome.target.primaryPercent });
        logger.info(
          { targetPrimaryPercent: outcome.target.primaryPercent, outcome: result.outcome, writes: result.writes, calls: result.calls.length, region: result.writtenVia },
          'shift verified',
        );
        break;
      }
      case 'failed':
        if (current) {
          Object.assign(current, { status: 'failed', lastError: outcome.error.message, nextAttemptAt: iso(clock.now() + outcome.retryInMs), updatedAt: now });
        }
        appendHistory(doc, { at: now, kind: 'shift', reason: outcome.error.message, outcome: 'failed', primaryPercent: outcome.target.primaryPercent });
        break;
      case 'observed': {
        const previous = doc.actual?.telephonyPrimaryPercent;
        doc.actual = actualTraffic(outcome.split, outcome.status, now);
        const differs = outcome.split.telephonyPrimaryPercent !== outcome.target.primaryPercent;
        if (outcome.resync && previous === outcome.split.telephonyPrimaryPercent && !differs) return;
        if (current && this.options.dryRun) Object.assign(current, { status: 'dryRun', updatedAt: now });
        if (differs && outcome.resync && previous !== outcome.split.telephonyPrimaryPercent) {
          appendHistory(doc, {
            at: now,
            kind: 'drift',
            reason: `Connect sends ${outcome.split.telephonyPrimaryPercent}% to the primary; the state wants ${outcome.target.primaryPercent}% (not corrected while automation is not active)`,
            primaryPercent: outcome.split.telephonyPrimaryPercent,
          });
        }
        if (differs) {
          const region = outcome.target.primaryPercent < outcome.split.telephonyPrimaryPercent ? this.options.config.regions.replica : this.options.config.regions.primary;
          logger.warn(
            {
              dryRun: Boolean(this.options.dryRun),
              wouldCall: 'UpdateTrafficDistribution',
              region,
              targetPrimaryPercent: outcome.target.primaryPercent,
              actualPrimaryPercent: outcome.split.telephonyPrimaryPercent,
            },
            this.options.dryRun ? 'dry run: would shift traffic' : 'split differs from the desired one; not written while automation is not active',
          );
        }
        break;
      }
    }
    this.dirty = true;
    // A failed save is not the shift's failure: the retry loop saves it, or stops the controller.
    await this.persist().catch(() => undefined);
  }

  private async observeAlarms(signal: AbortSignal): Promise<void> {
    const { alarms, logger, clock } = this.options;
    try {
      const readings = await alarms.read(this.refs, signal);
      for (const r of readings.filter((x) => x.value === undefined)) {
        logger.warn({ alarm: r.key }, 'configured alarm not found by DescribeAlarms (typo, or another Region?)');
      }
      const found = readings.filter((r) => r.value !== undefined && r.at !== undefined);
      await this.serial.run(async () => {
        this.send({
          type: 'alarms.observed',
          alarms: found.map((r) => ({ alarm: r.key, value: r.value!, at: r.at! })),
          now: clock.now(),
        });
      });
      logger.info({ alarms: Object.fromEntries(found.map((r) => [r.key, r.value])) }, 'alarm states read at start-up');
    } catch (error) {
      if (signal.aborted) throw error;
      // The queue still delivers changes; starting blind beats not starting. Reported loudly.
      logger.error({ err: error }, 'DescribeAlarms failed at start-up; continuing with the persisted alarm states');
    }
  }

  /** Reads the split now; returns true when it differs from what the state wants (drift). */
  private async observeTraffic(signal: AbortSignal): Promise<boolean> {
    const { traffic, logger, clock } = this.options;
    try {
      const now = await traffic.read(signal);
      const doc = this.document;
      doc.actual = actualTraffic(now.split, now.status, iso(clock.now()));
      const desired = outlook(this.policy, this.snapshot).desiredPrimaryPercent;
      if (now.split.telephonyPrimaryPercent === desired) return false;
      const entry: HistoryEntry = {
        at: iso(clock.now()),
        kind: 'drift',
        reason: `Connect sends ${now.split.telephonyPrimaryPercent}% to the primary; the state wants ${desired}%`,
        primaryPercent: now.split.telephonyPrimaryPercent,
      };
      appendHistory(doc, entry);
      logger.warn({ actualPrimaryPercent: now.split.telephonyPrimaryPercent, desiredPrimaryPercent: desired, region: now.region }, 'drift: split differs from the state');
      return true;
    } catch (error) {
      if (signal.aborted) throw error;
      logger.error({ err: error }, 'GetTrafficDistribution failed at start-up; the reconciler will keep trying');
      return false;
    }
  }

  /** Wakes the statechart at its next deadline (escalation, recovery) so time-based rules fire. */
  private async tickLoop(signal: AbortSignal): Promise<void> {
    const { clock } = this.options;
    while (!signal.aborted) {
      const deadline = outlook(this.policy, this.snapshot).nextDeadline;
      const wait = new AbortController();
      const stop = () => wait.abort();
      signal.addEventListener('abort', stop, { once: true });
      const rescheduled = this.rescheduled.wait(wait.signal).then(() => wait.abort());
      try {
        if (deadline === null) {
          await rescheduled;
          continue;
        }
        // Capped so a wall-clock step (either way) is noticed within a minute rather than at a stale deadline.
        await clock.sleep(Math.min(TICK_CAP_MS, Math.max(0, deadline - clock.now())), wait.signal);
        wait.abort();
        if (signal.aborted) break;
        await this.serial.run(async () => {
          const before = this.snapshot.context.seq;
          this.send({ type: 'clock.ticked', now: clock.now() });
          if (this.snapshot.context.seq === before) return;
          this.dirty = true;
          // A failed save is retried by the save loop (and stops the controller if it keeps failing).
          await this.persist(signal).catch(() => undefined);
        });
      } catch {
        // Rescheduled by a newer state or stopped: recompute the deadline.
      } finally {
        wait.abort();
        signal.removeEventListener('abort', stop);
        await rescheduled;
      }
    }
  }

  private persistedSnapshot(): unknown {
    return this.actor!.getPersistedSnapshot();
  }

  /**
   * Saves the document. On success memory and store agree again; on failure the document stays dirty,
   * the failure is counted, and the save loop is woken to retry it.
   */
  private async persist(signal?: AbortSignal): Promise<void> {
    const doc = this.document;
    doc.snapshot = this.persistedSnapshot();
    try {
      this.version = await this.options.store.save(doc, this.version, signal);
      this.dirty = false;
      this.saveFailures = 0;
    } catch (error) {
      if (error instanceof StoreConflictError) {
        this.options.logger.fatal({ err: error }, 'another writer changed the state store: is a second controller running on the same store?');
      } else if (!signal?.aborted) {
        this.dirty = true;
        this.saveFailures += 1;
        this.options.logger.error({ err: error, failures: this.saveFailures }, 'state not saved; will retry');
        this.saveFailed.notify();
      }
      throw error;
    }
  }

  /**
   * Retries an unsaved document with backoff. Messages wait on the queue meanwhile (nothing unsaved is
   * acknowledged); when saves keep failing, the controller stops rather than act on state nobody can see.
   */
  private async saveRetryLoop(signal: AbortSignal): Promise<void> {
    const retry = this.options.storeRetry ?? DEFAULT_STORE_RETRY;
    while (!signal.aborted) {
      if (!this.dirty || this.saveFailures === 0) {
        await this.saveFailed.wait(signal).catch(() => undefined);
        continue;
      }
      if (this.saveFailures >= retry.maxFailures) {
        throw new StoreUnavailableError(this.options.store.describe(), this.saveFailures);
      }
      await this.options.clock.sleep(fullJitterDelay(this.saveFailures, retry), signal).catch(() => undefined);
      if (signal.aborted) return;
      await this.serial.run(() => (this.dirty ? this.persist(signal) : Promise.resolve())).catch(() => undefined);
    }
  }
}

/** Alarm events in alarm-timestamp order; operator commands by the time they were issued. */
function orderKey(event: QueueEvent): number {
  if (event.kind === 'alarm') return event.stateAt;
  if (event.kind === 'operator') return event.requestedAt;
  return 0;
}

/** The split as last read from Connect, as the document keeps it. */
function actualTraffic(split: TrafficSplit, status: string, readAt: string): ActualTraffic {
  return { telephonyPrimaryPercent: split.telephonyPrimaryPercent, agentsPrimaryPercent: split.agentsPrimaryPercent, status, readAt };
}

/** Longest the deadline ticker sleeps before it reads the clock again. */
const TICK_CAP_MS = 60_000;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
