import { randomUUID } from 'node:crypto';
import { userInfo, hostname } from 'node:os';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config/types.ts';
import { createSqsClient } from '../intake/sqs-client.ts';
import { encodeOperatorCommand } from '../events/normalize.ts';
import { MAX_REASON_LENGTH, MAX_REQUESTED_BY_LENGTH } from '../events/operator-command.ts';
import type { OperatorCommandName } from '../events/types.ts';
import { UsageError } from '../errors.ts';
import { loadCommandConfig, print } from './common.ts';
import type { ConfigOption } from './common.ts';
import { firstUnsafeCharacter, printable } from './printable.ts';

export interface OperatorOptions extends ConfigOption {
  reason?: string;
  force?: boolean;
  by?: string;
}

/** One operator command to send: what, why, and who (default `user@host`). */
export interface OperatorRequest {
  command: OperatorCommandName;
  reason: string;
  /** Default false. */
  force?: boolean;
  /** Default `user@host` of this process. */
  by?: string;
}

/**
 * Sends an operator command through the controller's own queue, in the documented message format.
 * Used by the `failover|failback|pause|resume` commands and by game days.
 *
 * @param options.client an SQS client to use (default: one made for `config.queue`, destroyed after).
 * @returns the command's id (recorded in the history) and the SQS message id.
 * @throws MalformedMessageError when a field would make the controller refuse the message (nothing is sent).
 */
export async function sendOperatorCommand(
  config: Pick<Config, 'queue'>,
  request: OperatorRequest,
  options: { signal?: AbortSignal; client?: SQSClient } = {},
): Promise<{ id: string; messageId: string | undefined }> {
  const id = randomUUID();
  const body = encodeOperatorCommand({
    id,
    command: request.command,
    reason: request.reason,
    force: Boolean(request.force),
    requestedBy: request.by ?? `${safeUser()}@${hostname()}`,
    requestedAt: Date.now(),
  });
  const sqs = options.client ?? createSqsClient(config.queue);
  try {
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: config.queue.url, MessageBody: body }), { abortSignal: options.signal });
    return { id, messageId: sent.MessageId };
  } finally {
    if (!options.client) sqs.destroy();
  }
}

/**
 * `failover|failback|pause|resume`: sends the command through the controller's own queue, so it is
 * ordered with the alarm events, survives a controller restart, and is governed by the queue's policy
 * (who may `sqs:SendMessage`). The controller applies it within a receive (≤ 20 s, usually well under a
 * second) and records it in the history with its reason and sender.
 */
export async function operatorCommand(command: OperatorCommandName, options: OperatorOptions): Promise<void> {
  if (!options.reason || options.reason.trim() === '') throw new UsageError(`${command}: --reason TEXT is required (it goes into the audit history)`);
  checkRecordedText(command, '--reason', options.reason, MAX_REASON_LENGTH);
  if (options.by !== undefined) {
    if (options.by.trim() === '') throw new UsageError(`${command}: --by must name someone (or leave it out for user@host)`);
    checkRecordedText(command, '--by', options.by, MAX_REQUESTED_BY_LENGTH);
  }
  const config = await loadCommandConfig(options);
  const sent = await sendOperatorCommand(config, {
    command,
    reason: options.reason,
    force: Boolean(options.force),
    ...(options.by === undefined ? {} : { by: options.by }),
  });
  print(`${command} sent (command ${sent.id}, message ${printable(sent.messageId ?? '?')}); the running controller applies it within seconds. Check with: connect-failover status`);
}

/**
 * Refuses, before anything is sent, text the controller would refuse (too long) or that would reach
 * other operators' terminals through `status` and `history` (escape sequences, bidi overrides, line
 * breaks). The outputs escape such text anyway, since the queue also takes messages not sent by this CLI.
 */
function checkRecordedText(command: OperatorCommandName, option: string, text: string, maxLength: number): void {
  // The controller counts UTF-16 code units (String.length), so the door counts the same way.
  if (text.length > maxLength) {
    throw new UsageError(`${command}: ${option} is ${text.length} characters long; at most ${maxLength} are allowed`);
  }
  const unsafe = firstUnsafeCharacter(text);
  if (unsafe) {
    throw new UsageError(
      `${command}: ${option} has ${unsafe.kind} (${unsafe.codePoint}) at character ${unsafe.position}; ` +
        'control and formatting characters (escape sequences, bidirectional overrides, line breaks) are not accepted in the audit history',
    );
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
