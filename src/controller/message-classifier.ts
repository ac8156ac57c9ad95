/**
 * Turns a batch of queue bodies into events the controller can apply, and says which configured signal
 * an alarm event is and whether its reading is news. Malformed bodies, and alarm events from a sender
 * `queue.alarmSenders` refuses, are reported once per message id and left for the dead-letter queue.
 */
import { readingVerdict } from '../../state-machines/index.ts';
import type { SignalReading } from '../../state-machines/index.ts';
import { normalizeMessage } from '../events/normalize.ts';
import type { AlarmStateChange, QueueEvent } from '../events/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { ControllerHooks, InboundMessage, MessageOutcome } from './controller-types.ts';
import { judgeAlarmSender } from '../domain/alarm-senders.ts';
import type { AlarmSenders } from '../domain/alarm-senders.ts';
import { matchSignal } from '../domain/signals.ts';
import type { SignalRef } from '../domain/signals.ts';

/** Malformed message ids remembered so a redelivery is not reported again. */
const REPORTED_LIMIT = 1000;

export interface ParsedBatch {
  /** Parsed events, alarm events in alarm-timestamp order and commands by the time they were issued. */
  events: Array<{ message: InboundMessage; event: QueueEvent }>;
  /** Ids of the messages that are not one of the accepted shapes. */
  malformed: string[];
  /** Alarm events whose sender is refused; `first`: not reported before by this process. */
  forged: ForgedMessage[];
}

/** An alarm-shaped message from a sender `queue.alarmSenders` refuses. */
export interface ForgedMessage {
  messageId: string;
  senderId: string | undefined;
  /** Names the sender and the entry it matched (or missed), never the body. */
  why: string;
  first: boolean;
}

/** An alarm event matched to its signal, with what its reading means against the last one applied. */
export type AlarmVerdict =
  | { kind: 'unknownAlarm' }
  | { kind: 'signal'; ref: SignalRef; outcome: Extract<MessageOutcome, 'applied' | 'duplicate' | 'stale' | 'future'> };

export class MessageClassifier {
  private readonly reported = new Set<string>();

  constructor(
    private readonly refs: readonly SignalRef[],
    private readonly logger: Logger,
    private readonly hooks: ControllerHooks = {},
    private readonly senders?: AlarmSenders,
  ) {}

  parse(batch: readonly InboundMessage[]): ParsedBatch {
    const events: ParsedBatch['events'] = [];
    const malformed: string[] = [];
    const forged: ForgedMessage[] = [];
    for (const message of batch) {
      let event: QueueEvent;
      try {
        event = normalizeMessage(message.body);
      } catch (error) {
        malformed.push(message.messageId);
        this.hooks.message?.('malformed', undefined);
        this.reportMalformed(message.messageId, (error as Error).message);
        continue;
      }
      // Operator commands are not judged here: who may send them is the queue policy's business.
      const verdict = event.kind === 'alarm' ? judgeAlarmSender(this.senders, message.senderId) : undefined;
      if (verdict?.allowed === false) {
        this.hooks.message?.('forged', event.shape);
        forged.push(this.reportForged(message, event.shape, verdict.why));
        continue;
      }
      events.push({ message, event });
    }
    events.sort((a, b) => orderKey(a.event) - orderKey(b.event));
    return { events, malformed, forged };
  }

  /** Which signal `event` is, and whether its reading is applied, a duplicate, stale or dated ahead. */
  judge(event: AlarmStateChange, signals: Readonly<Record<string, SignalReading>>, now: number): AlarmVerdict {
    const ref = matchSignal(this.refs, event.alarm);
    if (!ref) return { kind: 'unknownAlarm' };
    return { kind: 'signal', ref, outcome: readingVerdict(signals[ref.key], event.stateAt, now) };
  }

  private reportMalformed(messageId: string, error: string): void {
    // The body is not logged: it may hold anything. The id finds it in the DLQ.
    const details = { messageId, error };
    if (!this.firstReport(messageId)) {
      this.logger.debug(details, 'malformed message received again');
      return;
    }
    this.logger.warn(details, 'malformed message left for the dead-letter queue');
  }

  private reportForged(message: InboundMessage, shape: string, why: string): ForgedMessage {
    // Nothing from the body: whoever forged it chose every byte of it. SQS set the sender.
    const details = { messageId: message.messageId, sender: message.senderId ?? null, shape, why };
    const first = this.firstReport(message.messageId);
    if (first) this.logger.warn(details, 'alarm event from a refused sender; left for the dead-letter queue');
    else this.logger.debug(details, 'alarm event from a refused sender received again');
    return { messageId: message.messageId, senderId: message.senderId, why, first };
  }

  /** True the first time a message id is reported (a bounded memory of the ids reported). */
  private firstReport(messageId: string): boolean {
    if (this.reported.has(messageId)) return false;
    this.reported.add(messageId);
    if (this.reported.size > REPORTED_LIMIT) this.reported.delete(this.reported.values().next().value!);
    return true;
  }
}

function orderKey(event: QueueEvent): number {
  if (event.kind === 'alarm') return event.stateAt;
  if (event.kind === 'operator') return event.requestedAt;
  return 0;
}
