/** The alarm ARN of a queue message, checked where it was found (the ARN rules live in src/aws/identifiers.ts). */
import { hasControlCharacter, parseAlarmArn } from '../aws/identifiers.ts';
import type { AlarmArnParts } from '../aws/identifiers.ts';
import { MalformedMessageError } from '../errors.ts';
import { describeJsonValue } from '../describe-value.ts';

export type { AlarmArnParts } from '../aws/identifiers.ts';

/**
 * Splits `arn:aws:cloudwatch:us-east-1:123456789012:alarm:NAME`; throws at `path` for any other ARN,
 * and for an empty name or one with a control character, which no CloudWatch alarm can have.
 */
export function requireAlarmArn(arn: string, path: string): AlarmArnParts {
  const parts = parseAlarmArn(arn);
  if (parts === undefined || parts.name === '' || hasControlCharacter(parts.name)) {
    throw new MalformedMessageError(
      `${describeJsonValue(arn)} is not a CloudWatch alarm ARN (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME)`,
      path,
    );
  }
  return parts;
}
