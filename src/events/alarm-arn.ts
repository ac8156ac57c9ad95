import { MalformedMessageError } from '../errors.ts';
import { describeValue } from './json-path.ts';

/** The parts of a CloudWatch alarm ARN. */
export interface AlarmArnParts {
  partition: string;
  region: string;
  accountId: string;
  name: string;
}

// Alarm names may themselves contain `:`, so the name is everything after `:alarm:`.
const ALARM_ARN = /^arn:(aws(?:-[a-z]+)*):cloudwatch:([a-z]{2,4}(?:-[a-z]+)+-\d{1,2}):(\d{12}):alarm:(.+)$/;
const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;
const ACCOUNT_ID = /^\d{12}$/;

/** True for a Region code such as `us-east-1` or `us-gov-west-1` (not a display name). */
export function isRegionCode(text: string): boolean {
  return REGION.test(text);
}

/** True for a 12-digit AWS account id. */
export function isAccountId(text: string): boolean {
  return ACCOUNT_ID.test(text);
}

/** Splits `arn:aws:cloudwatch:us-east-1:123456789012:alarm:NAME`; throws at `path` for any other ARN. */
export function parseAlarmArn(arn: string, path: string): AlarmArnParts {
  const match = ALARM_ARN.exec(arn);
  if (!match) {
    throw new MalformedMessageError(
      `${describeValue(arn)} is not a CloudWatch alarm ARN (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME)`,
      path,
    );
  }
  const [, partition = '', region = '', accountId = '', name = ''] = match;
  return { partition, region, accountId, name };
}

// Only the partitions whose Regions Amazon Connect or CloudWatch alarms live in need naming here;
// every other Region code is in the commercial partition.
const PARTITION_BY_REGION_PREFIX: readonly (readonly [string, string])[] = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['us-isob-', 'aws-iso-b'],
  ['us-iso-', 'aws-iso'],
  ['eusc-', 'aws-eusc'],
];

/** The ARN partition of a Region code: `aws` unless the code is a China, GovCloud, ISO or sovereign Region. */
export function partitionOf(region: string): string {
  return PARTITION_BY_REGION_PREFIX.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}

/** The ARN CloudWatch gives the alarm `name` in `accountId` and `region`. */
export function buildAlarmArn(region: string, accountId: string, name: string): string {
  return `arn:${partitionOf(region)}:cloudwatch:${region}:${accountId}:alarm:${name}`;
}
