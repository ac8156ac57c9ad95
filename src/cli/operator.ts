import { randomUUID } from 'node:crypto';
import { userInfo, hostname } from 'node:os';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../intake/sqs-client.ts';
import { encodeOperatorCommand } from '../events/normalize.ts';
import type { OperatorCommandName } from '../events/types.ts';
import { UsageError } from '../errors.ts';
import { loadCommandConfig, print } from './common.ts';
import type { ConfigOption } from './common.ts';

export interface OperatorOptions extends ConfigOption {
  reason?: string;
  force?: boolean;
  by?: string;
}

/**
 * `failover|failback|pause|resume`: sends the command through the controller's own queue, so it is
 * ordered with the alarm events, survives a controller restart, and is governed by the queue's policy
 * (who may `sqs:SendMessage`). The controller applies it within a receive (≤ 20 s, usually well under a
 * second) and records it in the history with its reason and sender.
 */
export async function operatorCommand(command: OperatorCommandName, options: OperatorOptions): Promise<void> {
  if (!options.reason || options.reason.trim() === '') throw new UsageError(`${command}: --reason TEXT is required (it goes into the audit history)`);
  const config = await loadCommandConfig(options);
  const id = randomUUID();
  const body = encodeOperatorCommand({
    id,
    command,
    reason: options.reason,
    force: Boolean(options.force),
    requestedBy: options.by ?? `${safeUser()}@${hostname()}`,
    requestedAt: Date.now(),
  });
  const sqs = createSqsClient(config.queue);
  try {
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: config.queue.url, MessageBody: body }));
    print(`${command} sent (command ${id}, message ${sent.MessageId ?? '?'}); the running controller applies it within seconds. Check with: connect-failover status`);
  } finally {
    sqs.destroy();
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
