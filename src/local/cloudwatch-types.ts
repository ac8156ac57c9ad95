/** The CloudWatch simulator's public shapes: what it is given, what it holds and what it records. */
import type { AlarmValue } from '../config/types.ts';
import type {
  AlarmDescriptor,
  AlarmEventSink,
  AlarmStateRecord,
  AlarmTransition,
  MetricAlarmConfig,
} from './alarm-event-sink.ts';

/** An alarm to create in the simulator. */
export interface AlarmSpec {
  name: string;
  /** Region code, e.g. `us-east-1`. */
  region: string;
  /**
   * Default `'composite'`: the better game-day lever. With its default rule nothing re-evaluates it, so a
   * state set with SetAlarmState holds; a metric alarm returns to what its metric says at its next period.
   */
  type?: 'metric' | 'composite';
  /** Default `'OK'`. */
  state?: AlarmValue;
  /** Default `'Initial state set by the CloudWatch simulator'`. */
  reason?: string;
  reasonData?: string;
  description?: string;
  /** Composite only. Default `'FALSE'` (valid CloudWatch syntax): it changes only through SetAlarmState. */
  alarmRule?: string;
  /** Metric only. Defaults: `AWS/Connect` `ContactFlowFatalErrors`, Sum over 60 s, `>= 1` for 1 of 1 periods. */
  metric?: Partial<MetricAlarmConfig>;
  /**
   * SNS topic notified on every state (OK, ALARM, INSUFFICIENT_DATA).
   * Default `arn:aws:sns:<region>:<account>:connect-failover-alarms`.
   */
  topicArn?: string;
}

/** An alarm as the simulator holds it (a copy: changing it changes nothing). */
export interface SimulatedAlarm extends AlarmDescriptor {
  state: AlarmStateRecord;
  /** Epoch ms of the last change of the state value (`StateTransitionedTimestamp`). */
  stateTransitionedAt: number;
}

/** One API request the simulator received (admin endpoints are not recorded). */
export interface RecordedCall {
  operation: string;
  /** From the SigV4 credential scope; `undefined` when the request was not signed. */
  region: string | undefined;
  /** Epoch ms, from the simulator's clock. */
  at: number;
  /** `gzip` when the SDK compressed the body. */
  contentEncoding: string | undefined;
  /** HTTP status of the answer. */
  status: number;
}

/** One datum from PutMetricData, with the Region it was sent to. */
export interface RecordedMetricDatum {
  region: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  value?: number;
  values?: number[];
  counts?: number[];
  statisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
  unit?: string;
  /** Epoch ms: the datum's Timestamp, or the arrival time when it had none. */
  timestamp: number;
  receivedAt: number;
}

/** Scripted failures for the next requests. */
export interface CloudWatchFaults {
  /**
   * Makes the next `count` requests of `operation` (`'*'` for any) fail with `status`. `code` is the
   * query error code the SDK names the error by; default by status: 400 and 429 `Throttling`,
   * 403 `AccessDenied`, 500 `InternalServiceError` (the modeled `InternalServiceFault`),
   * 503 `ServiceUnavailable`, other 5xx `InternalFailure`, other 4xx `InvalidParameterValue`.
   */
  failNext(operation: string, count: number, status: number, code?: string): void;
  /**
   * Answers every later request of `operation` (`'*'` for any) `ms` later than it would be, success or
   * failure alike, until set to 0 or cleared: a slow Region's API. A request held when the simulator
   * stops is cut off.
   */
  delay(operation: string, ms: number): void;
  /** Forgets every scripted failure not yet used, and every delay. */
  clear(): void;
}

/** Options of `startCloudWatchSimulator`. */
export interface CloudWatchSimulatorOptions {
  /** Default `0` (any free port). */
  port?: number;
  /** Default `'127.0.0.1'`. */
  host?: string;
  /** Account in every ARN and event. Default `'000000000000'`. */
  accountId?: string;
  /** Alarms that exist from the start. */
  alarms?: AlarmSpec[];
  /** Receives every state transition. Default: none (transitions are only recorded). */
  sink?: AlarmEventSink;
  /** Clock for state timestamps, in epoch ms. Default `Date.now`. */
  now?: () => number;
  /** History items kept per alarm for DescribeAlarmHistory; the oldest are dropped first. Default 1000. */
  historyLimit?: number;
}

/** A running CloudWatch simulator. */
export interface CloudWatchSimulator {
  /** `http://host:port`, for `endpoint` or `AWS_ENDPOINT_URL_CLOUDWATCH`. */
  readonly endpoint: string;
  readonly port: number;
  readonly accountId: string;
  readonly calls: readonly RecordedCall[];
  readonly metricData: readonly RecordedMetricDatum[];
  /** Every transition made so far, in order, whether or not a sink took it. */
  readonly transitions: readonly AlarmTransition[];
  /** Errors the sink threw; the API call that caused them still succeeded, as in AWS. */
  readonly sinkErrors: readonly unknown[];
  readonly faults: CloudWatchFaults;
  /**
   * Sets an alarm's state exactly as SetAlarmState does. Resolves to the transition, or `undefined` for a
   * same-state set (reason updated, nothing emitted). Throws `UnknownAlarmError` for an unknown
   * alarm, `SimulatorInputError` for an invalid state or reason data. Default reason
   * `'Set by the CloudWatch simulator'`.
   */
  setAlarmState(
    region: string,
    name: string,
    value: AlarmValue,
    reason?: string,
    reasonData?: string,
  ): Promise<AlarmTransition | undefined>;
  /** Creates an alarm; throws `DuplicateAlarmError` when the name is taken in that Region, `SimulatorInputError` when the spec is invalid. */
  addAlarm(spec: AlarmSpec): SimulatedAlarm;
  /** Alarms of one Region, or of all, sorted by Region then name. */
  alarms(region?: string): SimulatedAlarm[];
  /** Stops listening, aborts sink deliveries in flight and closes open connections. */
  stop(): Promise<void>;
}
