/**
 * Alarms as CloudWatch answers them in DescribeAlarms (JSON 1.0: timestamps in epoch seconds), and the
 * page token of that operation.
 */
import type { SimulatedAlarm } from './cloudwatch-types.ts';
import { queryError } from './cloudwatch-wire.ts';
import type { Json } from './cloudwatch-wire.ts';

/** JSON 1.0 timestamps are epoch seconds; a fraction keeps the milliseconds. */
const epochSeconds = (ms: number): number => ms / 1000;

/** Opaque to callers; carries the last name returned so pages stay stable while alarms are added. */
export function encodeListToken(afterName: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after: afterName })).toString('base64url');
}

/** The name a list token continues after; InvalidNextToken for anything this simulator did not issue. */
export function decodeListToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; after?: unknown };
    if (parsed.v === 1 && typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through to the error below
  }
  throw queryError(400, 'InvalidNextToken', 'The service returned an invalid NextToken.');
}

/** A metric alarm as a `MetricAlarms` entry. */
export function metricAlarmWire(alarm: SimulatedAlarm): Json {
  const metric = alarm.metric;
  const extended = metric !== undefined && !/^(Sum|Average|Maximum|Minimum|SampleCount)$/.test(metric.statistic);
  return {
    AlarmName: alarm.name,
    AlarmArn: alarm.arn,
    ...(alarm.description === undefined ? {} : { AlarmDescription: alarm.description }),
    AlarmConfigurationUpdatedTimestamp: epochSeconds(alarm.configurationUpdatedAt),
    ActionsEnabled: true,
    OKActions: alarm.actions.ok,
    AlarmActions: alarm.actions.alarm,
    InsufficientDataActions: alarm.actions.insufficientData,
    StateValue: alarm.state.value,
    StateReason: alarm.state.reason,
    ...(alarm.state.reasonData === undefined ? {} : { StateReasonData: alarm.state.reasonData }),
    StateUpdatedTimestamp: epochSeconds(alarm.state.timestamp),
    ...(metric === undefined
      ? {}
      : {
          MetricName: metric.metricName,
          Namespace: metric.namespace,
          ...(extended ? { ExtendedStatistic: metric.statistic } : { Statistic: metric.statistic }),
          Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
          Period: metric.period,
          ...(metric.unit === undefined ? {} : { Unit: metric.unit }),
          EvaluationPeriods: metric.evaluationPeriods,
          DatapointsToAlarm: metric.datapointsToAlarm,
          Threshold: metric.threshold,
          ComparisonOperator: metric.comparisonOperator,
          TreatMissingData: metric.treatMissingData,
        }),
    StateTransitionedTimestamp: epochSeconds(alarm.stateTransitionedAt),
  };
}

/** A composite alarm as a `CompositeAlarms` entry. */
export function compositeAlarmWire(alarm: SimulatedAlarm): Json {
  return {
    ActionsEnabled: true,
    AlarmActions: alarm.actions.alarm,
    AlarmArn: alarm.arn,
    AlarmConfigurationUpdatedTimestamp: epochSeconds(alarm.configurationUpdatedAt),
    ...(alarm.description === undefined ? {} : { AlarmDescription: alarm.description }),
    AlarmName: alarm.name,
    AlarmRule: alarm.alarmRule ?? 'FALSE',
    InsufficientDataActions: alarm.actions.insufficientData,
    OKActions: alarm.actions.ok,
    StateReason: alarm.state.reason,
    ...(alarm.state.reasonData === undefined ? {} : { StateReasonData: alarm.state.reasonData }),
    StateUpdatedTimestamp: epochSeconds(alarm.state.timestamp),
    StateValue: alarm.state.value,
    StateTransitionedTimestamp: epochSeconds(alarm.stateTransitionedAt),
  };
}

/** The alarm in the list its type belongs to. */
export function alarmWire(alarm: SimulatedAlarm): Json {
  return alarm.type === 'metric' ? metricAlarmWire(alarm) : compositeAlarmWire(alarm);
}
