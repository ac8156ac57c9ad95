import { describe, expect, it } from 'vitest';
import {
  alarmArn,
  alarmNameOf,
  CONNECT_INSTANCE_ID_PATTERN,
  CONNECT_TDG_ID_PATTERN,
  connectInstanceArn,
  isAccountId,
  isConnectDistributionRegion,
  isRegionCode,
  isUuid,
  parseAlarmArn,
  parseTrafficDistributionGroupArn,
  partitionOf,
  regionOfQueueUrl,
  snsTopicArn,
  trafficDistributionGroupArn,
} from '../../src/aws/identifiers.ts';

const ACCOUNT = '123456789012';
const TDG_ID = '8a2a2b57-0f0c-4c33-9e4e-2a7b1b0f9c11';

describe('Region codes', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-central-1', 'aws'],
    ['ap-southeast-4', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eusc-de-east-1', 'aws-eusc'],
  ])('reads %s as a Region code of the %s partition', (region, partition) => {
    // Act
    const valid = isRegionCode(region);
    const found = partitionOf(region);

    // Assess
    expect(valid).toBe(true);
    expect(found).toBe(partition);
  });

  it.each([
    ['a display name', 'US East (N. Virginia)'],
    ['upper case', 'US-East-1'],
    ['no number', 'us-east'],
    ['no area', 'us-1'],
    ['a single letter prefix', 'u-east-1'],
    ['a three-digit number', 'us-east-100'],
    ['surrounding space', ' us-east-1'],
    ['a trailing newline', 'us-east-1\n'],
    ['nothing', ''],
  ])('refuses %s as a Region code', (_what, text) => {
    // Act
    const valid = isRegionCode(text);

    // Assess
    expect(valid).toBe(false);
  });

  it.each([
    ['https://sqs.us-east-1.amazonaws.com/111122223333/events', 'us-east-1'],
    ['https://sqs-fips.us-gov-west-1.amazonaws.com/111122223333/events', 'us-gov-west-1'],
    ['https://sqs.eu-west-2.api.aws/111122223333/events', 'eu-west-2'],
    ['https://ap-south-1.queue.amazonaws.com/111122223333/events', 'ap-south-1'],
    ['http://127.0.0.1:4566/000000000000/events', undefined],
    ['https://sqs.not-a-region.amazonaws.com/111122223333/events', undefined],
    ['not a URL', undefined],
  ])('finds the Region of the queue URL %s: %s', (url, region) => {
    // Act
    const found = regionOfQueueUrl(url);

    // Assess
    expect(found).toBe(region);
  });
});

describe('account ids and UUIDs', () => {
  it('takes exactly 12 digits as an account id', () => {
    // Act, Assess
    expect(isAccountId(ACCOUNT)).toBe(true);
    expect(isAccountId('1234')).toBe(false);
    expect(isAccountId('1234567890123')).toBe(false);
    expect(isAccountId('12345678901a')).toBe(false);
  });

  it('takes only lower-case UUIDs, as Connect writes them', () => {
    // Act, Assess
    expect(isUuid(TDG_ID)).toBe(true);
    expect(isUuid(TDG_ID.toUpperCase())).toBe(false);
    expect(isUuid(`${TDG_ID}0`)).toBe(false);
  });
});

describe('CloudWatch alarm ARNs', () => {
  it.each([
    ['us-east-1', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:connect: primary / outage'],
    ['cn-northwest-1', 'arn:aws-cn:cloudwatch:cn-northwest-1:123456789012:alarm:connect: primary / outage'],
    ['us-gov-west-1', 'arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:connect: primary / outage'],
    ['us-iso-east-1', 'arn:aws-iso:cloudwatch:us-iso-east-1:123456789012:alarm:connect: primary / outage'],
  ])('builds the alarm ARN of %s and parses it back, whatever the name holds', (region, expected) => {
    // Act
    const arn = alarmArn(region, ACCOUNT, 'connect: primary / outage');
    const parts = parseAlarmArn(arn);

    // Assess
    expect(arn).toBe(expected);
    expect(parts).toEqual({
      partition: partitionOf(region),
      region,
      accountId: ACCOUNT,
      name: 'connect: primary / outage',
    });
  });

  it('leaves an empty name to the caller to judge', () => {
    // Act
    const parts = parseAlarmArn('arn:aws:cloudwatch:us-east-1:123456789012:alarm:');

    // Assess
    expect(parts?.name).toBe('');
  });

  it.each([
    ['an SNS topic', 'arn:aws:sns:us-east-1:123456789012:alarms'],
    ['a dashboard', 'arn:aws:cloudwatch::123456789012:dashboard/connect'],
    ['a short account id', 'arn:aws:cloudwatch:us-east-1:1234:alarm:x'],
    ['a missing account id', 'arn:aws:cloudwatch:us-east-1:alarm:x'],
    ['a display-name Region', 'arn:aws:cloudwatch:US East (N. Virginia):123456789012:alarm:x'],
    ['an unknown partition word', 'arn:amazon:cloudwatch:us-east-1:123456789012:alarm:x'],
    ['a bare name', 'connect-primary-outage'],
  ])('refuses %s as an alarm ARN', (_what, text) => {
    // Act
    const parts = parseAlarmArn(text);

    // Assess
    expect(parts).toBeUndefined();
  });

  it('names the alarm behind an ARN or a bare name', () => {
    // Act, Assess
    expect(alarmNameOf('arn:aws:cloudwatch:us-east-1:123456789012:alarm:a:b')).toBe('a:b');
    expect(alarmNameOf('connect-primary-outage')).toBe('connect-primary-outage');
  });
});

describe('Connect and SNS ARNs', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['cn-north-1', 'aws-cn'],
    ['us-iso-east-1', 'aws-iso'],
  ])('builds and parses back the traffic distribution group ARN of %s (%s)', (region, partition) => {
    // Act
    const arn = trafficDistributionGroupArn(region, ACCOUNT, TDG_ID);
    const parts = parseTrafficDistributionGroupArn(arn);

    // Assess
    expect(arn).toBe(`arn:${partition}:connect:${region}:${ACCOUNT}:traffic-distribution-group/${TDG_ID}`);
    expect(parts).toEqual({ partition, region, accountId: ACCOUNT, id: TDG_ID });
  });

  it.each([
    ['a bare id', TDG_ID],
    ['an instance ARN', `arn:aws:connect:us-east-1:${ACCOUNT}:instance/${TDG_ID}`],
    ['an id that is no UUID', `arn:aws:connect:us-east-1:${ACCOUNT}:traffic-distribution-group/my-tdg`],
    ['another service', `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:traffic-distribution-group/${TDG_ID}`],
  ])('refuses %s as a traffic distribution group ARN', (_what, text) => {
    // Act
    const parts = parseTrafficDistributionGroupArn(text);

    // Assess
    expect(parts).toBeUndefined();
  });

  it("accepts what Connect's documented Id patterns accept, and only that", () => {
    // Prepare
    const tdgArn = trafficDistributionGroupArn('us-east-1', ACCOUNT, TDG_ID);
    const govArn = trafficDistributionGroupArn('us-gov-west-1', ACCOUNT, TDG_ID);
    const chinaArn = trafficDistributionGroupArn('cn-north-1', ACCOUNT, TDG_ID);

    // Act, Assess: Connect runs in the aws and aws-us-gov partitions only, and its pattern says so.
    expect(CONNECT_TDG_ID_PATTERN.test(TDG_ID)).toBe(true);
    expect(CONNECT_TDG_ID_PATTERN.test(tdgArn)).toBe(true);
    expect(CONNECT_TDG_ID_PATTERN.test(govArn)).toBe(true);
    expect(CONNECT_TDG_ID_PATTERN.test(chinaArn)).toBe(false);
    expect(CONNECT_TDG_ID_PATTERN.test('my-tdg')).toBe(false);
    expect(CONNECT_INSTANCE_ID_PATTERN.test(connectInstanceArn('us-east-1', ACCOUNT, TDG_ID))).toBe(true);
    expect(CONNECT_INSTANCE_ID_PATTERN.test(tdgArn)).toBe(false);
  });

  it("checks a Distribution Region the way Connect's API does: its pattern and 8 to 31 characters", () => {
    // Act, Assess
    expect(isConnectDistributionRegion('us-west-2')).toBe(true);
    expect(isConnectDistributionRegion('us-gov-west-1')).toBe(true);
    expect(isConnectDistributionRegion('US_WEST_2')).toBe(false);
    expect(isConnectDistributionRegion('us-1')).toBe(false);
  });

  it('builds SNS topic ARNs in the Region’s partition', () => {
    // Act, Assess
    expect(snsTopicArn('us-gov-east-1', ACCOUNT, 'alarms')).toBe(`arn:aws-us-gov:sns:us-gov-east-1:${ACCOUNT}:alarms`);
    expect(snsTopicArn('eu-west-2', ACCOUNT, 'alarms')).toBe(`arn:aws:sns:eu-west-2:${ACCOUNT}:alarms`);
  });
});
