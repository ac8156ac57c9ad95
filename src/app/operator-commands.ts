/**
 * Sending an operator command (`failover`, `failback`, `pause`, `resume`) through the controller's own
 * queue, in the documented message format: it is then ordered with the alarm events, survives a controller
 * restart, is deduplicated by its id and governed by the queue's policy (who may `sqs:SendMessage`).
 * Shared by the CLI's operator commands and by game days.
 *
 * Waiting for the command's outcome is a use case of its own built on this one: the controller records
 * the command in its history under the {@link SentCommand.id} returned here.
 */
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config/types.ts';
import { encodeOperatorCommand } from '../events/normalize.ts';
import type { OperatorCommandName } from '../events/types.ts';
import { sendMessage } from '../intake/send-message.ts';
import { createSqsClient } from '../intake/sqs-client.ts';

/** One operator command to send: what, why, and who (default `user@host`). */
export interface OperatorRequest {
  command: OperatorCommandName;
  reason: string;
  /** Default false. */
  force?: boolean;
  /** failback only: straight back to healthy, skipping the remaining `traffic.failbackSteps`. Default false. */
  now?: boolean;
  /** Default `user@host` of this process. */
  by?: string;
}

/** A command on the queue. */
export interface SentCommand {
  /** The command's id: the controller deduplicates by it and records the command under it in the history. */
  id: string;
  /** The SQS message id. */
  messageId: string | undefined;
}

export interface SendOperatorCommandOptions {
  signal?: AbortSignal;
  /** An SQS client to use. Default: one made for `config.queue`, destroyed after. */
  client?: SQSClient;
}

/**
 * Sends an operator command through the controller's queue.
 * @throws MalformedMessageError when a field would make the controller refuse the message (nothing is sent).
 */
export async function sendOperatorCommand(
  config: Pick<Config, 'queue'>,
  request: OperatorRequest,
  options: SendOperatorCommandOptions = {},
): Promise<SentCommand> {
  const id = randomUUID();
  const body = encodeOperatorCommand({
    id,
    command: request.command,
    reason: request.reason,
    force: Boolean(request.force),
    ...(request.now ? { now: true } : {}),
    requestedBy: request.by ?? defaultRequester(),
    requestedAt: Date.now(),
  });
  const sqs = options.client ?? createSqsClient(config.queue);
  try {
    return { id, messageId: await sendMessage(sqs, config.queue.url, body, options.signal) };
  } finally {
    if (!options.client) sqs.destroy();
  }
}

/** Who asks when `--by` is not given: `user@host` of this process. */
export function defaultRequester(): string {
  return `${safeUser()}@${hostname()}`;
}

function safeUser(): string {
  // userInfo() throws when the uid has no passwd entry (common in containers).
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
