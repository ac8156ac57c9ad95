/**
 * The batch calls on received messages (DeleteMessageBatch, ChangeMessageVisibilityBatch): ten entries per
 * request, the requests in parallel, and each entry SQS refuses reported on its own.
 */
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { BatchResultErrorEntry, SQSClient } from '@aws-sdk/client-sqs';
import { QueueError } from '../errors.ts';
import { toQueueError } from './queue-errors.ts';

/** SQS takes at most ten entries per batch call. */
export const BATCH_LIMIT = 10;

/** What a batch call needs of a received message. */
export interface QueueEntry {
  messageId: string;
  /** Valid for the receive that returned it only. */
  receiptHandle: string;
}

/** Outcome of a delete, by message id. */
export interface DeleteResult {
  deleted: string[];
  failed: Array<{ messageId: string; error: string }>;
}

/** An entry SQS refused, with why. */
export interface EntryFailure<T extends QueueEntry> {
  message: T;
  error: QueueError;
}

/** The queue the batch calls go to. */
export interface BatchTarget {
  client: SQSClient;
  queueUrl: string;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * Deletes messages, ten per request, the requests in parallel. Never throws: each message ends up in
 * `deleted` or in `failed` with the reason (a whole request failing fails its ten messages only).
 */
export async function deleteMessages(
  queue: BatchTarget,
  messages: readonly QueueEntry[],
  signal: AbortSignal | undefined,
): Promise<DeleteResult> {
  const results = await Promise.all(chunk(messages, BATCH_LIMIT).map((batch) => deleteBatch(queue, batch, signal)));
  const result: DeleteResult = { deleted: [], failed: [] };
  for (const batch of results) {
    result.deleted.push(...batch.deleted);
    result.failed.push(...batch.failed);
  }
  return result;
}

async function deleteBatch(
  queue: BatchTarget,
  batch: readonly QueueEntry[],
  signal: AbortSignal | undefined,
): Promise<DeleteResult> {
  try {
    const output = await queue.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.queueUrl,
        // Ids by position: message ids are not guaranteed unique within one batch after redelivery.
        Entries: batch.map((message, index) => ({ Id: String(index), ReceiptHandle: message.receiptHandle })),
      }),
      { abortSignal: signal },
    );
    const failures = entryFailures('DeleteMessageBatch', batch, output.Failed);
    const failedMessages = new Set(failures.map((f) => f.message));
    return {
      deleted: batch.filter((m) => !failedMessages.has(m)).map((m) => m.messageId),
      failed: failures.map((f) => ({ messageId: f.message.messageId, error: f.error.message })),
    };
  } catch (err) {
    const error = toQueueError('DeleteMessageBatch', err);
    return { deleted: [], failed: batch.map((m) => ({ messageId: m.messageId, error: error.message })) };
  }
}

/** Sets the visibility of every message, ten per request; returns the entries SQS refused. Throws on a failed request. */
export async function changeVisibility<T extends QueueEntry>(
  queue: BatchTarget,
  messages: readonly T[],
  seconds: number,
  signal: AbortSignal | undefined,
): Promise<Array<EntryFailure<T>>> {
  const operation = 'ChangeMessageVisibilityBatch';
  const results = await Promise.all(
    chunk(messages, BATCH_LIMIT).map(async (batch) => {
      const output = await queue.client
        .send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queue.queueUrl,
            Entries: batch.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.receiptHandle,
              VisibilityTimeout: seconds,
            })),
          }),
          { abortSignal: signal },
        )
        .catch((err: unknown) => {
          throw toQueueError(operation, err);
        });
      return entryFailures(operation, batch, output.Failed);
    }),
  );
  return results.flat();
}

function entryFailures<T extends QueueEntry>(
  operation: string,
  batch: readonly T[],
  failed: readonly BatchResultErrorEntry[] | undefined,
): Array<EntryFailure<T>> {
  const failures: Array<EntryFailure<T>> = [];
  for (const entry of failed ?? []) {
    const message = batch[Number(entry.Id)];
    if (message === undefined) continue;
    const code = entry.Code ?? 'Unknown';
    failures.push({
      message,
      error: new QueueError(operation, `message ${message.messageId}: ${entry.Message ?? code}`, {
        code,
        retryable: entry.SenderFault === false,
      }),
    });
  }
  return failures;
}
