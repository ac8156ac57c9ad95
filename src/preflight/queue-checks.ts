import { isCredentialErrorCode } from '../aws/error-codes.ts';
import type { QueueError } from '../errors.ts';
import type { QueueDescription } from '../intake/queue-attributes.ts';
import type { CheckResult } from './types.ts';
import { messageOf } from './types.ts';

/**
 * The controller's intake extends the visibility of messages in flight every 10 s (a third of the 30 s it
 * extends them by). Below twice that, one slow or failed beat lets a message reappear mid-handling.
 */
export const MIN_VISIBILITY_SECONDS = 20;
/** Below this, a message that meets a passing failure once or twice is dead-lettered, and its alarm change lost. */
export const MIN_MAX_RECEIVE_COUNT = 3;

/** The queue can be read, has a dead-letter queue, and a workable visibility timeout. */
export async function checkQueue(queueUrl: string, describe: () => Promise<QueueDescription>): Promise<CheckResult[]> {
  let queue: QueueDescription;
  try {
    queue = await describe();
  } catch (error) {
    return [
      {
        id: 'queue',
        title: 'queue reachable',
        status: 'fail',
        detail: `GetQueueAttributes on ${queueUrl}: ${messageOf(error)}`,
        fix: queueRemedy(error),
      },
    ];
  }
  return [
    {
      id: 'queue',
      title: 'queue reachable',
      status: 'pass',
      detail: `${queueUrl} (${queue.approximateMessages} message${queue.approximateMessages === 1 ? '' : 's'} waiting)`,
    },
    deadLetterCheck(queue, queueUrl),
    visibilityCheck(queue, queueUrl),
  ];
}

function deadLetterCheck(queue: QueueDescription, queueUrl: string): CheckResult {
  const base = { id: 'queue.deadLetter', title: 'dead-letter queue' };
  const redrive = queue.redrive;
  if (!redrive) {
    return {
      ...base,
      status: 'fail',
      detail:
        'the queue has no redrive policy: a malformed message stays undeleted and comes back forever instead of moving to a dead-letter queue',
      fix:
        `create a DLQ and set the redrive policy: aws sqs set-queue-attributes --queue-url ${queueUrl} ` +
        `--attributes '{"RedrivePolicy":"{\\"deadLetterTargetArn\\":\\"<DLQ ARN>\\",\\"maxReceiveCount\\":\\"5\\"}"}'`,
    };
  }
  if (redrive.maxReceiveCount < MIN_MAX_RECEIVE_COUNT) {
    return {
      ...base,
      status: 'warn',
      detail: `maxReceiveCount is ${redrive.maxReceiveCount}: a message whose handling fails once (store briefly unwritable, a restart mid-batch) goes to the DLQ and its alarm change is lost`,
      fix: `raise maxReceiveCount to 5 in the RedrivePolicy of ${queueUrl}`,
    };
  }
  return {
    ...base,
    status: 'pass',
    detail: `${redrive.deadLetterTargetArn} after ${redrive.maxReceiveCount} receives`,
  };
}

function visibilityCheck(queue: QueueDescription, queueUrl: string): CheckResult {
  const base = { id: 'queue.visibility', title: 'visibility timeout' };
  const seconds = queue.visibilityTimeoutSeconds;
  if (seconds < MIN_VISIBILITY_SECONDS) {
    return {
      ...base,
      status: 'warn',
      detail:
        `${seconds}s: the controller extends messages in flight every 10 s, so with less than ${MIN_VISIBILITY_SECONDS}s one late ` +
        'extension lets a message reappear while it is handled (a harmless duplicate, but it counts toward maxReceiveCount)',
      fix: `aws sqs set-queue-attributes --queue-url ${queueUrl} --attributes VisibilityTimeout=30`,
    };
  }
  // Why 60 s is not needed for a shift: a message is deleted once the state it produced is persisted, not
  // after the shift; the shift runs on its own and the heartbeat covers the time a batch is in hand.
  return {
    ...base,
    status: 'pass',
    detail: `${seconds}s; enough: messages in hand are kept invisible by the controller's visibility heartbeat and deleted once their state is saved (shifts do not hold messages)`,
  };
}

function queueRemedy(error: unknown): string {
  const code = (error as Partial<QueueError> | null)?.code ?? '';
  if (/QueueDoesNotExist|NonExistentQueue/i.test(code)) {
    return 'check queue.url (and queue.region); create the queue and its DLQ as in docs/runbook.md';
  }
  if (/AccessDenied|AuthorizationError/i.test(code)) {
    return "allow sqs:GetQueueAttributes, sqs:ReceiveMessage, sqs:DeleteMessage and sqs:ChangeMessageVisibility on the queue for the controller's IAM identity";
  }
  if (isCredentialErrorCode(code)) {
    return 'fix the AWS credentials (see the credentials check)';
  }
  return 'check that the SQS endpoint is reachable from here (network, VPC endpoint, AWS_ENDPOINT_URL_SQS) and try again';
}
