/**
 * Behaviour 13: an alarm event is a claim. Before an event may cause an automatic shift, the alarm is read
 * with DescribeAlarms in its own Region. Anyone allowed to send to the queue could forge an alarm-shaped
 * message; CloudWatch cannot be forged. When CloudWatch does not answer in time the event is acted on
 * and recorded as unconfirmed: during a Regional outage, availability wins.
 */
import type { AlarmReader } from '../cloudwatch/alarm-reader.ts';
import type { SignalRef } from '../domain/signals.ts';
import type { AlarmStateChange } from '../events/types.ts';
import type { ObservedAlarm } from './alarm-poller.ts';

/** A quick read: confirmation sits on the path from alarm to write. */
export const CONFIRM_TIMEOUT_MS = 2_000;

export type Confirmation =
  /** CloudWatch shows the event's state. */
  | { outcome: 'confirmed' }
  /** CloudWatch has been in another state since before the event (or has no such alarm): moves nothing. */
  | { outcome: 'contradicted'; detail: string; reading: ObservedAlarm | undefined }
  /** CloudWatch changed again after the event: its newer reading is applied instead. */
  | { outcome: 'superseded'; reading: ObservedAlarm }
  /** CloudWatch did not answer: the event is acted on. */
  | { outcome: 'unconfirmed'; detail: string };

export class AlarmConfirmer {
  constructor(
    private readonly reader: AlarmReader,
    private readonly timeoutMs = CONFIRM_TIMEOUT_MS,
  ) {}

  async confirm(ref: SignalRef, event: AlarmStateChange, signal?: AbortSignal): Promise<Confirmation> {
    let reading;
    try {
      const timeout = AbortSignal.timeout(this.timeoutMs);
      [reading] = await this.reader.read([ref], signal ? AbortSignal.any([signal, timeout]) : timeout);
    } catch (error) {
      if (signal?.aborted) throw error;
      return {
        outcome: 'unconfirmed',
        detail: `DescribeAlarms in ${ref.region} did not answer: ${(error as Error).message}`,
      };
    }
    if (!reading || reading.value === undefined || reading.at === undefined) {
      return {
        outcome: 'contradicted',
        detail: `CloudWatch in ${ref.region} has no alarm ${ref.name}`,
        reading: undefined,
      };
    }
    const now: ObservedAlarm = { alarm: ref.key, value: reading.value, at: reading.at };
    if (reading.value === event.state) return { outcome: 'confirmed' };
    if (reading.at > event.stateAt) return { outcome: 'superseded', reading: now };
    return {
      outcome: 'contradicted',
      detail: `CloudWatch shows ${ref.name} ${reading.value} since ${new Date(reading.at).toISOString()}, before the event's ${event.state} at ${new Date(event.stateAt).toISOString()}`,
      reading: now,
    };
  }
}
