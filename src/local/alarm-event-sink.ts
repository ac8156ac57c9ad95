import { randomUUID } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { snsTopicArn } from '../aws/identifiers.ts';
import type { AlarmValue } from '../config/types.ts';
import { SimulatorInputError } from './simulator-errors.ts';

/** The SNS topic a simulated alarm notifies when it is given none. */
export const DEFAULT_ALARM_TOPIC = 'connect-failover-alarms';

/** One state of an alarm, as CloudWatch records it. */
export interface AlarmStateRecord {
  value: AlarmValue;
  reason: string;
  /** A JSON document as a string (CloudWatch's `StateReasonData`); absent when none was given. */
  reasonData?: string | undefined;
  /** Epoch milliseconds. */
  timestamp: number;
}

/** The metric a metric alarm watches (single-metric alarms only; metric math is out of scope). */
export interface MetricAlarmConfig {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** Seconds. */
  period: number;
  /** `Sum`, `Average`, `Maximum`, `Minimum`, `SampleCount`, or an extended statistic like `p99`. */
  statistic: string;
  threshold: number;
  comparisonOperator: string;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  /** `missing`, `notBreaching`, `breaching` or `ignore`. */
  treatMissingData: string;
  unit?: string | undefined;
}

/** What a notification needs to know about the alarm, beyond its state. */
export interface AlarmDescriptor {
  name: string;
  arn: string;
  /** Region code, e.g. `us-east-1`. */
  region: string;
  accountId: string;
  type: 'metric' | 'composite';
  description?: string | undefined;
  /** Composite alarms only. */
  alarmRule?: string | undefined;
  /** Metric alarms only. */
  metric?: MetricAlarmConfig | undefined;
  /** Epoch milliseconds. */
  configurationUpdatedAt: number;
  actions: { ok: string[]; alarm: string[]; insufficientData: string[] };
}

/** A change of an alarm's state value (never a same-state update: CloudWatch notifies nobody then). */
export interface AlarmTransition {
  alarm: AlarmDescriptor;
  previous: AlarmStateRecord;
  current: AlarmStateRecord;
}

/**
 * Receives every alarm transition the simulator makes. The simulator awaits it before answering the
 * request that caused the transition, so a test sees the event delivered when the call returns.
 */
export type AlarmEventSink = (change: AlarmTransition, options?: { signal?: AbortSignal }) => Promise<void>;

/** The three bodies a queue subscribed to alarm notifications can receive. */
export const ALARM_MESSAGE_SHAPES = ['eventbridge', 'sns-envelope', 'sns-raw'] as const;
export type AlarmMessageShape = (typeof ALARM_MESSAGE_SHAPES)[number];

/**
 * Display names CloudWatch writes into SNS alarm messages (`Region`, and the `Subject`). Connect
 * Regions first; unknown codes fall back to the code itself.
 */
export const REGION_DISPLAY_NAMES: Readonly<Record<string, string>> = {
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
  'ca-central-1': 'Canada (Central)',
  'ca-west-1': 'Canada West (Calgary)',
  'sa-east-1': 'South America (São Paulo)',
  'eu-west-1': 'Europe (Ireland)',
  'eu-west-2': 'Europe (London)',
  'eu-west-3': 'Europe (Paris)',
  'eu-central-1': 'Europe (Frankfurt)',
  'eu-central-2': 'Europe (Zurich)',
  'eu-north-1': 'Europe (Stockholm)',
  'eu-south-1': 'Europe (Milan)',
  'eu-south-2': 'Europe (Spain)',
  'af-south-1': 'Africa (Cape Town)',
  'il-central-1': 'Israel (Tel Aviv)',
  'me-south-1': 'Middle East (Bahrain)',
  'me-central-1': 'Middle East (UAE)',
  'ap-east-1': 'Asia Pacific (Hong Kong)',
  'ap-south-1': 'Asia Pacific (Mumbai)',
  'ap-south-2': 'Asia Pacific (Hyderabad)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ap-southeast-3': 'Asia Pacific (Jakarta)',
  'ap-southeast-4': 'Asia Pacific (Melbourne)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
  'ap-northeast-2': 'Asia Pacific (Seoul)',
  'ap-northeast-3': 'Asia Pacific (Osaka)',
  'us-gov-west-1': 'AWS GovCloud (US-West)',
  'us-gov-east-1': 'AWS GovCloud (US-East)',
};

/** The display name of a Region code, or the code itself when the table does not know it. */
export function regionDisplayName(region: string): string {
  return REGION_DISPLAY_NAMES[region] ?? region;
}

/** `2026-11-28T17:04:40.989+0000`: the alarm-state timestamp format of both EventBridge and SNS. */
export function formatAlarmTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}

/** The EventBridge envelope `time`: whole seconds only, so it cannot order two changes in one second. */
function formatEventTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

/** The topic a notification for `change` is published to: the first SNS action for the new state. */
function topicArnFor(change: AlarmTransition): string {
  const { alarm, current } = change;
  const actions =
    current.value === 'ALARM'
      ? alarm.actions.alarm
      : current.value === 'OK'
        ? alarm.actions.ok
        : alarm.actions.insufficientData;
  return (
    actions.find((a) => a.startsWith('arn:') && a.split(':')[2] === 'sns') ??
    snsTopicArn(alarm.region, alarm.accountId, DEFAULT_ALARM_TOPIC)
  );
}

/** EventBridge `detail.state` / `detail.previousState`: `reasonData` only when the state has one. */
function eventState(state: AlarmStateRecord): Record<string, unknown> {
  return {
    value: state.value,
    reason: state.reason,
    ...(state.reasonData === undefined ? {} : { reasonData: state.reasonData }),
    timestamp: formatAlarmTimestamp(state.timestamp),
  };
}

function eventConfiguration(alarm: AlarmDescriptor): Record<string, unknown> {
  const description = alarm.description === undefined ? {} : { description: alarm.description };
  if (alarm.type === 'composite') return { alarmRule: alarm.alarmRule ?? 'FALSE', ...description };
  const metric = alarm.metric;
  if (metric === undefined) return description;
  return {
    ...description,
    metrics: [
      {
        id: 'm1',
        metricStat: {
          metric: { namespace: metric.namespace, name: metric.metricName, dimensions: { ...metric.dimensions } },
          period: metric.period,
          stat: metric.statistic,
        },
        returnData: true,
      },
    ],
  };
}

/**
 * The `CloudWatch Alarm State Change` event an EventBridge rule puts on a queue (the whole event is the
 * body). `time` is the new state's timestamp cut to the second; `id` is a fresh UUID per call, as each
 * delivery path mints its own.
 */
export function toEventBridgeEvent(change: AlarmTransition): Record<string, unknown> {
  const { alarm } = change;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: alarm.accountId,
    time: formatEventTime(change.current.timestamp),
    region: alarm.region,
    resources: [alarm.arn],
    detail: {
      alarmName: alarm.name,
      configuration: eventConfiguration(alarm),
      previousState: eventState(change.previous),
      state: eventState(change.current),
    },
  };
}

/** SNS spells extended statistics apart and upper-cases the standard ones (`SampleCount` → `SAMPLE_COUNT`). */
function snsStatistic(statistic: string): Record<string, string> {
  if (/^(p|tm|tc|ts|wm|pr)\d/i.test(statistic))
    return { StatisticType: 'ExtendedStatistic', ExtendedStatistic: statistic };
  return { StatisticType: 'Statistic', Statistic: statistic.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() };
}

function snsTrigger(metric: MetricAlarmConfig): Record<string, unknown> {
  return {
    MetricName: metric.metricName,
    Namespace: metric.namespace,
    ...snsStatistic(metric.statistic),
    Unit: metric.unit ?? null,
    Dimensions: Object.entries(metric.dimensions).map(([name, value]) => ({ value, name })),
    Period: metric.period,
    EvaluationPeriods: metric.evaluationPeriods,
    DatapointsToAlarm: metric.datapointsToAlarm,
    ComparisonOperator: metric.comparisonOperator,
    Threshold: metric.threshold,
    // Real messages carry this odd padded label, not the bare value; consumers have learned to cope.
    TreatMissingData: `- TreatMissingData:                    ${metric.treatMissingData}`,
    EvaluateLowSampleCountPercentile: '',
  };
}

/** Composite `TriggeringChildren`, taken from the `triggeringAlarms` of the state's reason data when present. */
function triggeringChildren(reasonData: string | undefined): Array<Record<string, unknown>> {
  if (reasonData === undefined) return [];
  try {
    const parsed = JSON.parse(reasonData) as { triggeringAlarms?: unknown };
    if (!Array.isArray(parsed.triggeringAlarms)) return [];
    return parsed.triggeringAlarms.flatMap((t: unknown) => {
      const child = t as { arn?: unknown; state?: { value?: unknown; timestamp?: unknown } };
      if (typeof child.arn !== 'string') return [];
      return [{ Arn: child.arn, State: { Value: child.state?.value, Timestamp: child.state?.timestamp } }];
    });
  } catch {
    return [];
  }
}

/**
 * The alarm message CloudWatch publishes to SNS: the body a queue receives with raw message delivery
 * on, and the `Message` string of the envelope otherwise. `Region` is a display name; the Region code is
 * only in `AlarmArn`.
 */
export function toSnsRawMessage(change: AlarmTransition): Record<string, unknown> {
  const { alarm, previous, current } = change;
  const common = {
    AlarmName: alarm.name,
    AlarmDescription: alarm.description ?? null,
    AWSAccountId: alarm.accountId,
    AlarmConfigurationUpdatedTimestamp: formatAlarmTimestamp(alarm.configurationUpdatedAt),
    NewStateValue: current.value,
    NewStateReason: current.reason,
    StateChangeTime: formatAlarmTimestamp(current.timestamp),
    Region: regionDisplayName(alarm.region),
    AlarmArn: alarm.arn,
    OldStateValue: previous.value,
    OKActions: [...alarm.actions.ok],
    AlarmActions: [...alarm.actions.alarm],
    InsufficientDataActions: [...alarm.actions.insufficientData],
  };
  if (alarm.type === 'composite') {
    return {
      ...common,
      AlarmRule: alarm.alarmRule ?? 'FALSE',
      TriggeringChildren: triggeringChildren(current.reasonData),
    };
  }
  return alarm.metric === undefined ? common : { ...common, Trigger: snsTrigger(alarm.metric) };
}

/**
 * The SNS notification envelope a queue receives with raw message delivery off. `Timestamp` is the new
 * state's timestamp (a real topic publishes a few hundred ms later; the simulator keeps it deterministic).
 * The signature is a placeholder: with SQS as transport the queue policy is the control, not signatures.
 */
export function toSnsEnvelope(change: AlarmTransition): Record<string, unknown> {
  const { alarm, current } = change;
  const topicArn = topicArnFor(change);
  const snsHost = `sns.${alarm.region}.amazonaws.com`;
  return {
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: topicArn,
    Subject: `${current.value}: "${alarm.name}" in ${regionDisplayName(alarm.region)}`.slice(0, 100),
    Message: JSON.stringify(toSnsRawMessage(change)),
    Timestamp: new Date(current.timestamp).toISOString(),
    SignatureVersion: '1',
    Signature: Buffer.from(`simulated-signature:${topicArn}`).toString('base64'),
    SigningCertURL: `https://${snsHost}/SimpleNotificationService-simulated.pem`,
    UnsubscribeURL: `https://${snsHost}/?Action=Unsubscribe&SubscriptionArn=${topicArn}:${randomUUID()}`,
  };
}

/** The queue body for `change` in the given shape, as a JSON string. */
export function toMessageBody(change: AlarmTransition, shape: AlarmMessageShape): string {
  switch (shape) {
    case 'eventbridge':
      return JSON.stringify(toEventBridgeEvent(change));
    case 'sns-envelope':
      return JSON.stringify(toSnsEnvelope(change));
    case 'sns-raw':
      return JSON.stringify(toSnsRawMessage(change));
  }
}

/** Options of {@link sqsEventSink}. */
export interface SqsEventSinkOptions {
  /** The SQS client to send with; its endpoint, Region and credentials decide where the message goes. */
  client: SQSClient;
  queueUrl: string;
  /** Body shape, fixed or chosen per change. Default `'eventbridge'`. */
  shape?: AlarmMessageShape | ((change: AlarmTransition) => AlarmMessageShape);
  /**
   * Message group of a FIFO queue (a URL ending in `.fifo`). Default: the alarm ARN, so one alarm's
   * changes stay in order. Ignored for standard queues.
   */
  messageGroupId?: (change: AlarmTransition) => string;
}

/**
 * A sink that puts each transition on an SQS queue with `SendMessage`, in the body AWS would deliver
 * for the chosen shape. Send errors reject the returned promise; the caller decides what a lost event
 * means. Throws {@link SimulatorInputError} at once for a shape it does not know.
 */
export function sqsEventSink(options: SqsEventSinkOptions): AlarmEventSink {
  const { client, queueUrl, shape = 'eventbridge' } = options;
  if (typeof shape === 'string' && !(ALARM_MESSAGE_SHAPES as readonly string[]).includes(shape)) {
    throw new SimulatorInputError(`shape "${shape}" is not one of ${ALARM_MESSAGE_SHAPES.join(', ')}`);
  }
  const chooseShape = typeof shape === 'function' ? shape : () => shape;
  const fifo = queueUrl.endsWith('.fifo');
  return async (change, sendOptions) => {
    const body = toMessageBody(change, chooseShape(change));
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        ...(fifo
          ? {
              MessageGroupId: options.messageGroupId?.(change) ?? change.alarm.arn,
              // Each transition is a distinct message; SQS content deduplication must not merge two.
              MessageDeduplicationId: randomUUID(),
            }
          : {}),
      }),
      sendOptions?.signal === undefined ? {} : { abortSignal: sendOptions.signal },
    );
  };
}
