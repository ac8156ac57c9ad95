import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueError } from '../../src/errors.ts';
import { startHeartbeat } from '../../src/intake/heartbeat.ts';
import { SqsIntake } from '../../src/intake/sqs-intake.ts';
import type { ReceivedMessage } from '../../src/intake/sqs-intake.ts';
import { createQueue, sendBodies, startSqs } from '../helpers/sqs.ts';
import type { TestSqs } from '../helpers/sqs.ts';

let sqs: TestSqs;

beforeAll(async () => {
  sqs = await startSqs();
});

afterAll(async () => {
  await sqs.stop();
});

/** Everything a second consumer receives during `windowMs` (bounded long polls, not sleeps). */
async function receivedDuring(consumer: SqsIntake, windowMs: number): Promise<ReceivedMessage[]> {
  const seen: ReceivedMessage[] = [];
  const until = Date.now() + windowMs;
  while (Date.now() < until) seen.push(...(await consumer.receive(AbortSignal.timeout(5_000))));
  return seen;
}

async function receiveFirst(consumer: SqsIntake, deadlineMs: number): Promise<ReceivedMessage[]> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const batch = await consumer.receive(AbortSignal.timeout(5_000));
    if (batch.length > 0) return batch;
  }
  return [];
}

/** Resolves with the first value `register` hands over, or rejects after `ms`. */
function firstCall<T>(ms: number): { callback: (value: T) => void; called: Promise<T> } {
  let callback: (value: T) => void = () => {};
  const called = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not called within ${ms} ms`)), ms);
    callback = (value) => {
      clearTimeout(timer);
      resolve(value);
    };
  });
  return { callback, called };
}

describe('SqsIntake.startHeartbeat', () => {
  it('keeps a message invisible past its visibility timeout, and it reappears once the heartbeat stops', async () => {
    // Prepare
    const queueUrl = await createQueue(sqs.client, 'heartbeat-keeps', { visibilityTimeout: 1 });
    const [sentId] = await sendBodies(sqs.client, queueUrl, ['long work']);
    const errors: QueueError[] = [];
    const worker = new SqsIntake({
      client: sqs.client,
      queueUrl,
      waitTimeSeconds: 1,
      heartbeatIntervalMs: 300,
      heartbeatExtendSeconds: 1,
      onError: (e) => errors.push(e),
    });
    const otherConsumer = new SqsIntake({ client: sqs.client, queueUrl, waitTimeSeconds: 1 });
    const batch = await receiveFirst(worker, 5_000);

    // Act
    const stop = worker.startHeartbeat(batch);
    const seenWhileBeating = await receivedDuring(otherConsumer, 2_500);
    await stop();
    const afterStop = await receiveFirst(otherConsumer, 5_000);

    // Assess
    expect(batch.map((m) => m.messageId)).toEqual([sentId]);
    expect(seenWhileBeating).toEqual([]);
    expect(afterStop.map((m) => [m.messageId, m.receiveCount])).toEqual([[sentId, 2]]);
    expect(errors).toEqual([]);
  });

  it('drops a message deleted meanwhile, reports it once, and keeps the others invisible', async () => {
    // Prepare
    const queueUrl = await createQueue(sqs.client, 'heartbeat-drops', { visibilityTimeout: 1 });
    await sendBodies(sqs.client, queueUrl, ['done early', 'still working']);
    const errors: QueueError[] = [];
    const firstError = firstCall<QueueError>(3_000);
    const worker = new SqsIntake({
      client: sqs.client,
      queueUrl,
      waitTimeSeconds: 1,
      heartbeatIntervalMs: 300,
      heartbeatExtendSeconds: 1,
      onError: (e) => {
        errors.push(e);
        firstError.callback(e);
      },
    });
    const otherConsumer = new SqsIntake({ client: sqs.client, queueUrl, waitTimeSeconds: 1 });
    const batch = await worker.receive(AbortSignal.timeout(5_000));
    const doneEarly = batch.filter((m) => m.body === 'done early');

    // Act
    const stop = worker.startHeartbeat(batch);
    await worker.delete(doneEarly);
    const reported = await firstError.called;
    const seenWhileBeating = await receivedDuring(otherConsumer, 1_500);
    await stop();

    // Assess
    expect(batch).toHaveLength(2);
    expect(reported).toMatchObject({
      operation: 'ChangeMessageVisibilityBatch',
      code: 'ReceiptHandleIsInvalid',
      retryable: false,
    });
    expect(reported.message).toContain(doneEarly[0]?.messageId);
    expect(errors).toHaveLength(1);
    expect(seenWhileBeating).toEqual([]);
  });
});

describe('startHeartbeat', () => {
  it('reports a failing beat and keeps beating', async () => {
    // Prepare
    let beats = 0;
    const errors: unknown[] = [];
    const thirdBeat = firstCall<void>(2_000);

    // Act
    const stop = startHeartbeat({
      intervalMs: 10,
      onError: (e) => errors.push(e),
      beat: async () => {
        beats += 1;
        if (beats === 1) throw new Error('SQS said no');
        if (beats === 3) thirdBeat.callback();
        return true;
      },
    });
    await thirdBeat.called;
    await stop();

    // Assess
    expect(errors).toEqual([new Error('SQS said no')]);
  });

  it('stop aborts the beat in flight and resolves only after it has settled, without reporting the abort', async () => {
    // Prepare
    const events: string[] = [];
    const errors: unknown[] = [];
    const beatStarted = firstCall<void>(2_000);
    const stop = startHeartbeat({
      intervalMs: 10,
      onError: (e) => errors.push(e),
      beat: (signal) =>
        new Promise<boolean>((_resolve, reject) => {
          events.push('beat started');
          beatStarted.callback();
          signal.addEventListener('abort', () => {
            events.push('beat aborted');
            reject(signal.reason);
          });
        }),
    });
    await beatStarted.called;

    // Act
    await stop();
    events.push('stop resolved');

    // Assess
    expect(events).toEqual(['beat started', 'beat aborted', 'stop resolved']);
    expect(errors).toEqual([]);
  });
});
