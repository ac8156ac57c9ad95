/**
 * Putting one message on the controller's queue: how operator commands reach the controller, through the
 * same queue as the alarm events so that they are ordered with them and survive a restart.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';

/**
 * Sends `body` to `queueUrl` with the caller's client; resolves to SQS's message id. SDK errors are passed
 * on as they are: the CLI shows their message, and nothing here could retry a send safely (a command whose
 * answer was lost may have been queued; its id lets the controller drop a second copy, not this function).
 */
export async function sendMessage(
  client: SQSClient,
  queueUrl: string,
  body: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const sent = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }), {
    abortSignal: signal,
  });
  return sent.MessageId;
}
