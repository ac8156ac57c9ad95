/** GetQueueAttributes for preflight: the attributes it checks, read and parsed. */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { QueueError } from '../errors.ts';
import { toQueueError } from './queue-errors.ts';

/** Queue attributes preflight needs. */
export interface QueueDescription {
  visibilityTimeoutSeconds: number;
  /** The redrive policy, or undefined when the queue has no dead-letter queue. */
  redrive: { deadLetterTargetArn: string; maxReceiveCount: number } | undefined;
  /** ApproximateNumberOfMessages: visible messages waiting. */
  approximateMessages: number;
}

/**
 * Reads VisibilityTimeout, RedrivePolicy and ApproximateNumberOfMessages.
 * @throws QueueError when the call fails or an attribute cannot be read.
 */
export async function describeQueue(
  client: SQSClient,
  queueUrl: string,
  signal: AbortSignal | undefined,
): Promise<QueueDescription> {
  const operation = 'GetQueueAttributes';
  let attributes: Partial<Record<string, string>>;
  try {
    const output = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['VisibilityTimeout', 'RedrivePolicy', 'ApproximateNumberOfMessages'],
      }),
      { abortSignal: signal },
    );
    attributes = output.Attributes ?? {};
  } catch (err) {
    throw toQueueError(operation, err);
  }
  return {
    visibilityTimeoutSeconds: integerAttribute(operation, 'VisibilityTimeout', attributes['VisibilityTimeout']),
    redrive: parseRedrivePolicy(operation, attributes['RedrivePolicy']),
    approximateMessages: integerAttribute(
      operation,
      'ApproximateNumberOfMessages',
      attributes['ApproximateNumberOfMessages'],
    ),
  };
}

/** Parses an attribute SQS sends as a decimal string. */
function integerAttribute(operation: string, name: string, raw: string | number | undefined): number {
  const value = typeof raw === 'number' ? raw : raw === undefined || raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isInteger(value)) {
    throw new QueueError(operation, `queue attribute ${name} is not an integer: ${String(raw)}`, {
      code: 'InvalidAttributeValue',
    });
  }
  return value;
}

function parseRedrivePolicy(operation: string, raw: string | undefined): QueueDescription['redrive'] {
  if (raw === undefined || raw.trim() === '') return undefined;
  let policy: unknown;
  try {
    policy = JSON.parse(raw);
  } catch (err) {
    throw new QueueError(operation, `RedrivePolicy is not JSON: ${raw}`, { code: 'InvalidAttributeValue', cause: err });
  }
  const fields = typeof policy === 'object' && policy !== null ? (policy as Record<string, unknown>) : {};
  const arn = fields['deadLetterTargetArn'];
  if (typeof arn !== 'string' || arn === '') {
    throw new QueueError(operation, `RedrivePolicy has no deadLetterTargetArn: ${raw}`, {
      code: 'InvalidAttributeValue',
    });
  }
  // SQS returns maxReceiveCount as a number, but accepts (and some emulators echo) a string.
  const count = fields['maxReceiveCount'];
  const maxReceiveCount = integerAttribute(
    operation,
    'RedrivePolicy.maxReceiveCount',
    typeof count === 'number' || typeof count === 'string' ? count : undefined,
  );
  return { deadLetterTargetArn: arn, maxReceiveCount };
}
