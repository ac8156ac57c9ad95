/**
 * Level-based alarm reading: every signal is read with DescribeAlarms in its own Region, at start-up and
 * then every `timing.alarmPoll`, and what it shows is applied like an event (deduplicated by the alarm's
 * state timestamp). A lost EventBridge or SNS delivery is caught within one interval. Regions are read
 * independently and with a timeout: a CloudWatch endpoint that hangs during an outage leaves its own
 * alarms as they were and delays nothing else.
 */
import type { AlarmValue } from '../../state-machines/index.ts';
import type { AlarmReader } from '../cloudwatch/alarm-reader.ts';
import type { Clock } from '../clock.ts';
import type { SignalRef } from '../domain/signals.ts';
import type { Logger } from '../observability/logger.ts';

/** Longest one Region's DescribeAlarms may take before that Region counts as not answering. */
export const ALARM_READ_TIMEOUT_MS = 10_000;

export interface ObservedAlarm {
  alarm: string;
  value: AlarmValue;
  at: number;
}

export interface AlarmPollerOptions {
  reader: AlarmReader;
  refs: readonly SignalRef[];
  clock: Clock;
  logger: Logger;
  /** Between two reads; 0 reads once (at start-up) and stops. */
  intervalMs: number;
  timeoutMs?: number;
  /** Applies what one Region's read found. */
  apply(readings: ObservedAlarm[]): Promise<void>;
}

export class AlarmPoller {
  /** Alarms already reported missing, so a typo is logged once, not every minute. */
  private readonly reportedMissing = new Set<string>();

  constructor(private readonly options: AlarmPollerOptions) {}

  /** Polls every interval (at once, unless start-up already made the first read) until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { clock, intervalMs } = this.options;
    if (!this.polled) await this.pollOnce(signal);
    while (!signal.aborted && intervalMs > 0) {
      await clock.sleep(intervalMs, signal).catch(() => undefined);
      if (!signal.aborted) await this.pollOnce(signal);
    }
  }

  /**
   * The first read, at start-up: waited for at most `maxWaitMs`, so that the queued events applied first
   * meet the alarms as they are now; a Region slower than that goes on reading in the background.
   */
  async prime(signal: AbortSignal, maxWaitMs: number): Promise<void> {
    // Not awaited to the end when slow: it must never become an unhandled rejection later.
    const first = this.pollOnce(signal).catch((error: unknown) =>
      this.options.logger.warn({ err: error }, 'the first alarm read failed'),
    );
    const timeout = new AbortController();
    const onAbort = () => timeout.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.race([first, this.options.clock.sleep(maxWaitMs, timeout.signal).catch(() => undefined)]);
    } finally {
      timeout.abort();
      signal.removeEventListener('abort', onAbort);
    }
  }

  private polled = false;

  /** Reads every Region in parallel; each applies as soon as it answers. Never throws but for a stop. */
  async pollOnce(signal: AbortSignal): Promise<void> {
    this.polled = true;
    const byRegion = new Map<string, SignalRef[]>();
    for (const ref of this.options.refs) byRegion.set(ref.region, [...(byRegion.get(ref.region) ?? []), ref]);
    await Promise.all([...byRegion].map(([region, refs]) => this.pollRegion(region, refs, signal)));
  }

  private async pollRegion(region: string, refs: SignalRef[], signal: AbortSignal): Promise<void> {
    const { reader, logger } = this.options;
    const timeoutMs = this.options.timeoutMs ?? ALARM_READ_TIMEOUT_MS;
    let readings;
    try {
      readings = await reader.read(refs, AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]));
    } catch (error) {
      if (signal.aborted) return;
      logger.warn(
        { awsRegion: region, err: error, alarms: refs.map((r) => r.key) },
        'DescribeAlarms did not answer; these alarms stay as last known until it does',
      );
      return;
    }
    for (const r of readings.filter((x) => x.value === undefined && !this.reportedMissing.has(x.key))) {
      this.reportedMissing.add(r.key);
      logger.warn(
        { alarm: r.key, awsRegion: region },
        'configured alarm not found by DescribeAlarms (typo, or another Region?)',
      );
    }
    const found = readings.flatMap((r) =>
      r.value !== undefined && r.at !== undefined ? [{ alarm: r.key, value: r.value, at: r.at }] : [],
    );
    logger.debug(
      { awsRegion: region, alarms: Object.fromEntries(found.map((r) => [r.alarm, r.value])) },
      'alarm states read',
    );
    if (found.length > 0 && !signal.aborted) await this.options.apply(found);
  }
}
