import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSClientConfig } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';

/** Dummy credentials: the emulator checks none, the SDK insists on some. */
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/** A real SQS client for an emulator endpoint. `overrides` e.g. `{ maxAttempts: 1 }`. */
export function sqsClient(endpoint: string, overrides: Partial<SQSClientConfig> = {}): SQSClient {
  return new SQSClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, ...overrides });
}

/** A running SQS emulator (fauxqs) on 127.0.0.1 and a random port, with a client pointed at it. */
export interface TestSqs {
  /** e.g. `http://127.0.0.1:41234`; use as `endpoint` or `AWS_ENDPOINT_URL_SQS`. */
  endpoint: string;
  client: SQSClient;
  /** Closes the client and stops the emulator. */
  stop(): Promise<void>;
}

/** Starts fauxqs on port 0. Call `stop()` in `afterAll`/`afterEach`. */
export async function startSqs(): Promise<TestSqs> {
  const server = await startFauxqs({ port: 0, logger: false });
  const client = sqsClient(server.address);
  return {
    endpoint: server.address,
    client,
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}

/**
 * Creates `name` and `name-dlq`, with a RedrivePolicy moving a message to the DLQ after
 * `maxReceiveCount` receives (default 3). `visibilityTimeout` in seconds (default 30) is the main queue's.
 */
export async function createQueueWithDlq(
  client: SQSClient,
  name: string,
  options: { maxReceiveCount?: number; visibilityTimeout?: number } = {},
): Promise<{ queueUrl: string; dlqUrl: string; dlqArn: string }> {
  const dlq = await client.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqUrl = required(dlq.QueueUrl, 'CreateQueue returned no QueueUrl');
  const attributes = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  const dlqArn = required(attributes.Attributes?.QueueArn, 'GetQueueAttributes returned no QueueArn');
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeout ?? 30),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: options.maxReceiveCount ?? 3 }),
      },
    }),
  );
  return { queueUrl: required(queue.QueueUrl, 'CreateQueue returned no QueueUrl'), dlqUrl, dlqArn };
}

/** Creates a plain queue (no DLQ). `visibilityTimeout` in seconds, default 30. */
export async function createQueue(
  client: SQSClient,
  name: string,
  options: { visibilityTimeout?: number } = {},
): Promise<string> {
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { VisibilityTimeout: String(options.visibilityTimeout ?? 30) },
    }),
  );
  return required(queue.QueueUrl, 'CreateQueue returned no QueueUrl');
}

/** Sends bodies with SendMessageBatch, ten at a time, in order; returns the message ids in order. */
export async function sendBodies(client: SQSClient, queueUrl: string, bodies: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < bodies.length; start += 10) {
    const batch = bodies.slice(start, start + 10);
    const output = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    );
    if ((output.Failed ?? []).length > 0) throw new Error(`SendMessageBatch failed: ${JSON.stringify(output.Failed)}`);
    const byId = new Map((output.Successful ?? []).map((entry) => [entry.Id, entry.MessageId]));
    batch.forEach((_, index) => ids.push(required(byId.get(String(index)), 'SendMessageBatch returned no MessageId')));
  }
  return ids;
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new Error(message);
  return value;
}

/** Visible plus in-flight messages: zero only when every message was deleted. */
export async function messagesLeft(client: SQSClient, queueUrl: string): Promise<number> {
  const output = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(output.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(output.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}
