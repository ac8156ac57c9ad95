import type { AlarmStateChange } from './types.ts';
import { MalformedMessageError } from '../errors.ts';
import { requireAlarmArn } from './alarm-arn.ts';
import { ALARM_VALUES } from '../domain/signals.ts';
import type { JsonObject } from './fields.ts';
import {
  isJsonObject,
  optionalOneOf,
  optionalString,
  ownField,
  parseJsonString,
  requireOneOf,
  requireString,
} from './fields.ts';
import { describeJsonValue } from '../describe-value.ts';
import { childPath, kindOf } from './json-path.ts';
import { parseTimestamp } from './timestamp.ts';

/** SNS message types that are not notifications, with why each does not belong on the queue. */
const REFUSED_SNS_TYPES: Readonly<Record<string, string>> = {
  SubscriptionConfirmation:
    'an SNS SubscriptionConfirmation does not belong on this queue: confirm the subscription outside the controller (ConfirmSubscription with its Token, or its SubscribeURL); only alarm notifications are processed',
  UnsubscribeConfirmation:
    'an SNS UnsubscribeConfirmation does not belong on this queue: the subscription was removed; only alarm notifications are processed',
};

/**
 * Normalizes a CloudWatch alarm notification as SNS publishes it: the whole body with raw delivery
 * (`parent` `''`), or the parsed `Message` of an envelope (`parent` `'Message'`, so error paths read
 * `Message.AlarmArn`). Identity comes from `AlarmArn`, because the notification's `Region` is a display
 * name such as "US East (N. Virginia)".
 */
export function normalizeAlarmNotification(
  notification: JsonObject,
  parent: string,
  shape: 'sns-envelope' | 'sns-raw',
  messageId: string | undefined,
): AlarmStateChange {
  const arnPath = childPath(parent, 'AlarmArn');
  if (ownField(notification, 'AlarmArn') === undefined) {
    throw new MalformedMessageError(
      'is missing; the Region code can only come from the alarm ARN, since an alarm notification\'s Region is a display name like "US East (N. Virginia)"',
      arnPath,
    );
  }
  const arn = requireString(notification, 'AlarmArn', parent);
  const parts = requireAlarmArn(arn, arnPath);

  const name = requireString(notification, 'AlarmName', parent, { nonEmpty: true });
  if (name !== parts.name) {
    throw new MalformedMessageError(
      `${describeJsonValue(name)} is not the alarm named in AlarmArn (${describeJsonValue(parts.name)})`,
      childPath(parent, 'AlarmName'),
    );
  }
  const accountId = requireString(notification, 'AWSAccountId', parent);
  if (accountId !== parts.accountId) {
    throw new MalformedMessageError(
      `${describeJsonValue(accountId)} is not the account in AlarmArn (${describeJsonValue(parts.accountId)})`,
      childPath(parent, 'AWSAccountId'),
    );
  }

  const state = requireOneOf(notification, 'NewStateValue', parent, ALARM_VALUES);
  const previousState = optionalOneOf(notification, 'OldStateValue', parent, ALARM_VALUES);
  const stateAt = parseTimestamp(
    requireString(notification, 'StateChangeTime', parent),
    childPath(parent, 'StateChangeTime'),
  );
  const reason = optionalString(notification, 'NewStateReason', parent);

  const alarmRule = optionalString(notification, 'AlarmRule', parent);
  // Seen both as a string and as [{ Arn, State: { Value, Timestamp } }]; nothing here reads it.
  const children = ownField(notification, 'TriggeringChildren');
  if (children !== undefined && children !== null && typeof children !== 'string' && !Array.isArray(children)) {
    throw new MalformedMessageError(
      `expected a string or an array, got ${kindOf(children)}`,
      childPath(parent, 'TriggeringChildren'),
    );
  }

  return {
    kind: 'alarm',
    shape,
    messageId,
    alarm: {
      arn,
      name,
      accountId,
      region: parts.region,
      composite: alarmRule !== undefined || (children !== undefined && children !== null),
    },
    state,
    previousState,
    stateAt,
    reason,
  };
}

/**
 * Normalizes an SNS envelope (raw message delivery off). Only `Type: Notification` whose `Message` is
 * the JSON of a CloudWatch alarm notification is accepted; subscription and unsubscription
 * confirmations, and every other type, are malformed.
 */
export function normalizeSnsEnvelope(envelope: JsonObject): AlarmStateChange {
  const type = requireString(envelope, 'Type', '');
  const refused = Object.hasOwn(REFUSED_SNS_TYPES, type) ? REFUSED_SNS_TYPES[type] : undefined;
  if (refused !== undefined) throw new MalformedMessageError(refused, 'Type');
  if (type !== 'Notification') {
    throw new MalformedMessageError(
      `${describeJsonValue(type)} is not an SNS message type this queue accepts (only "Notification")`,
      'Type',
    );
  }
  const messageId = requireString(envelope, 'MessageId', '', { nonEmpty: true });
  const inner = parseJsonString(requireString(envelope, 'Message', ''), 'Message');
  if (!isJsonObject(inner)) {
    throw new MalformedMessageError(
      `expected the JSON object of a CloudWatch alarm notification, got ${kindOf(inner)}`,
      'Message',
    );
  }
  return normalizeAlarmNotification(inner, 'Message', 'sns-envelope', messageId);
}
