import { hostname } from 'node:os';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { sendOperatorCommand } from '../../src/app/operator-commands.ts';
import { normalizeMessage } from '../../src/events/normalize.ts';
import { createQueue, startSqs } from '../helpers/sqs.ts';
import type { TestSqs } from '../helpers/sqs.ts';

let sqs: TestSqs | undefined;
afterEach(async () => {
  await sqs?.stop();
  sqs = undefined;
});

describe('sending an operator command (shared by the CLI and game days)', () => {
  it('puts a command on the queue that the controller reads back with its reason, force flag and sender', async () => {
    sqs = await startSqs();
    const url = await createQueue(sqs.client, 'commands');

    const sent = await sendOperatorCommand(
      { queue: { url, region: 'us-east-1' } },
      { command: 'failover', reason: 'game day', force: true },
      { client: sqs.client },
    );

    const received = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    expect(received.Messages?.[0]?.MessageId).toBe(sent.messageId);
    const command = normalizeMessage(received.Messages?.[0]?.Body ?? '');
    expect(command).toMatchObject({
      kind: 'operator',
      id: sent.id,
      command: 'failover',
      reason: 'game day',
      force: true,
    });
    expect((command as { requestedBy: string }).requestedBy).toMatch(new RegExp(`@${hostname()}$`));
  });

  it('refuses to send what the controller would refuse, sending nothing', async () => {
    sqs = await startSqs();
    const url = await createQueue(sqs.client, 'commands');

    await expect(
      sendOperatorCommand(
        { queue: { url, region: 'us-east-1' } },
        { command: 'pause', reason: 'x', force: true },
        { client: sqs.client },
      ),
    ).rejects.toThrow('force: applies only to failover and failback, not to pause');
    const received = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    expect(received.Messages ?? []).toEqual([]);
  });
});
