/**
 * AWS identifiers, written once: Region codes and their partitions, account ids, and the ARNs this
 * project reads or builds (CloudWatch alarms, Connect traffic distribution groups and instances, SNS
 * topics). Config, events, the Connect adapter and the simulators all check and build them here, so
 * they agree on what a Region is. Pure, and imports nothing from the project.
 */

// Two to four letters (`us`, `eusc`), one or two words (`east`, `gov-west`, `isob-east`), a number.
const REGION = '[a-z]{2,4}(?:-[a-z]+){1,2}-\\d{1,2}';
// `aws`, `aws-cn`, `aws-us-gov`, `aws-iso-b`, …
const PARTITION = 'aws(?:-[a-z]+)*';
const UUID = '[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}';

/** A Region code as AWS writes it: `us-east-1`, `us-gov-west-1`, `cn-north-1`, `us-isob-east-1`, `eusc-de-east-1`. */
export const REGION_CODE_PATTERN = new RegExp(`^${REGION}$`);

/** True for a Region code (not a display name such as `US East (N. Virginia)`). */
export function isRegionCode(text: string): boolean {
  return REGION_CODE_PATTERN.test(text);
}

/** The ARN partitions whose Regions have a prefix of their own; every other Region is in `aws`. */
export type Partition =
  'aws' | 'aws-cn' | 'aws-us-gov' | 'aws-iso' | 'aws-iso-b' | 'aws-iso-e' | 'aws-iso-f' | 'aws-eusc';

const PARTITION_BY_REGION_PREFIX: readonly (readonly [string, Partition])[] = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['us-iso-', 'aws-iso'],
  ['us-isob-', 'aws-iso-b'],
  ['eu-isoe-', 'aws-iso-e'],
  ['us-isof-', 'aws-iso-f'],
  ['eusc-', 'aws-eusc'],
];

/** The ARN partition of a Region code: `aws` unless it is a China, GovCloud, ISO or sovereign Region. */
export function partitionOf(region: string): Partition {
  return PARTITION_BY_REGION_PREFIX.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}

const ACCOUNT_ID = /^\d{12}$/;

/** True for a 12-digit AWS account id. */
export function isAccountId(text: string): boolean {
  return ACCOUNT_ID.test(text);
}

const UUID_ONLY = new RegExp(`^${UUID}$`);

/** True for a lower-case UUID, the form Connect gives its ids in. */
export function isUuid(text: string): boolean {
  return UUID_ONLY.test(text);
}

/**
 * The Region an AWS SQS endpoint names in its host (`sqs.<region>.amazonaws.com`, `sqs-fips.…`,
 * `sqs.<region>.api.aws`, `<region>.queue.amazonaws.com`); undefined for other hosts, such as emulators.
 */
export function regionOfQueueUrl(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  const match =
    /^sqs(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com|api\.aws)$/.exec(host) ??
    /^([a-z0-9-]+)\.queue\.amazonaws\.com$/.exec(host);
  const region = match?.[1];
  return region !== undefined && isRegionCode(region) ? region : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// CloudWatch alarms

/** The parts of a CloudWatch alarm ARN. */
export interface AlarmArnParts {
  partition: string;
  region: string;
  accountId: string;
  name: string;
}

// Alarm names may themselves contain `:` (and, in a hostile message, anything), so the name is
// everything after `:alarm:`; callers judge it.
const ALARM_ARN = new RegExp(`^arn:(${PARTITION}):cloudwatch:(${REGION}):(\\d{12}):alarm:(.*)$`, 's');

/**
 * Splits `arn:aws:cloudwatch:us-east-1:123456789012:alarm:NAME`; undefined for anything else. The name
 * may be empty or hold any character: what a name may be is the caller's rule (config and events differ
 * in the message they give).
 */
export function parseAlarmArn(text: string): AlarmArnParts | undefined {
  const match = ALARM_ARN.exec(text);
  if (!match) return undefined;
  const [, partition = '', region = '', accountId = '', name = ''] = match;
  return { partition, region, accountId, name };
}

/** The ARN CloudWatch gives the alarm `name` in `accountId` and `region`. */
export function alarmArn(region: string, accountId: string, name: string): string {
  return `arn:${partitionOf(region)}:cloudwatch:${region}:${accountId}:alarm:${name}`;
}

/** The longest alarm name CloudWatch accepts. */
export const MAX_ALARM_NAME_LENGTH = 255;

/** True when `text` holds an ASCII control character, which CloudWatch refuses in alarm names. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** The alarm name behind a name or an alarm ARN: the name part of the ARN, else the text itself. */
export function alarmNameOf(nameOrArn: string): string {
  return parseAlarmArn(nameOrArn)?.name ?? nameOrArn;
}

// ---------------------------------------------------------------------------------------------------------
// Amazon Connect

/**
 * The documented pattern of a traffic distribution group `Id` (its ARN, or the bare UUID). Connect
 * runs only in the `aws` and `aws-us-gov` partitions, so the pattern names only those; it is Connect's
 * own, kept verbatim so the config refuses exactly what Connect would.
 */
export const CONNECT_TDG_ID_PATTERN = new RegExp(
  `^(arn:(aws|aws-us-gov):connect:[a-z]{2}-[a-z-]+-[0-9]{1}:[0-9]{1,20}:traffic-distribution-group/)?${UUID}$`,
);

/** The documented pattern of an instance id or ARN (ListTrafficDistributionGroups `instanceId`), verbatim. */
export const CONNECT_INSTANCE_ID_PATTERN = new RegExp(
  `^(arn:(aws|aws-us-gov):connect:[a-z]{2}-[a-z]+-[0-9]{1}:[0-9]{1,20}:instance/)?${UUID}$`,
);

/**
 * The documented pattern of a `Distribution.Region` (8–31 characters, see
 * {@link isConnectDistributionRegion}). Looser than {@link REGION_CODE_PATTERN}: Connect checks the
 * shape only and answers "not one of the group's Regions" for the rest.
 */
export const CONNECT_DISTRIBUTION_REGION_PATTERN = /^[a-z]{2}(-[a-z]+){1,2}(-[0-9])?$/;

/** Whether Connect's API accepts `text` as a `Distribution.Region`: its pattern and 8 to 31 characters. */
export function isConnectDistributionRegion(text: string): boolean {
  return text.length >= 8 && text.length <= 31 && CONNECT_DISTRIBUTION_REGION_PATTERN.test(text);
}

/** The parts of a traffic distribution group ARN. */
export interface TrafficDistributionGroupArnParts {
  partition: string;
  region: string;
  accountId: string;
  /** The UUID. */
  id: string;
}

// Loose on purpose: it splits an ARN; whether Connect accepts it is CONNECT_TDG_ID_PATTERN's question.
const TDG_ARN = new RegExp(`^arn:([a-z-]+):connect:([a-z0-9-]+):([0-9]+):traffic-distribution-group/(${UUID})$`);

/** Splits `arn:aws:connect:REGION:ACCOUNT:traffic-distribution-group/UUID`; undefined for anything else. */
export function parseTrafficDistributionGroupArn(text: string): TrafficDistributionGroupArnParts | undefined {
  const match = TDG_ARN.exec(text);
  if (!match) return undefined;
  const [, partition = '', region = '', accountId = '', id = ''] = match;
  return { partition, region, accountId, id };
}

/** The ARN of the traffic distribution group `id` created in `region`. */
export function trafficDistributionGroupArn(region: string, accountId: string, id: string): string {
  return `arn:${partitionOf(region)}:connect:${region}:${accountId}:traffic-distribution-group/${id}`;
}

/** The ARN of the Connect instance `instanceId` in `region`. */
export function connectInstanceArn(region: string, accountId: string, instanceId: string): string {
  return `arn:${partitionOf(region)}:connect:${region}:${accountId}:instance/${instanceId}`;
}

// ---------------------------------------------------------------------------------------------------------
// SNS

/** The ARN of the SNS topic `name` in `region`. */
export function snsTopicArn(region: string, accountId: string, name: string): string {
  return `arn:${partitionOf(region)}:sns:${region}:${accountId}:${name}`;
}

/** The parts of a Connect instance ARN. */
export interface ConnectInstanceArnParts {
  partition: string;
  region: string;
  accountId: string;
  /** The UUID; a replica instance has the same one as the instance it was replicated from. */
  id: string;
}

// Loose on purpose, like TDG_ARN: CONNECT_INSTANCE_ID_PATTERN says what Connect accepts.
const INSTANCE_ARN = new RegExp(`^arn:([a-z-]+):connect:([a-z0-9-]+):([0-9]+):instance/(${UUID})$`);

/** Splits `arn:aws:connect:REGION:ACCOUNT:instance/UUID`; undefined for anything else. */
export function parseConnectInstanceArn(text: string): ConnectInstanceArnParts | undefined {
  const match = INSTANCE_ARN.exec(text);
  if (!match) return undefined;
  const [, partition = '', region = '', accountId = '', id = ''] = match;
  return { partition, region, accountId, id };
}

/** The ARN of the flow `flowId` of instance `instanceId` in `region`. */
export function contactFlowArn(region: string, accountId: string, instanceId: string, flowId: string): string {
  return `${connectInstanceArn(region, accountId, instanceId)}/contact-flow/${flowId}`;
}

/** The ARN of the flow module `moduleId` of instance `instanceId` in `region`. */
export function contactFlowModuleArn(region: string, accountId: string, instanceId: string, moduleId: string): string {
  return `${connectInstanceArn(region, accountId, instanceId)}/flow-module/${moduleId}`;
}

// ---------------------------------------------------------------------------------------------------------
// Any ARN

/** The parts of any ARN, `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`; global services leave REGION empty. */
export interface ArnParts {
  /** The ARN as written. */
  arn: string;
  partition: string;
  service: string;
  /** Empty for global resources (IAM, S3 buckets). */
  region: string;
  /** Empty for some resources (S3 buckets); `aws` for AWS-managed ones. */
  accountId: string;
  /** Everything after the account: `function:name`, `bot-alias/BOTID/ALIASID`, `instance/…/queue/…`. */
  resource: string;
}

const ARN_HEAD = `arn:(${PARTITION}):([a-z0-9-]+):(${REGION})?:(\\d{12}|aws)?:`;
const ARN_ONLY = new RegExp(`^${ARN_HEAD}(.+)$`, 's');
// Inside free text (a prompt, an attribute value) an ARN ends at whitespace, a quote or a comma.
const ARN_IN_TEXT = new RegExp(`${ARN_HEAD}([^\\s"',]+)`, 'g');

function arnParts(match: RegExpExecArray): ArnParts {
  const [arn = '', partition = '', service = '', region = '', accountId = '', resource = ''] = match;
  return { arn, partition, service, region, accountId, resource };
}

/** Splits an ARN of any service; undefined for anything else. */
export function parseArn(text: string): ArnParts | undefined {
  const match = ARN_ONLY.exec(text);
  return match ? arnParts(match) : undefined;
}

/**
 * Every ARN written inside `text`, in order: flow-language parameters hold ARNs alone (`LambdaFunctionARN`)
 * or inside longer strings (attribute values, SSML), and both count.
 */
export function findArns(text: string): ArnParts[] {
  return [...text.matchAll(ARN_IN_TEXT)].map((match) => arnParts(match as RegExpExecArray));
}

/**
 * The same resource's ARN in another Region (its partition follows the Region). What a replicated
 * resource is called where the replica runs: Lex Global Resiliency and Connect replicas keep their ids.
 */
export function arnInRegion(parts: ArnParts, region: string): string {
  return `arn:${partitionOf(region)}:${parts.service}:${region}:${parts.accountId}:${parts.resource}`;
}
