/**
 * The four CloudWatch operations the simulator answers, as CloudWatch documents them: DescribeAlarms,
 * DescribeAlarmHistory, SetAlarmState and PutMetricData. Each checks its request, then reads or changes
 * the account's {@link CloudWatchState}.
 */
import { decodeHistoryToken, encodeHistoryToken, historyItemWire } from './alarm-history.ts';
import { compositeAlarmWire, decodeListToken, encodeListToken, metricAlarmWire } from './cloudwatch-alarm-wire.ts';
import type { CloudWatchState } from './cloudwatch-state.ts';
import type { RecordedMetricDatum } from './cloudwatch-types.ts';
import {
  checkReasonData,
  checkStateValue,
  maxRecords,
  missing,
  numberList,
  optionalString,
  optionalStringList,
  queryError,
  requiredString,
  validation,
} from './cloudwatch-wire.ts';
import type { Json } from './cloudwatch-wire.ts';

const ALARM_TYPES = ['MetricAlarm', 'CompositeAlarm'] as const;
const HISTORY_ALARM_TYPES = ['MetricAlarm', 'CompositeAlarm', 'LogAlarm'] as const;
const HISTORY_ITEM_TYPES = [
  'ConfigurationUpdate',
  'StateUpdate',
  'Action',
  'AlarmContributorStateUpdate',
  'AlarmContributorAction',
] as const;
const SCAN_BY = ['TimestampDescending', 'TimestampAscending'] as const;

/** An operation: the account, the Region the request was signed for, and the decoded body. */
export type Operation = (state: CloudWatchState, region: string, body: Json) => Json | Promise<Json>;

function describeAlarms(state: CloudWatchState, region: string, body: Json): Json {
  const names = optionalStringList(body, 'AlarmNames');
  const prefix = optionalString(body, 'AlarmNamePrefix');
  const actionPrefix = optionalString(body, 'ActionPrefix');
  const types = optionalStringList(body, 'AlarmTypes');
  const stateValue = optionalString(body, 'StateValue');
  const nextToken = optionalString(body, 'NextToken');
  if (names !== undefined && prefix !== undefined) {
    throw queryError(
      400,
      'InvalidParameterCombination',
      'AlarmNames and AlarmNamePrefix cannot be specified together.',
    );
  }
  if (names !== undefined && names.length > 100)
    throw validation(
      `Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100`,
    );
  if (body.ChildrenOfAlarmName !== undefined || body.ParentsOfAlarmName !== undefined) {
    throw queryError(
      400,
      'InvalidParameterValue',
      'ChildrenOfAlarmName and ParentsOfAlarmName are not supported by the CloudWatch simulator.',
    );
  }
  const limit = maxRecords(body);
  for (const type of types ?? []) {
    if (!(ALARM_TYPES as readonly string[]).includes(type)) {
      throw validation(
        `1 validation error detected: Value '${type}' at 'alarmTypes' failed to satisfy constraint: Member must satisfy enum value set: [CompositeAlarm, MetricAlarm]`,
      );
    }
  }
  if (stateValue !== undefined) checkStateValue(stateValue, 'stateValue');
  const after = nextToken === undefined ? undefined : decodeListToken(nextToken);

  // Without AlarmTypes CloudWatch returns metric alarms only, even when composites exist (API reference).
  const wanted = new Set(types === undefined || types.length === 0 ? ['MetricAlarm'] : types);
  const matching = state.store
    .inRegion(region)
    .filter(
      (alarm) =>
        wanted.has(alarm.type === 'metric' ? 'MetricAlarm' : 'CompositeAlarm') &&
        (names === undefined || names.includes(alarm.name)) &&
        (prefix === undefined || alarm.name.startsWith(prefix)) &&
        (stateValue === undefined || alarm.state.value === stateValue) &&
        (actionPrefix === undefined ||
          [...alarm.actions.ok, ...alarm.actions.alarm, ...alarm.actions.insufficientData].some((a) =>
            a.startsWith(actionPrefix),
          )) &&
        (after === undefined || alarm.name > after),
    );
  const page = matching.slice(0, limit);
  const last = page.at(-1);
  return {
    CompositeAlarms: page.filter((a) => a.type === 'composite').map(compositeAlarmWire),
    MetricAlarms: page.filter((a) => a.type === 'metric').map(metricAlarmWire),
    ...(matching.length > page.length && last !== undefined ? { NextToken: encodeListToken(last.name) } : {}),
  };
}

function describeAlarmHistory(state: CloudWatchState, region: string, body: Json): Json {
  const alarmName = optionalString(body, 'AlarmName');
  const types = optionalStringList(body, 'AlarmTypes');
  const itemType = optionalString(body, 'HistoryItemType');
  const scanBy = optionalString(body, 'ScanBy');
  const nextToken = optionalString(body, 'NextToken');
  const epochMs = (key: string): number | undefined => {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw validation(`Value at '${key}' must be a timestamp (epoch seconds).`);
    return Math.round(value * 1000);
  };
  const start = epochMs('StartDate');
  const end = epochMs('EndDate');
  for (const type of types ?? []) {
    if (!(HISTORY_ALARM_TYPES as readonly string[]).includes(type)) {
      throw validation(
        `1 validation error detected: Value '${type}' at 'alarmTypes' failed to satisfy constraint: Member must satisfy enum value set: [CompositeAlarm, LogAlarm, MetricAlarm]`,
      );
    }
  }
  if (itemType !== undefined && !(HISTORY_ITEM_TYPES as readonly string[]).includes(itemType)) {
    throw validation(
      `1 validation error detected: Value '${itemType}' at 'historyItemType' failed to satisfy constraint: Member must satisfy enum value set: [${HISTORY_ITEM_TYPES.join(', ')}]`,
    );
  }
  if (scanBy !== undefined && !(SCAN_BY as readonly string[]).includes(scanBy)) {
    throw validation(
      `1 validation error detected: Value '${scanBy}' at 'scanBy' failed to satisfy constraint: Member must satisfy enum value set: [TimestampDescending, TimestampAscending]`,
    );
  }
  const limit = maxRecords(body);
  const after = nextToken === undefined ? undefined : decodeHistoryToken(nextToken);
  if (nextToken !== undefined && after === undefined)
    throw queryError(400, 'InvalidNextToken', 'The service returned an invalid NextToken.');
  const page = state.history.query({
    region,
    alarmName,
    // Without AlarmTypes only metric alarms' history is returned, as DescribeAlarms does (API reference).
    alarmTypes: new Set(types === undefined || types.length === 0 ? ['MetricAlarm'] : types),
    itemType,
    start,
    end,
    ascending: scanBy === 'TimestampAscending',
    after,
    limit,
  });
  return {
    AlarmHistoryItems: page.items.map(historyItemWire),
    ...(page.next === undefined ? {} : { NextToken: encodeHistoryToken(page.next) }),
  };
}

async function setAlarmState(state: CloudWatchState, region: string, body: Json): Promise<Json> {
  const name = requiredString(body, 'AlarmName');
  const value = checkStateValue(requiredString(body, 'StateValue'), 'stateValue');
  const reason = requiredString(body, 'StateReason');
  const reasonData = optionalString(body, 'StateReasonData');
  if (reason.length > 1023)
    throw validation(
      `Value at 'stateReason' failed to satisfy constraint: Member must have length less than or equal to 1023`,
    );
  checkReasonData(reasonData);
  await state.applyState(region, name, value, reason, reasonData);
  return {};
}

function putMetricData(state: CloudWatchState, region: string, body: Json): Json {
  const namespace = requiredString(body, 'Namespace');
  if (namespace.startsWith('AWS/')) {
    throw queryError(
      400,
      'InvalidParameterValue',
      `The value ${namespace} for parameter Namespace is invalid: the AWS/ prefix is reserved.`,
    );
  }
  const data = body.MetricData;
  if (!Array.isArray(data) || data.length === 0) throw missing('MetricData');
  if (data.length > 1000)
    throw validation(
      `Value at 'metricData' failed to satisfy constraint: Member must have length less than or equal to 1000`,
    );
  const receivedAt = state.now();
  const parsed = data.map((raw: unknown, i): RecordedMetricDatum => {
    if (typeof raw !== 'object' || raw === null) throw validation(`MetricData.member.${i + 1} must be a structure.`);
    const datum = raw as Json;
    const metricName = requiredString(datum, 'MetricName');
    const dimensions: Record<string, string> = {};
    for (const d of Array.isArray(datum.Dimensions) ? (datum.Dimensions as unknown[]) : []) {
      const { Name, Value } = (d ?? {}) as { Name?: unknown; Value?: unknown };
      if (typeof Name !== 'string' || typeof Value !== 'string')
        throw missing(`MetricData.member.${i + 1}.Dimensions.member.Name/Value`);
      dimensions[Name] = Value;
    }
    const value = datum.Value;
    if (value !== undefined && typeof value !== 'number')
      throw validation(`MetricData.member.${i + 1}.Value must be a number.`);
    const timestamp = datum.Timestamp;
    if (timestamp !== undefined && typeof timestamp !== 'number')
      throw validation(`MetricData.member.${i + 1}.Timestamp must be epoch seconds.`);
    const values = numberList(datum.Values, 'Values');
    const counts = numberList(datum.Counts, 'Counts');
    const unit = optionalString(datum, 'Unit');
    const statisticValues = datum.StatisticValues as RecordedMetricDatum['statisticValues'] | undefined;
    return {
      region,
      namespace,
      metricName,
      dimensions,
      ...(value === undefined ? {} : { value }),
      ...(values === undefined ? {} : { values }),
      ...(counts === undefined ? {} : { counts }),
      ...(statisticValues === undefined ? {} : { statisticValues }),
      ...(unit === undefined ? {} : { unit }),
      timestamp: timestamp === undefined ? receivedAt : Math.round(timestamp * 1000),
      receivedAt,
    };
  });
  // All or nothing, as one request: validate every datum before storing any.
  state.metricData.push(...parsed);
  return {};
}

/** The operations by name, as `X-Amz-Target` names them. */
export const OPERATIONS: Readonly<Record<string, Operation>> = {
  DescribeAlarms: describeAlarms,
  DescribeAlarmHistory: describeAlarmHistory,
  SetAlarmState: setAlarmState,
  PutMetricData: putMetricData,
};
