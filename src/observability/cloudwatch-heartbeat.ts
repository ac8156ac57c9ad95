/**
 * A CloudWatch heartbeat: PutMetricData every minute, so an alarm on a *missing* `Heartbeat` pages someone
 * when the controller is down, stuck or cut off, which no log line or Prometheus scrape of a dead process
 * can do on its own. Publishing never stops the controller: a failure is logged, counted and tried again
 * at the next beat.
 */
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchClient, MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { AutomationState, HealthState } from '../../state-machines/index.ts';
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';

/** Default namespace of the heartbeat metrics. */
export const HEARTBEAT_NAMESPACE = 'ConnectFailover';
/** Default time between heartbeats. */
export const HEARTBEAT_INTERVAL_MS = 60_000;

/** `HealthState` values: 0 healthy, 1 degraded, 2 failedOver, 3 failingBack (added last, so alarms on 1 and 2 keep their meaning). */
export const HEALTH_STATE_VALUES: Readonly<Record<HealthState, number>> = {
  healthy: 0,
  degraded: 1,
  failedOver: 2,
  failingBack: 3,
};

/** What one beat reports. */
export interface HeartbeatReading {
  /** False while the receive loop is stuck: `Heartbeat` is then left out, so the missing-heartbeat alarm fires. */
  alive: boolean;
  health: HealthState | undefined;
  automation: AutomationState | undefined;
  shiftFailing: boolean;
}

/** The logging the heartbeat needs; a pino logger fits. */
export interface HeartbeatLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface CloudWatchHeartbeatOptions {
  /** A CloudWatch client for the Region the alarms live in. */
  client: Pick<CloudWatchClient, 'send'>;
  /** Default {@link HEARTBEAT_NAMESPACE}. */
  namespace?: string;
  /** Dimensions of every datum, e.g. `{ Controller: '<TDG id>' }`. Alarms must name the same ones. */
  dimensions: Readonly<Record<string, string>>;
  /** Default {@link HEARTBEAT_INTERVAL_MS}. The first beat goes out at once. */
  intervalMs?: number;
  /** Longest one PutMetricData may take, in ms. Default: the interval, at most 10 s. */
  timeoutMs?: number;
  /** Default the system clock. */
  clock?: Clock;
  /** What to report, read at every beat. */
  read: () => HeartbeatReading;
  logger: HeartbeatLogger;
  /** Told about each beat's outcome (for a counter). */
  onResult?: (outcome: 'sent' | 'failed', error?: unknown) => void;
}

/**
 * The data of one beat: `Heartbeat` 1 (only while alive), `HealthState` 0/1/2/3, `AutomationActive` 1/0,
 * `AutomationSuspended` 1/0 and `ShiftFailing` 1/0. States not known yet are left out.
 */
export function heartbeatData(
  reading: HeartbeatReading,
  dimensions: Readonly<Record<string, string>>,
  at: Date,
): MetricDatum[] {
  const Dimensions = Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value }));
  const datum = (MetricName: string, Value: number): MetricDatum => ({
    MetricName,
    Value,
    Unit: 'None',
    Timestamp: at,
    Dimensions,
  });
  const data: MetricDatum[] = [];
  if (reading.alive) data.push(datum('Heartbeat', 1));
  if (reading.health !== undefined) data.push(datum('HealthState', HEALTH_STATE_VALUES[reading.health]));
  if (reading.automation !== undefined) {
    data.push(datum('AutomationActive', reading.automation === 'active' ? 1 : 0));
    data.push(datum('AutomationSuspended', reading.automation === 'suspended' ? 1 : 0));
  }
  data.push(datum('ShiftFailing', reading.shiftFailing ? 1 : 0));
  return data;
}

/** Beats until `signal` aborts; never rejects. */
export async function runCloudWatchHeartbeat(options: CloudWatchHeartbeatOptions, signal: AbortSignal): Promise<void> {
  const clock = options.clock ?? systemClock;
  const interval = options.intervalMs ?? HEARTBEAT_INTERVAL_MS;
  if (!(interval > 0)) throw new RangeError(`heartbeat intervalMs must be above 0, got ${interval}`);
  const timeout = options.timeoutMs ?? Math.min(interval, 10_000);
  const namespace = options.namespace ?? HEARTBEAT_NAMESPACE;
  let failures = 0;
  while (!signal.aborted) {
    const reading = options.read();
    // One controller per beat rather than AbortSignal.any on the long-lived run signal (reported to leak).
    const request = new AbortController();
    const onAbort = () => request.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => request.abort(new Error(`PutMetricData took longer than ${timeout} ms`)), timeout);
    try {
      await options.client.send(
        new PutMetricDataCommand({
          Namespace: namespace,
          MetricData: heartbeatData(reading, options.dimensions, new Date(clock.now())),
        }),
        { abortSignal: request.signal },
      );
      if (failures > 0) options.logger.warn({ failedBefore: failures }, 'CloudWatch heartbeat published again');
      failures = 0;
      options.onResult?.('sent');
      if (!reading.alive)
        options.logger.warn({}, 'CloudWatch heartbeat sent without Heartbeat: the receive loop is stuck');
      else options.logger.debug({ namespace }, 'CloudWatch heartbeat sent');
    } catch (error) {
      if (signal.aborted) return;
      failures += 1;
      options.onResult?.('failed', error);
      options.logger.warn(
        { err: error, consecutiveFailures: failures, namespace },
        'CloudWatch heartbeat failed; trying again at the next beat',
      );
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
    try {
      await clock.sleep(interval, signal);
    } catch {
      return;
    }
  }
}
