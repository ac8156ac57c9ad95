/**
 * What one alarm event from the queue becomes. It is judged against the readings the statechart holds,
 * logged once at the level it deserves, confirmed with DescribeAlarms when applying it would move traffic
 * (behaviour 13), and turned into the statechart event to apply, or into none. It reads the statechart's
 * signals and never sends it anything: the Controller does that, so one place journals and persists.
 */
import type { FailoverEvent, SignalReading } from '../../state-machines/index.ts';
import type { Clock } from '../clock.ts';
import type { AlarmStateChange, QueueEvent } from '../events/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { AlarmConfirmer, Confirmation } from './alarm-confirmer.ts';
import { iso } from './controller-types.ts';
import type { ControllerHooks, InboundMessage } from './controller-types.ts';
import { appendHistory } from './document.ts';
import type { ControllerDocument } from './document.ts';
import type { MessageClassifier } from './message-classifier.ts';
import type { StatechartSession } from './statechart-session.ts';

export interface AlarmIntakeOptions {
  classifier: MessageClassifier;
  /** Absent: events are believed as they come (`confirmAlarms: false`). */
  confirmer: AlarmConfirmer | undefined;
  clock: Clock;
  logger: Logger;
  hooks: ControllerHooks;
}

/** What an alarm event did: nothing, or changed the document, with the statechart event to apply (if any). */
export type AlarmIntakeResult = { changed: false } | { changed: true; event?: FailoverEvent };

type Signals = Readonly<Record<string, SignalReading>>;

export class AlarmIntake {
  constructor(private readonly options: AlarmIntakeOptions) {}

  /** A message the controller recognises but does not act on (a test notification, an unconfigured shape). */
  ignored(message: InboundMessage, event: Extract<QueueEvent, { kind: 'ignored' }>): void {
    this.options.hooks.message?.('ignored', event.shape);
    this.options.logger.info({ messageId: message.messageId, shape: event.shape, why: event.why }, 'message ignored');
  }

  /**
   * Asks CloudWatch about an alarm event only when it is news and applying it would make a shift
   * (`wouldShift` previews that on the statechart without applying anything).
   */
  async confirmIfShifting(
    event: AlarmStateChange,
    signals: Signals,
    wouldShift: (event: FailoverEvent) => boolean,
    signal?: AbortSignal,
  ): Promise<Confirmation | undefined> {
    const { confirmer, classifier, clock } = this.options;
    if (!confirmer) return undefined;
    const now = clock.now();
    const verdict = classifier.judge(event, signals, now);
    if (verdict.kind !== 'signal' || verdict.outcome !== 'applied') return undefined;
    const change = { type: 'alarm.changed' as const, alarm: verdict.ref.key, value: event.state, at: event.stateAt };
    if (!wouldShift({ ...change, now })) return undefined;
    return confirmer.confirm(verdict.ref, event, signal);
  }

  /**
   * One alarm event against the statechart `session` holds: confirmed when applying it would move
   * traffic, judged, and turned into what to apply. Nothing is sent: the caller sends `event`.
   */
  async handle(
    message: InboundMessage,
    event: AlarmStateChange,
    session: Pick<StatechartSession, 'snapshot' | 'wouldChangeHealth'>,
    doc: ControllerDocument,
    signal?: AbortSignal,
  ): Promise<AlarmIntakeResult> {
    const preview = (e: FailoverEvent) => session.wouldChangeHealth(e);
    const confirmation = await this.confirmIfShifting(event, session.snapshot.context.signals, preview, signal);
    return this.apply(message, event, session.snapshot.context.signals, doc, confirmation);
  }

  /** Judges one alarm event (and its confirmation, when one was asked for) and says what to apply. */
  apply(
    message: InboundMessage,
    event: AlarmStateChange,
    signals: Signals,
    doc: ControllerDocument,
    confirmation?: Confirmation,
  ): AlarmIntakeResult {
    const { logger, clock, hooks, classifier } = this.options;
    const now = clock.now();
    const verdict = classifier.judge(event, signals, now);
    if (verdict.kind === 'unknownAlarm') {
      hooks.message?.('unknownAlarm', event.shape);
      logger.info(
        { messageId: message.messageId, alarm: event.alarm.arn },
        'alarm is not a configured signal; ignored',
      );
      return { changed: false };
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
      return { changed: false };
    }
    // Duplicates and stale events are routine under at-least-once delivery: debug, not info.
    logger[outcome === 'applied' ? 'info' : 'debug'](details, 'alarm state change');
    if (outcome !== 'applied') return { changed: false };
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
        appendHistory(doc, { at: iso(now), kind: 'disputed', reason: confirmation.detail, alarms: [ref.key] });
      // What CloudWatch shows is applied as a reading: the truth, deduplicated like any other.
      return confirmation.reading
        ? { changed: true, event: { type: 'alarms.observed', alarms: [confirmation.reading], now } }
        : { changed: true };
    }
    if (confirmation?.outcome === 'unconfirmed') {
      logger.warn(
        { ...details, detail: confirmation.detail },
        'alarm event not confirmed (CloudWatch did not answer); acting on it',
      );
      appendHistory(doc, { at: iso(now), kind: 'unconfirmed', reason: confirmation.detail, alarms: [ref.key] });
    }
    return {
      changed: true,
      event: { type: 'alarm.changed', alarm: ref.key, value: event.state, at: event.stateAt, now },
    };
  }
}
