import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MalformedMessageError } from '../../src/errors.ts';
import { MAX_MESSAGE_BYTES, normalizeMessage } from '../../src/events/normalize.ts';
import type { AlarmStateChange } from '../../src/events/types.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The body of a fixture file, exactly as it would arrive on the queue. */
function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/messages/${name}`, import.meta.url), 'utf8');
}

/** A fixture changed by `edit`: realistic messages with one thing wrong. */
function edited(name: string, edit: (message: Json) => void): string {
  const message = JSON.parse(fixture(name)) as Json;
  edit(message);
  return JSON.stringify(message);
}

/** An SNS envelope fixture whose inner alarm notification is changed by `edit`. */
function editedInner(name: string, edit: (notification: Json) => void): string {
  return edited(name, (envelope) => {
    const inner = JSON.parse(envelope.Message as string) as Json;
    edit(inner);
    envelope.Message = JSON.stringify(inner);
  });
}

function operator(fields: Json): string {
  return edited('operator-failover.json', (message) => {
    Object.assign(message, fields);
    for (const [key, value] of Object.entries(fields)) if (value === undefined) delete message[key];
  });
}

const ACCOUNT = '123456789012';
const PRIMARY_OUTAGE_ARN = `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:connect-primary-outage`;
const PRIMARY_HEALTH_ARN = `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:connect-primary-health`;
const OUTAGE_REASON =
  'Threshold Crossed: 1 out of the last 1 datapoints [7.0 (28/11/26 17:03:00)] was greater than the threshold (5.0) (minimum 1 datapoint for OK -> ALARM transition).';
const COMPOSITE_REASON = `${PRIMARY_OUTAGE_ARN} transitioned to ALARM at Saturday 28 November, 2026 17:04:40 UTC`;

describe('normalizeMessage with EventBridge alarm events', () => {
  it('normalizes a metric alarm state change, timed by the alarm state and not the envelope', () => {
    // Prepare
    const body = fixture('eventbridge-metric-alarm.json');

    // Act
    const event = normalizeMessage(body);

    // Assess
    expect(event).toEqual({
      kind: 'alarm',
      shape: 'eventbridge',
      messageId: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
      alarm: {
        arn: PRIMARY_OUTAGE_ARN,
        name: 'connect-primary-outage',
        accountId: ACCOUNT,
        region: 'us-east-1',
        composite: false,
      },
      state: 'ALARM',
      previousState: 'OK',
      stateAt: Date.UTC(2026, 10, 28, 17, 4, 40, 989),
      reason: OUTAGE_REASON,
    });
  });

  it('normalizes a composite alarm whose reasonData is a JSON string and whose actions are suppressed', () => {
    // Prepare
    const body = fixture('eventbridge-composite-alarm.json');

    // Act
    const event = normalizeMessage(body);

    // Assess
    expect(event).toEqual({
      kind: 'alarm',
      shape: 'eventbridge',
      messageId: 'd3dfc86d-384d-24c8-0345-9f7986db0b80',
      alarm: {
        arn: PRIMARY_HEALTH_ARN,
        name: 'connect-primary-health',
        accountId: ACCOUNT,
        region: 'us-east-1',
        composite: true,
      },
      state: 'ALARM',
      previousState: 'OK',
      stateAt: Date.UTC(2026, 10, 28, 17, 4, 42, 117),
      reason: COMPOSITE_REASON,
    });
  });

  it('builds the alarm ARN from region, account and alarm name when resources is absent', () => {
    // Prepare
    const body = edited('eventbridge-metric-alarm.json', (event) => {
      delete event.resources;
    });

    // Act
    const event = normalizeMessage(body) as AlarmStateChange;

    // Assess
    expect(event.alarm.arn).toBe(PRIMARY_OUTAGE_ARN);
  });

  it('builds a GovCloud ARN in the aws-us-gov partition when resources is empty', () => {
    // Prepare
    const body = edited('eventbridge-metric-alarm.json', (event) => {
      event.resources = [];
      event.region = 'us-gov-west-1';
    });

    // Act
    const event = normalizeMessage(body) as AlarmStateChange;

    // Assess
    expect(event.alarm).toEqual({
      arn: `arn:aws-us-gov:cloudwatch:us-gov-west-1:${ACCOUNT}:alarm:connect-primary-outage`,
      name: 'connect-primary-outage',
      accountId: ACCOUNT,
      region: 'us-gov-west-1',
      composite: false,
    });
  });

  it('accepts a first state change that has no previous state and no reason', () => {
    // Prepare
    const body = edited('eventbridge-metric-alarm.json', (event) => {
      delete event.detail.previousState;
      delete event.detail.state.reason;
    });

    // Act
    const event = normalizeMessage(body) as AlarmStateChange;

    // Assess
    expect([event.previousState, event.reason]).toEqual([undefined, undefined]);
  });

  it('ignores an alarm configuration change, saying why', () => {
    // Prepare
    const body = fixture('eventbridge-configuration-change.json');

    // Act
    const event = normalizeMessage(body);

    // Assess
    expect(event).toEqual({
      kind: 'ignored',
      shape: 'eventbridge',
      messageId: '9a5b6c2e-3e41-0f8d-2b7a-5c1e8d0f4a21',
      why: 'CloudWatch Alarm Configuration Change: an alarm was created, updated or deleted; its state did not change',
    });
  });

  it('ignores a contributor state change of a multi-time-series alarm', () => {
    // Prepare
    const body = edited('eventbridge-metric-alarm.json', (event) => {
      event['detail-type'] = 'CloudWatch Alarm Contributor State Change';
    });

    // Act
    const event = normalizeMessage(body);

    // Assess
    expect(event).toMatchObject({
      kind: 'ignored',
      shape: 'eventbridge',
      messageId: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    });
    expect(event.kind === 'ignored' && event.why).toContain('Contributor State Change');
  });
});

describe('normalizeMessage with SNS notifications', () => {
  it('normalizes a metric alarm in an SNS envelope, taking the Region code from AlarmArn', () => {
    // Prepare
    const body = fixture('sns-envelope-metric-alarm.json');

    // Act
    const event = normalizeMessage(body);

    // Assess
    expect(event).toEqual({
      kind: 'alarm',
      shape: 'sns-envelope',
      messageId: '5b7f3c1a-9e2d-5f4b-8a6c-1d0e9f8a7b6c',
      alarm: {
        arn: PRIMARY_OUTAGE_ARN,
        name: 'connect-primary-outage',
        accountId: ACCOUNT,
        region: 'us-east-1',
        composite: false,
      },
      state: 'ALARM',
      previousState: 'OK',
      stateAt: Date.UTC(2026, 10, 28, 17, 4, 40, 989),
      reason: OUTAGE_REASON,
    });
  });

  it.each([
    ['an array', 'sns-envelope-composite-children-array.json', 'e0b8a1f2-7c3d-5a6e-9b4f-2c1d0e3f4a5b'],
    ['a string', 'sns-envelope-composite-children-string.json', 'a7c6e5d4-3b2a-5190-8f7e-6d5c4b3a2918'],
  ])('normalizes a composite alarm in an SNS envelope with TriggeringChildren as %s', (_kind, name, messageId) => {
    // Prepare
    const body = fixture(name);

    // Act
    const event = normalizeMessage(body);

    // Assess
    expect(event).toEqual({
      kind: 'alarm',
      shape: 'sns-envelope',
      messageId,
      alarm: {
        arn: PRIMARY_HEALTH_ARN,
        name: 'connect-primary-health',
        accountId: ACCOUNT,
        region: 'us-east-1',
        composite: true,
      },
      state: 'ALARM',
      previousState: 'OK',
      stateAt: Date.UTC(2026, 10, 28, 17, 4, 42, 117),
      reason: COMPOSITE_REASON,
    });
  });

  it('normalizes a raw-delivery alarm notification with no message id', () => {
    // Prepare
    const body = fixture('sns-raw-metric-alarm.json');

    // Act
    const event = normalizeMessage(body);

    // Assess
    expect(event).toEqual({
      kind: 'alarm',
      shape: 'sns-raw',
      messageId: undefined,
      alarm: {
        arn: `arn:aws:cloudwatch:us-west-2:${ACCOUNT}:alarm:connect-replica-outage`,
        name: 'connect-replica-outage',
        accountId: ACCOUNT,
        region: 'us-west-2',
        composite: false,
      },
      state: 'OK',
      previousState: 'INSUFFICIENT_DATA',
      stateAt: Date.UTC(2026, 10, 28, 17, 21, 5, 402),
      reason:
        'Threshold Crossed: 1 out of the last 1 datapoints [0.0 (28/11/26 17:20:00)] was not greater than the threshold (5.0) (minimum 1 datapoint for INSUFFICIENT_DATA -> OK transition).',
    });
  });

  it('keeps an alarm name that contains colons whole', () => {
    // Prepare
    const name = 'connect:primary:outage';
    const body = edited('sns-raw-metric-alarm.json', (notification) => {
      notification.AlarmName = name;
      notification.AlarmArn = `arn:aws:cloudwatch:us-west-2:${ACCOUNT}:alarm:${name}`;
    });

    // Act
    const event = normalizeMessage(body) as AlarmStateChange;

    // Assess
    expect([event.alarm.name, event.alarm.region]).toEqual([name, 'us-west-2']);
  });

  it('gives one transition the same deduplication key over EventBridge and SNS, though the message ids differ', () => {
    // Prepare
    const viaEventBridge = fixture('eventbridge-metric-alarm.json');
    const viaSns = fixture('sns-envelope-metric-alarm.json');

    // Act
    const [a, b] = [normalizeMessage(viaEventBridge), normalizeMessage(viaSns)] as AlarmStateChange[];

    // Assess
    expect([b?.alarm.arn, b?.state, b?.stateAt]).toEqual([a?.alarm.arn, a?.state, a?.stateAt]);
    expect(b?.messageId).not.toBe(a?.messageId);
  });
});

describe('normalizeMessage with operator commands', () => {
  it.each([
    [
      'failover',
      '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
      'Primary Region degraded per AWS Health; failing over ahead of the alarms',
      true,
      'alice@example.com',
      Date.UTC(2026, 10, 28, 17, 10),
    ],
    [
      'failback',
      '6fa459ea-ee8a-4ca4-894e-db77e160355e',
      'Primary healthy for 30 minutes; CHG-2211 approved',
      false,
      'bob@example.com',
      Date.UTC(2026, 10, 28, 19, 45, 12, 250),
    ],
    [
      'pause',
      '9c5b94b1-35ad-49bb-b118-8e8fc24abf80',
      'Planned maintenance on the primary instance',
      false,
      'arn:aws:sts::123456789012:assumed-role/ops/carol',
      Date.UTC(2026, 10, 29, 8),
    ],
    [
      'resume',
      '3d813cbb-47fb-42ba-91df-831e1593ac29',
      'Maintenance finished',
      false,
      'arn:aws:sts::123456789012:assumed-role/ops/carol',
      Date.UTC(2026, 10, 29, 9, 30),
    ],
  ])('normalizes a %s command', (command, id, reason, force, requestedBy, requestedAt) => {
    // Prepare
    const body = fixture(`operator-${command}.json`);

    // Act
    const event = normalizeMessage(body);

    // Assess
    expect(event).toEqual({
      kind: 'operator',
      shape: 'operator-command',
      id,
      command,
      reason,
      force,
      now: false,
      requestedBy,
      requestedAt,
    });
  });

  it('defaults force to false when it is left out', () => {
    // Prepare
    const body = operator({ force: undefined });

    // Act
    const event = normalizeMessage(body);

    // Assess
    expect(event.kind === 'operator' && event.force).toBe(false);
  });
});

describe('normalizeMessage body size', () => {
  it('accepts a body of exactly 256 KiB', () => {
    // Prepare
    const message = fixture('eventbridge-metric-alarm.json').trimEnd();
    const body = message + ' '.repeat(MAX_MESSAGE_BYTES - Buffer.byteLength(message));

    // Act
    const event = normalizeMessage(body);

    // Assess
    expect(Buffer.byteLength(body)).toBe(256 * 1024);
    expect(event.kind).toBe('alarm');
  });
});

const oversizedAscii = fixture('eventbridge-metric-alarm.json').trimEnd() + ' '.repeat(MAX_MESSAGE_BYTES);
// Fewer UTF-16 units than the limit, more UTF-8 bytes: the byte count is what SQS limits.
const oversizedMultibyte = operator({ reason: 'é'.repeat(MAX_MESSAGE_BYTES / 2) });

describe('normalizeMessage refuses malformed bodies', () => {
  it.each<[string, string, string, string]>([
    ['text that is not JSON', '{"source": "aws.cloudwatch",', '', 'body is not JSON'],
    ['a JSON array', '[{"source":"aws.cloudwatch"}]', '', 'body must be a JSON object, got array'],
    ['a JSON string', '"ALARM"', '', 'body must be a JSON object, got string'],
    ['JSON null', 'null', '', 'body must be a JSON object, got null'],
    ['an empty object', '{}', '', 'body is not a recognized message'],
    [
      'an object of no known shape',
      '{"alarm":"connect-primary-outage","state":"ALARM"}',
      '',
      'body is not a recognized message',
    ],
    ['a body over 256 KiB', oversizedAscii, '', 'at most 262144 (256 KiB) are accepted'],
    [
      'a body over 256 KiB in UTF-8 but not in characters',
      oversizedMultibyte,
      '',
      'at most 262144 (256 KiB) are accepted',
    ],

    [
      'an EventBridge event from another source',
      edited('eventbridge-metric-alarm.json', (e) => {
        e.source = 'aws.health';
      }),
      'source',
      '"aws.health" is not an accepted source (only "aws.cloudwatch")',
    ],
    [
      'an unknown CloudWatch detail-type',
      edited('eventbridge-metric-alarm.json', (e) => {
        e['detail-type'] = 'CloudWatch Alarm Deleted';
      }),
      'detail-type',
      '"CloudWatch Alarm Deleted" is not a CloudWatch alarm detail-type',
    ],
    [
      'an EventBridge event without an id',
      edited('eventbridge-metric-alarm.json', (e) => {
        delete e.id;
      }),
      'id',
      'is missing',
    ],
    [
      'an account that is not 12 digits',
      edited('eventbridge-metric-alarm.json', (e) => {
        e.account = '1234';
      }),
      'account',
      '"1234" is not a 12-digit AWS account id',
    ],
    [
      'a region that is a display name',
      edited('eventbridge-metric-alarm.json', (e) => {
        e.region = 'US East (N. Virginia)';
      }),
      'region',
      'is not a Region code like us-east-1',
    ],
    [
      'an event without detail',
      edited('eventbridge-metric-alarm.json', (e) => {
        delete e.detail;
      }),
      'detail',
      'is missing',
    ],
    [
      'a state change without alarmName',
      edited('eventbridge-metric-alarm.json', (e) => {
        delete e.detail.alarmName;
      }),
      'detail.alarmName',
      'is missing',
    ],
    [
      'an empty alarmName',
      edited('eventbridge-metric-alarm.json', (e) => {
        e.detail.alarmName = '';
      }),
      'detail.alarmName',
      'must not be empty',
    ],
    [
      'a state value CloudWatch does not have',
      edited('eventbridge-metric-alarm.json', (e) => {
        e.detail.state.value = 'ALARMING';
      }),
      'detail.state.value',
      '"ALARMING" is not one of OK, ALARM, INSUFFICIENT_DATA',
    ],
    [
      'a previous state value CloudWatch does not have',
      edited('eventbridge-metric-alarm.json', (e) => {
        e.detail.previousState.value = 'ok';
      }),
      'detail.previousState.value',
      '"ok" is not one of OK, ALARM, INSUFFICIENT_DATA',
    ],
    [
      'a state timestamp that is not a timestamp',
      edited('eventbridge-metric-alarm.json', (e) => {
        e.detail.state.timestamp = 'yesterday';
      }),
      'detail.state.timestamp',
      '"yesterday" is not an ISO-8601 timestamp',
    ],
    [
      'a state timestamp without an offset',
      edited('eventbridge-metric-alarm.json', (e) => {
        e.detail.state.timestamp = '2026-11-28T17:04:40.989';
      }),
      'detail.state.timestamp',
      'is not an ISO-8601 timestamp',
    ],
    [
      'a state timestamp in epoch ms',
      edited('eventbridge-metric-alarm.json', (e) => {
        e.detail.state.timestamp = 1795885480989;
      }),
      'detail.state.timestamp',
      'expected a string, got number 1795885480989',
    ],
    [
      'a state without a timestamp',
      edited('eventbridge-metric-alarm.json', (e) => {
        delete e.detail.state.timestamp;
      }),
      'detail.state.timestamp',
      'is missing',
    ],
    [
      'reasonData as an object instead of a JSON string',
      edited('eventbridge-composite-alarm.json', (e) => {
        e.detail.state.reasonData = JSON.parse(e.detail.state.reasonData as string);
      }),
      'detail.state.reasonData',
      'expected a string, got an object',
    ],
    [
      'resources[0] that is an SNS topic, not an alarm',
      edited('eventbridge-metric-alarm.json', (e) => {
        e.resources = [`arn:aws:sns:us-east-1:${ACCOUNT}:alarms`];
      }),
      'resources[0]',
      'is not a CloudWatch alarm ARN',
    ],
    [
      'resources[0] naming another alarm',
      edited('eventbridge-metric-alarm.json', (e) => {
        e.resources = [PRIMARY_HEALTH_ARN];
      }),
      'resources[0]',
      'the alarm ARN names alarm "connect-primary-health" but detail.alarmName is "connect-primary-outage"',
    ],
    [
      'resources[0] in another Region',
      edited('eventbridge-metric-alarm.json', (e) => {
        e.region = 'us-west-2';
      }),
      'resources[0]',
      `Region "us-east-1" but the event's region is "us-west-2"`,
    ],
    [
      'resources that is not an array',
      edited('eventbridge-metric-alarm.json', (e) => {
        e.resources = PRIMARY_OUTAGE_ARN;
      }),
      'resources',
      'expected an array of ARNs',
    ],

    [
      'an SNS Message that is not JSON',
      edited('sns-envelope-metric-alarm.json', (e) => {
        e.Message = 'ALARM: connect-primary-outage';
      }),
      'Message',
      'is not a JSON document',
    ],
    [
      'an SNS Message that is a JSON array',
      edited('sns-envelope-metric-alarm.json', (e) => {
        e.Message = '[]';
      }),
      'Message',
      'expected the JSON object of a CloudWatch alarm notification, got array',
    ],
    [
      'an SNS SubscriptionConfirmation',
      edited('sns-envelope-metric-alarm.json', (e) => {
        e.Type = 'SubscriptionConfirmation';
        e.Token = '2336412f37fb687f5d51e6e2425f004aed';
        e.SubscribeURL = 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription';
      }),
      'Type',
      'an SNS SubscriptionConfirmation does not belong on this queue',
    ],
    [
      'an SNS UnsubscribeConfirmation',
      edited('sns-envelope-metric-alarm.json', (e) => {
        e.Type = 'UnsubscribeConfirmation';
      }),
      'Type',
      'an SNS UnsubscribeConfirmation does not belong on this queue',
    ],
    [
      'an SNS type that does not exist',
      edited('sns-envelope-metric-alarm.json', (e) => {
        e.Type = 'Alert';
      }),
      'Type',
      '"Alert" is not an SNS message type this queue accepts',
    ],
    [
      'an SNS envelope without MessageId',
      edited('sns-envelope-metric-alarm.json', (e) => {
        delete e.MessageId;
      }),
      'MessageId',
      'is missing',
    ],
    [
      'an SNS notification without AlarmArn',
      editedInner('sns-envelope-metric-alarm.json', (n) => {
        delete n.AlarmArn;
      }),
      'Message.AlarmArn',
      'is missing; the Region code can only come from the alarm ARN',
    ],
    [
      'an SNS notification with a bad StateChangeTime',
      editedInner('sns-envelope-composite-children-array.json', (n) => {
        n.StateChangeTime = '28/11/2026 17:04:42';
      }),
      'Message.StateChangeTime',
      '"28/11/2026 17:04:42" is not an ISO-8601 timestamp',
    ],
    [
      'a composite notification with TriggeringChildren as a number',
      editedInner('sns-envelope-composite-children-array.json', (n) => {
        n.TriggeringChildren = 1;
      }),
      'Message.TriggeringChildren',
      'expected a string or an array, got number',
    ],

    [
      'a raw notification without AlarmArn',
      edited('sns-raw-metric-alarm.json', (n) => {
        delete n.AlarmArn;
      }),
      'AlarmArn',
      "is missing; the Region code can only come from the alarm ARN, since an alarm notification's Region is a display name",
    ],
    [
      'a raw notification whose AlarmArn is not a CloudWatch alarm ARN',
      edited('sns-raw-metric-alarm.json', (n) => {
        n.AlarmArn = `arn:aws:cloudwatch::${ACCOUNT}:dashboard/connect`;
      }),
      'AlarmArn',
      'is not a CloudWatch alarm ARN (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME)',
    ],
    [
      'a raw notification whose AlarmName differs from its ARN',
      edited('sns-raw-metric-alarm.json', (n) => {
        n.AlarmName = 'connect-primary-outage';
      }),
      'AlarmName',
      '"connect-primary-outage" is not the alarm named in AlarmArn ("connect-replica-outage")',
    ],
    [
      'a raw notification whose account differs from its ARN',
      edited('sns-raw-metric-alarm.json', (n) => {
        n.AWSAccountId = '210987654321';
      }),
      'AWSAccountId',
      '"210987654321" is not the account in AlarmArn ("123456789012")',
    ],
    [
      'a raw notification with a bad NewStateValue',
      edited('sns-raw-metric-alarm.json', (n) => {
        n.NewStateValue = 'INSUFFICIENT';
      }),
      'NewStateValue',
      '"INSUFFICIENT" is not one of OK, ALARM, INSUFFICIENT_DATA',
    ],
    [
      'a raw notification with a date that does not exist',
      edited('sns-raw-metric-alarm.json', (n) => {
        n.StateChangeTime = '2026-02-30T17:21:05.402+0000';
      }),
      'StateChangeTime',
      'day 30 does not exist in 2026-02',
    ],

    [
      'a message type that is not an operator command',
      operator({ type: 'connect-failover.heartbeat' }),
      'type',
      '"connect-failover.heartbeat" is not a known message type',
    ],
    [
      'an operator command of another version',
      operator({ version: 2 }),
      'version',
      '2 is not a supported operator-command version (this controller reads 1)',
    ],
    [
      'an operator command with an unknown command',
      operator({ command: 'reboot' }),
      'command',
      '"reboot" is not one of failover, failback, pause, resume',
    ],
    ['an operator command without a reason', operator({ reason: undefined }), 'reason', 'is missing'],
    ['an operator command with a blank reason', operator({ reason: '   ' }), 'reason', 'must not be empty'],
    [
      'an operator command with a reason over 1024 characters',
      operator({ reason: 'x'.repeat(1025) }),
      'reason',
      'is 1025 characters long; at most 1024 are allowed',
    ],
    [
      'an operator command whose force is not a boolean',
      operator({ force: 'yes' }),
      'force',
      'expected true or false, got string "yes"',
    ],
    [
      'a pause command with force',
      edited('operator-pause.json', (c) => {
        c.force = true;
      }),
      'force',
      'force: applies only to failover and failback, not to pause',
    ],
    [
      'an operator command with a bad requestedAt',
      operator({ requestedAt: 'now' }),
      'requestedAt',
      '"now" is not an ISO-8601 timestamp',
    ],
    ['an operator command whose id is not a UUID', operator({ id: 'cmd-1' }), 'id', '"cmd-1" is not a UUID'],
    ['an operator command without requestedBy', operator({ requestedBy: undefined }), 'requestedBy', 'is missing'],
    [
      'an operator command with an unknown field',
      operator({ priority: 'high' }),
      'priority',
      'is not a field of an operator command',
    ],
  ])('refuses %s', (_what, body, path, fragment) => {
    // Act
    const error = (() => {
      try {
        normalizeMessage(body);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    // Assess
    expect(error).toBeInstanceOf(MalformedMessageError);
    const malformed = error as MalformedMessageError;
    expect(malformed.path).toBe(path);
    expect(malformed.message).toContain(fragment);
    expect(malformed.message.startsWith(path === '' ? 'body ' : `${path}: `)).toBe(true);
    expect(malformed.retryable).toBe(false);
  });
});
