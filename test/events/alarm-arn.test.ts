import { describe, expect, it } from 'vitest';
import { alarmArn } from '../../src/aws/identifiers.ts';
import { MalformedMessageError } from '../../src/errors.ts';
import { requireAlarmArn } from '../../src/events/alarm-arn.ts';

describe('alarm ARNs in messages', () => {
  it('parses back the ARN CloudWatch builds, whatever the alarm name holds', () => {
    // Prepare
    const arn = alarmArn('cn-northwest-1', '123456789012', 'Connect: primary / outage');

    // Act
    const parts = requireAlarmArn(arn, 'AlarmArn');

    // Assess
    expect(arn).toBe('arn:aws-cn:cloudwatch:cn-northwest-1:123456789012:alarm:Connect: primary / outage');
    expect(parts).toEqual({
      partition: 'aws-cn',
      region: 'cn-northwest-1',
      accountId: '123456789012',
      name: 'Connect: primary / outage',
    });
  });

  it.each([
    ['an SNS topic', 'arn:aws:sns:us-east-1:123456789012:alarms'],
    ['a dashboard', 'arn:aws:cloudwatch::123456789012:dashboard/connect'],
    ['an alarm without a name', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:'],
    ['an alarm name with a line break', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:connect\nprimary'],
    ['a short account id', 'arn:aws:cloudwatch:us-east-1:1234:alarm:connect-primary-outage'],
    ['a display-name Region', 'arn:aws:cloudwatch:US East (N. Virginia):123456789012:alarm:connect-primary-outage'],
  ])('refuses %s as an alarm ARN', (_what, arn) => {
    // Act
    const act = () => requireAlarmArn(arn, 'resources[0]');

    // Assess
    expect(act).toThrow(MalformedMessageError);
    expect(act).toThrow('resources[0]: ');
    expect(act).toThrow('is not a CloudWatch alarm ARN');
  });
});
