import type { AlarmStateChange, IgnoredMessage } from './types.ts';
import { MalformedMessageError } from '../errors.ts';
import { alarmArn, isAccountId, isRegionCode } from '../aws/identifiers.ts';
import { requireAlarmArn } from './alarm-arn.ts';
import { ALARM_VALUES } from '../domain/signals.ts';
import type { JsonObject } from './fields.ts';
import { optionalObject, optionalString, ownField, requireObject, requireOneOf, requireString } from './fields.ts';
import { describeJsonValue } from '../describe-value.ts';
import { parseTimestamp } from './timestamp.ts';

/** The only EventBridge `source` accepted on the queue. */
export const CLOUDWATCH_SOURCE = 'aws.cloudwatch';

/** The EventBridge `detail-type` of an alarm state change: the only one that is acted on. */
export const STATE_CHANGE_DETAIL_TYPE = 'CloudWatch Alarm State Change';

/** Other detail-types CloudWatch emits, accepted and ignored, with the reason given for ignoring them. */
export const IGNORED_DETAIL_TYPES: Readonly<Record<string, string>> = {
  'CloudWatch Alarm Configuration Change':
    'CloudWatch Alarm Configuration Change: an alarm was created, updated or deleted; its state did not change',
  'CloudWatch Alarm Contributor State Change':
    "CloudWatch Alarm Contributor State Change: one contributor of a multi-time-series alarm changed; the alarm's own transitions arrive as CloudWatch Alarm State Change",
};

function requireAccountId(event: JsonObject): string {
  const accountId = requireString(event, 'account', '');
  if (!isAccountId(accountId))
    throw new MalformedMessageError(`${describeJsonValue(accountId)} is not a 12-digit AWS account id`, 'account');
  return accountId;
}

function requireRegion(event: JsonObject): string {
  const region = requireString(event, 'region', '');
  if (!isRegionCode(region))
    throw new MalformedMessageError(`${describeJsonValue(region)} is not a Region code like us-east-1`, 'region');
  return region;
}

/**
 * The alarm ARN from `resources[0]`, checked against the event's own Region, account and alarm name;
 * built from them when `resources` is absent or empty.
 */
function alarmArnOf(event: JsonObject, region: string, accountId: string, name: string): string {
  const resources = ownField(event, 'resources');
  if (resources === undefined || resources === null || (Array.isArray(resources) && resources.length === 0)) {
    return alarmArn(region, accountId, name);
  }
  if (!Array.isArray(resources)) throw new MalformedMessageError('expected an array of ARNs', 'resources');
  const path = 'resources[0]';
  const first: unknown = resources[0];
  if (typeof first !== 'string')
    throw new MalformedMessageError(`expected an ARN string, got ${describeJsonValue(first)}`, path);
  const arn = requireAlarmArn(first, path);
  const names = (what: string) => new MalformedMessageError(`the alarm ARN names ${what}`, path);
  if (arn.region !== region)
    throw names(`Region ${describeJsonValue(arn.region)} but the event's region is ${describeJsonValue(region)}`);
  if (arn.accountId !== accountId) {
    throw names(
      `account ${describeJsonValue(arn.accountId)} but the event's account is ${describeJsonValue(accountId)}`,
    );
  }
  if (arn.name !== name)
    throw names(`alarm ${describeJsonValue(arn.name)} but detail.alarmName is ${describeJsonValue(name)}`);
  return first;
}

/**
 * Normalizes an EventBridge event from `aws.cloudwatch`: a state change becomes an {@link AlarmStateChange},
 * the other CloudWatch alarm detail-types an {@link IgnoredMessage}. Throws {@link MalformedMessageError}
 * for any other source or detail-type, and for a state change missing what identifies or orders it.
 */
export function normalizeEventBridgeEvent(event: JsonObject): AlarmStateChange | IgnoredMessage {
  const source = requireString(event, 'source', '');
  if (source !== CLOUDWATCH_SOURCE) {
    throw new MalformedMessageError(
      `${describeJsonValue(source)} is not an accepted source (only "${CLOUDWATCH_SOURCE}")`,
      'source',
    );
  }
  const detailType = requireString(event, 'detail-type', '');
  const messageId = requireString(event, 'id', '', { nonEmpty: true });
  const why = Object.hasOwn(IGNORED_DETAIL_TYPES, detailType) ? IGNORED_DETAIL_TYPES[detailType] : undefined;
  if (why !== undefined) return { kind: 'ignored', shape: 'eventbridge', messageId, why };
  if (detailType !== STATE_CHANGE_DETAIL_TYPE) {
    throw new MalformedMessageError(
      `${describeJsonValue(detailType)} is not a CloudWatch alarm detail-type (expected "${STATE_CHANGE_DETAIL_TYPE}")`,
      'detail-type',
    );
  }

  const accountId = requireAccountId(event);
  const region = requireRegion(event);
  const detail = requireObject(event, 'detail', '');
  const name = requireString(detail, 'alarmName', 'detail', { nonEmpty: true });
  const arn = alarmArnOf(event, region, accountId, name);

  const state = requireObject(detail, 'state', 'detail');
  const value = requireOneOf(state, 'value', 'detail.state', ALARM_VALUES);
  const stateAt = parseTimestamp(requireString(state, 'timestamp', 'detail.state'), 'detail.state.timestamp');
  const reason = optionalString(state, 'reason', 'detail.state');
  // A JSON *string* for both alarm kinds; only its type is checked, since nothing here reads it.
  optionalString(state, 'reasonData', 'detail.state');

  const previous = optionalObject(detail, 'previousState', 'detail');
  const previousState = previous ? requireOneOf(previous, 'value', 'detail.previousState', ALARM_VALUES) : undefined;

  const configuration = optionalObject(detail, 'configuration', 'detail');
  const alarmRule = configuration ? optionalString(configuration, 'alarmRule', 'detail.configuration') : undefined;

  return {
    kind: 'alarm',
    shape: 'eventbridge',
    messageId,
    alarm: { arn, name, accountId, region, composite: alarmRule !== undefined },
    state: value,
    previousState,
    stateAt,
    reason,
  };
}
