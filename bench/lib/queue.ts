/** Queue chores for benchmarks: fill a queue fast, drain it with a bare consumer, wait for it to be empty. */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { performance } from 'node:perf_hooks';

/** Sends every body with SendMessageBatch (ten per call), `concurrency` calls at a time. */
export async function enqueueAll(
  sqs: SQSClient,
  queueUrl: string,
  bodies: readonly string[],
  concurrency = 4,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      next += 10;
      if (start >= bodies.length) return;
      const entries = bodies.slice(start, start + 10).map((body, i) => ({ Id: String(i), MessageBody: body }));
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      if ((out.Failed ?? []).length > 0)
        throw new Error(`SendMessageBatch refused ${out.Failed!.length} entries: ${out.Failed![0]?.Message}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * A bare consumer: long-poll ReceiveMessage (the intake's parameters) then DeleteMessageBatch, one batch
 * at a time, until `count` messages were received and deleted. Returns the wall time in ms. It stops
 * issuing receives once done, so no long poll is left behind to swallow a later message.
 */
export async function drainBare(
  sqs: SQSClient,
  queueUrl: string,
  count: number,
  waitTimeSeconds = 20,
): Promise<{ ms: number; received: number; batches: number }> {
  let received = 0;
  let batches = 0;
  const t0 = performance.now();
  while (received < count) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) continue;
    batches += 1;
    received += messages.length;
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
  return { ms: performance.now() - t0, received, batches };
}

/** Visible plus in-flight messages, as SQS counts them. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Polls {@link queueDepth} every `intervalMs` until it is 0; rejects after `timeoutMs`. */
export async function waitUntilEmpty(
  sqs: SQSClient,
  queueUrl: string,
  options: { intervalMs?: number; timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while ((await queueDepth(sqs, queueUrl)) > 0) {
    if (Date.now() > deadline) throw new Error(`queue ${queueUrl} not empty after ${options.timeoutMs ?? 60_000} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 5));
  }
}
