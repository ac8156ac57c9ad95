import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueError } from '../../src/errors.ts';
import { SqsIntake } from '../../src/intake/sqs-intake.ts';
import type { ReceivedMessage } from '../../src/intake/sqs-intake.ts';
import { createQueue, createQueueWithDlq, messagesLeft, sendBodies, sqsClient, startSqs } from '../helpers/sqs.ts';
import type { TestSqs } from '../helpers/sqs.ts';

let sqs: TestSqs;
let queueNumber = 0;
const uniqueName = (prefix: string): string => `${prefix}-${++queueNumber}`;

beforeAll(async () => {
  sqs = await startSqs();
});

afterAll(async () => {
  await sqs.stop();
});

/** Receives until `enough` says so or the deadline passes; returns every batch. */
async function receiveUntil(
  intake: SqsIntake,
  enough: (all: ReceivedMessage[]) => boolean,
  deadlineMs: number,
): Promise<ReceivedMessage[][]> {
  const batches: ReceivedMessage[][] = [];
  const until = Date.now() + deadlineMs;
  while (!enough(batches.flat()) && Date.now() < until) {
    const batch = await intake.receive(AbortSignal.timeout(until - Date.now() + 1000));
    if (batch.length > 0) batches.push(batch);
  }
  return batches;
}

function fakeMessage(messageId: string): ReceivedMessage {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: '{}',
    sentAt: undefined,
    receiveCount: 1,
    receivedAt: 0,
  };
}

describe('SqsIntake.receive', () => {
  it('returns a message sent during a long poll long before the wait time ends, with its delivery facts', async () => {
    // Prepare
    const queueUrl = await createQueue(sqs.client, uniqueName('long-poll'));
    const intake = new SqsIntake({ client: sqs.client, queueUrl, now: () => 1_234 });
    const started = Date.now();

    // Act
    const polling = intake.receive(AbortSignal.timeout(25_000));
    const [sentId] = await sendBodies(sqs.client, queueUrl, ['{"hello":1}']);
    const batch = await polling;

    // Assess
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(batch).toHaveLength(1);
    const [message] = batch;
    expect(message).toMatchObject({ messageId: sentId, body: '{"hello":1}', receiveCount: 1, receivedAt: 1_234 });
    expect(message?.sentAt).toBeGreaterThanOrEqual(started - 1_000);
    expect(message?.sentAt).toBeLessThanOrEqual(Date.now() + 1_000);
    expect(message?.receiptHandle).not.toBe('');
  });

  it('returns batches of at most maxMessages until every message has been received', async () => {
    // Prepare
    const queueUrl = await createQueue(sqs.client, uniqueName('batches'));
    const sentIds = await sendBodies(
      sqs.client,
      queueUrl,
      Array.from({ length: 13 }, (_, i) => `m${i}`),
    );
    const intakeOfTen = new SqsIntake({
      client: sqs.client,
      queueUrl,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 30,
    });

    // Act
    const first = await intakeOfTen.receive(AbortSignal.timeout(5_000));
    const intakeOfFour = new SqsIntake({ client: sqs.client, queueUrl, waitTimeSeconds: 1, maxMessages: 4 });
    const rest = await receiveUntil(intakeOfFour, (all) => all.length >= 13 - first.length, 5_000);

    // Assess
    expect(first).toHaveLength(10);
    expect(rest.every((batch) => batch.length <= 4)).toBe(true);
    const receivedIds = [...first, ...rest.flat()].map((m) => m.messageId);
    expect(receivedIds.sort()).toEqual([...sentIds].sort());
  });

  it('resolves with no messages shortly after its signal aborts a 20-second long poll', async () => {
    // Prepare: a short visibility timeout, as an aborted poll may still be handed a message.
    const queueUrl = await createQueue(sqs.client, uniqueName('abort'), { visibilityTimeout: 1 });
    const intake = new SqsIntake({ client: sqs.client, queueUrl, waitTimeSeconds: 20 });
    const controller = new AbortController();
    const started = Date.now();

    // Act
    const polling = intake.receive(controller.signal);
    setTimeout(() => controller.abort(), 150);
    const batch = await polling;

    // Assess
    expect(batch).toEqual([]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('resolves with no messages at once when its signal is already aborted', async () => {
    // Prepare
    const queueUrl = await createQueue(sqs.client, uniqueName('pre-aborted'));
    await sendBodies(sqs.client, queueUrl, ['waiting']);
    const intake = new SqsIntake({ client: sqs.client, queueUrl });

    // Act
    const batch = await intake.receive(AbortSignal.abort());

    // Assess: nothing was taken off the queue either.
    expect(batch).toEqual([]);
    expect(await intake.describeQueue()).toMatchObject({ approximateMessages: 1 });
  });

  it('rejects with a QueueError carrying the SQS code when the queue does not exist', async () => {
    // Prepare
    const intake = new SqsIntake({
      client: sqs.client,
      queueUrl: `${sqs.endpoint}/000000000000/no-such-queue`,
      waitTimeSeconds: 1,
    });

    // Act
    const outcome = intake.receive(AbortSignal.timeout(5_000));

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(QueueError);
    await expect(outcome).rejects.toMatchObject({
      operation: 'ReceiveMessage',
      code: 'QueueDoesNotExist',
      status: 400,
      retryable: false,
    });
  });

  it('gives up on a request that gets no answer and rejects with a retryable timeout', async () => {
    // Prepare: a server that accepts connections and never answers, like a silently dropped connection.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const client = sqsClient(`http://127.0.0.1:${port}`, { maxAttempts: 1 });
    const intake = new SqsIntake({
      client,
      queueUrl: `http://127.0.0.1:${port}/000000000000/q`,
      waitTimeSeconds: 0,
      receiveTimeoutMs: 200,
    });
    const started = Date.now();

    // Act
    const outcome = intake.receive(new AbortController().signal);

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'QueueError', code: 'RequestTimeout', retryable: true });
    expect(Date.now() - started).toBeLessThan(10_000);
    client.destroy();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});

describe('SqsIntake.delete', () => {
  it('removes only the given messages; the others come back after their visibility timeout', async () => {
    // Prepare
    const queueUrl = await createQueue(sqs.client, uniqueName('delete-some'), { visibilityTimeout: 1 });
    const [idA, idB, idC] = await sendBodies(sqs.client, queueUrl, ['a', 'b', 'c']);
    const intake = new SqsIntake({ client: sqs.client, queueUrl, waitTimeSeconds: 1 });
    const received = (await receiveUntil(intake, (all) => all.length >= 3, 5_000)).flat();
    const toDelete = received.filter((m) => m.messageId !== idB);

    // Act
    const result = await intake.delete(toDelete);

    // Assess
    expect(result.failed).toEqual([]);
    expect(result.deleted.sort()).toEqual([idA, idC].sort());
    const [again] = await receiveUntil(intake, (all) => all.length > 0, 5_000);
    expect(again?.map((m) => [m.messageId, m.receiveCount])).toEqual([[idB, 2]]);
    await intake.delete(again ?? []);
    expect(await messagesLeft(sqs.client, queueUrl)).toBe(0);
  });

  it('deletes more than ten messages in batches of ten', async () => {
    // Prepare
    const queueUrl = await createQueue(sqs.client, uniqueName('delete-many'));
    const sentIds = await sendBodies(
      sqs.client,
      queueUrl,
      Array.from({ length: 23 }, (_, i) => `m${i}`),
    );
    const intake = new SqsIntake({ client: sqs.client, queueUrl, waitTimeSeconds: 1 });
    const received = (await receiveUntil(intake, (all) => all.length >= 23, 5_000)).flat();

    // Act
    const result = await intake.delete(received);

    // Assess
    expect(result.failed).toEqual([]);
    expect(result.deleted.sort()).toEqual([...sentIds].sort());
    expect(await messagesLeft(sqs.client, queueUrl)).toBe(0);
  });

  it('reports every message as failed, without throwing, when the request fails', async () => {
    // Prepare
    const intake = new SqsIntake({ client: sqs.client, queueUrl: `${sqs.endpoint}/000000000000/gone` });

    // Act
    const result = await intake.delete([fakeMessage('one'), fakeMessage('two')]);

    // Assess
    expect(result.deleted).toEqual([]);
    expect(result.failed.map((f) => f.messageId)).toEqual(['one', 'two']);
    expect(result.failed[0]?.error).toMatch(/DeleteMessageBatch: .*does not exist/);
  });

  it('does nothing for an empty list', async () => {
    // Prepare
    const intake = new SqsIntake({ client: sqs.client, queueUrl: `${sqs.endpoint}/000000000000/gone` });

    // Act
    const result = await intake.delete([]);

    // Assess: a request to the missing queue would have failed.
    expect(result).toEqual({ deleted: [], failed: [] });
  });
});

describe('redelivery and the dead-letter queue', () => {
  it('redelivers a message that is not deleted and moves it to the DLQ after maxReceiveCount receives', async () => {
    // Prepare
    const { queueUrl, dlqUrl } = await createQueueWithDlq(sqs.client, uniqueName('poison'), {
      maxReceiveCount: 2,
      visibilityTimeout: 1,
    });
    const [sentId] = await sendBodies(sqs.client, queueUrl, ['not an alarm']);
    const intake = new SqsIntake({ client: sqs.client, queueUrl, waitTimeSeconds: 1 });
    const dlq = new SqsIntake({ client: sqs.client, queueUrl: dlqUrl, waitTimeSeconds: 0 });

    // Act: receive and never delete, as the controller does with a malformed message.
    const receiveCounts: number[] = [];
    let deadLettered: ReceivedMessage[] = [];
    const until = Date.now() + 10_000;
    while (deadLettered.length === 0 && Date.now() < until) {
      const batch = await intake.receive(AbortSignal.timeout(5_000));
      receiveCounts.push(...batch.filter((m) => m.messageId === sentId).map((m) => m.receiveCount));
      deadLettered = await dlq.receive(AbortSignal.timeout(5_000));
    }

    // Assess
    expect(receiveCounts).toEqual([1, 2]);
    expect(deadLettered.map((m) => m.body)).toEqual(['not an alarm']);
  });
});

describe('SqsIntake.release', () => {
  it('leaves a message invisible when not asked to retry sooner, and makes it visible at once with retryAfterSeconds 0', async () => {
    // Prepare
    const queueUrl = await createQueue(sqs.client, uniqueName('release'), { visibilityTimeout: 30 });
    const [sentId] = await sendBodies(sqs.client, queueUrl, ['retry me']);
    const errors: QueueError[] = [];
    const intake = new SqsIntake({ client: sqs.client, queueUrl, waitTimeSeconds: 1, onError: (e) => errors.push(e) });
    const first = await intake.receive(AbortSignal.timeout(5_000));

    // Act
    await intake.release(first);
    const whileInvisible = await intake.receive(AbortSignal.timeout(5_000));
    await intake.release(first, { retryAfterSeconds: 0 });
    const afterRelease = await intake.receive(AbortSignal.timeout(5_000));

    // Assess
    expect(first.map((m) => m.messageId)).toEqual([sentId]);
    expect(whileInvisible).toEqual([]);
    expect(afterRelease.map((m) => [m.messageId, m.receiveCount])).toEqual([[sentId, 2]]);
    expect(errors).toEqual([]);
  });

  it('reports a message SQS refuses to onError instead of throwing', async () => {
    // Prepare
    const queueUrl = await createQueue(sqs.client, uniqueName('release-refused'));
    const errors: QueueError[] = [];
    const intake = new SqsIntake({ client: sqs.client, queueUrl, onError: (e) => errors.push(e) });

    // Act
    await intake.release([fakeMessage('never-received')], { retryAfterSeconds: 0 });

    // Assess
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ReceiptHandleIsInvalid', retryable: false });
    expect(errors[0]?.message).toContain('never-received');
  });
});

describe('SqsIntake.describeQueue', () => {
  it('reads the visibility timeout, the redrive policy and the number of waiting messages', async () => {
    // Prepare
    const { queueUrl, dlqArn } = await createQueueWithDlq(sqs.client, uniqueName('describe'), {
      maxReceiveCount: 4,
      visibilityTimeout: 7,
    });
    await sendBodies(sqs.client, queueUrl, ['one', 'two']);
    const intake = new SqsIntake({ client: sqs.client, queueUrl });

    // Act
    const description = await intake.describeQueue(AbortSignal.timeout(5_000));

    // Assess
    expect(description).toEqual({
      visibilityTimeoutSeconds: 7,
      redrive: { deadLetterTargetArn: dlqArn, maxReceiveCount: 4 },
      approximateMessages: 2,
    });
  });

  it('reports no redrive policy for a queue without a dead-letter queue', async () => {
    // Prepare
    const queueUrl = await createQueue(sqs.client, uniqueName('no-dlq'), { visibilityTimeout: 45 });
    const intake = new SqsIntake({ client: sqs.client, queueUrl });

    // Act
    const description = await intake.describeQueue();

    // Assess
    expect(description).toEqual({ visibilityTimeoutSeconds: 45, redrive: undefined, approximateMessages: 0 });
  });

  it('rejects with a terminal QueueError when the queue does not exist', async () => {
    // Prepare
    const intake = new SqsIntake({ client: sqs.client, queueUrl: `${sqs.endpoint}/000000000000/absent` });

    // Act
    const outcome = intake.describeQueue();

    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'QueueError',
      operation: 'GetQueueAttributes',
      code: 'QueueDoesNotExist',
      retryable: false,
    });
  });
});

describe('SqsIntake options', () => {
  const base = (): { client: SQSClient; queueUrl: string } => ({
    client: sqs.client,
    queueUrl: 'http://127.0.0.1:1/000000000000/q',
  });

  it.each([
    [{ waitTimeSeconds: 21 }, 'waitTimeSeconds must be an integer from 0 to 20, got 21'],
    [{ maxMessages: 0 }, 'maxMessages must be an integer from 1 to 10, got 0'],
    [{ maxMessages: 11 }, 'maxMessages must be an integer from 1 to 10, got 11'],
    [{ visibilityTimeoutSeconds: 1.5 }, 'visibilityTimeoutSeconds must be an integer from 0 to 43200, got 1.5'],
    [{ heartbeatExtendSeconds: 0 }, 'heartbeatExtendSeconds must be an integer from 1 to 43200, got 0'],
    [
      { heartbeatExtendSeconds: 1, heartbeatIntervalMs: 1_000 },
      'heartbeatIntervalMs must be above 0 and below heartbeatExtendSeconds (1000 ms), got 1000',
    ],
    [
      { waitTimeSeconds: 5, receiveTimeoutMs: 5_000 },
      'receiveTimeoutMs must be above waitTimeSeconds (5000 ms), got 5000',
    ],
  ])('refuses %o with an exact message', (options, message) => {
    // Act
    const construct = (): SqsIntake => new SqsIntake({ ...base(), ...options });

    // Assess
    expect(construct).toThrow(new RangeError(message));
  });

  it('derives the heartbeat from the visibility timeout when not given', () => {
    // Act: a 3-second timeout allows a 1-second interval; anything at or over 3 s is refused.
    const construct = (heartbeatIntervalMs?: number): SqsIntake =>
      new SqsIntake({ ...base(), visibilityTimeoutSeconds: 3, heartbeatIntervalMs });

    // Assess
    expect(() => construct()).not.toThrow();
    expect(() => construct(3_000)).toThrow(/below heartbeatExtendSeconds \(3000 ms\)/);
  });
});
