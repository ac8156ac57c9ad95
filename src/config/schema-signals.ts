/** The `signals` section: CloudWatch alarms by name or ARN, by role. */
import { z } from 'zod';
import { hasControlCharacter, MAX_ALARM_NAME_LENGTH, parseAlarmArn } from '../aws/identifiers.ts';
import { describeYamlValue } from '../describe-value.ts';
import { expecting } from './schema-common.ts';

const alarmError = expecting('an alarm name or ARN');
export const alarmRef = z.string({ error: alarmError }).superRefine((text, ctx) => {
  const problem = alarmRefProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: text });
});

function alarmRefProblem(text: string): string | undefined {
  let name = text;
  if (text.startsWith('arn:')) {
    const arn = parseAlarmArn(text);
    if (arn === undefined)
      return `${describeYamlValue(text)} is not a CloudWatch alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>)`;
    name = arn.name;
  }
  if (name.length === 0) return 'an alarm name cannot be empty';
  if (name.length > MAX_ALARM_NAME_LENGTH)
    return `is longer than ${MAX_ALARM_NAME_LENGTH} characters, the limit for an alarm name`;
  if (hasControlCharacter(name))
    return `${describeYamlValue(text)} contains a control character, which alarm names cannot`;
  return undefined;
}

const alarmList = z.array(alarmRef, {
  error: (issue) =>
    typeof issue.input === 'string'
      ? `${describeYamlValue(issue.input)} is not a list of alarm names or ARNs; write [${issue.input}]`
      : expecting('a list of alarm names or ARNs')(issue),
});

export const signalsShape = {
  degraded: alarmList.prefault([]),
  critical: alarmList,
  replicaUnhealthy: alarmList.prefault([]),
};
