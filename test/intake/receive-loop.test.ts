import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueError } from '../../src/errors.ts';
import { backoffDelay } from '../../src/intake/backoff.ts';
import { receiveLoop } from '../../src/intake/receive-loop.ts';
import type { ReceiveLoopFailure } from '../../src/intake/receive-loop.ts';
import { SqsIntake } from '../../src/intake/sqs-intake.ts';
import type { ReceivedMessage } from '../../src/intake/sqs-intake.ts';
import { createQueue, messagesLeft, sendBodies, sqsClient, startSqs } from '../helpers/sqs.ts';
import type { TestSqs } from '../helpers/sqs.ts';

let sqs: TestSqs;

beforeAll(async () => {
  sqs = await startSqs();
});

afterAll(async () => {
  await sqs.stop();
});

/** A port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('receiveLoop', () => {
  it('hands every batch to the handler until aborted', async () => {
    // Prepare
    const queueUrl = await createQueue(sqs.client, 'loop-all');
    const sentIds = await sendBodies(sqs.client, queueUrl, ['a', 'b', 'c', 'd', 'e']);
    const intake = new SqsIntake({ client: sqs.client, queueUrl, waitTimeSeconds: 1, maxMessages: 2 });
    const controller = new AbortController();
    const handled: ReceivedMessage[][] = [];
    const errors: unknown[] = [];

    // Act
    await receiveLoop({
      intake,
      signal: AbortSignal.any([controller.signal, AbortSignal.timeout(10_000)]),
      onError: (e) => errors.push(e),
      handle: async (batch) => {
        handled.push(batch);
        await intake.delete(batch);
        if (handled.flat().length >= sentIds.length) controller.abort();
      },
    });

    // Assess
    expect(controller.signal.aborted).toBe(true);
    expect(handled.every((batch) => batch.length >= 1 && batch.length <= 2)).toBe(true);
    expect(
      handled
        .flat()
        .map((m) => m.messageId)
        .sort(),
    ).toEqual([...sentIds].sort());
    expect(await messagesLeft(sqs.client, queueUrl)).toBe(0);
    expect(errors).toEqual([]);
  });

  it('finishes the batch in flight when aborted during it, then stops without receiving again', async () => {
    // Prepare
    const queueUrl = await createQueue(sqs.client, 'loop-in-flight', { visibilityTimeout: 1 });
    const [sentId] = await sendBodies(sqs.client, queueUrl, ['in flight']);
    const intake = new SqsIntake({ client: sqs.client, queueUrl, waitTimeSeconds: 1 });
    const controller = new AbortController();
    const handled: string[] = [];
    let finished = false;

    // Act: the handler sees the shutdown begin, then still does real I/O to finish its work.
    await receiveLoop({
      intake,
      signal: controller.signal,
      onError: () => {},
      handle: async (batch) => {
        handled.push(...batch.map((m) => m.messageId));
        controller.abort();
        const { deleted } = await intake.delete(batch);
        finished = deleted.length === batch.length;
      },
    });

    // Assess
    expect(handled).toEqual([sentId]);
    expect(finished).toBe(true);
    expect(await messagesLeft(sqs.client, queueUrl)).toBe(0);
  });

  it('ends an idle long poll at once when aborted', async () => {
    // Prepare
    const queueUrl = await createQueue(sqs.client, 'loop-idle', { visibilityTimeout: 1 });
    const intake = new SqsIntake({ client: sqs.client, queueUrl, waitTimeSeconds: 20 });
    let handled = 0;
    const started = Date.now();

    // Act
    await receiveLoop({
      intake,
      signal: AbortSignal.timeout(150),
      onError: () => {},
      handle: async () => {
        handled += 1;
      },
    });

    // Assess
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(handled).toBe(0);
  });

  it('reports a failing handler, backs off, and handles the redelivered message again', async () => {
    // Prepare
    const queueUrl = await createQueue(sqs.client, 'loop-handler-fails', { visibilityTimeout: 1 });
    const [sentId] = await sendBodies(sqs.client, queueUrl, ['flaky']);
    const intake = new SqsIntake({ client: sqs.client, queueUrl, waitTimeSeconds: 1 });
    const controller = new AbortController();
    const attempts: Array<[string, number]> = [];
    const failures: Array<[unknown, ReceiveLoopFailure]> = [];

    // Act
    await receiveLoop({
      intake,
      signal: AbortSignal.any([controller.signal, AbortSignal.timeout(10_000)]),
      backoff: { initialDelayMs: 50, random: () => 1 },
      onError: (err, failure) => failures.push([err, failure]),
      handle: async (batch) => {
        for (const m of batch) attempts.push([m.messageId, m.receiveCount]);
        if (attempts.length === 1) throw new Error('store unavailable');
        await intake.delete(batch);
        controller.abort();
      },
    });

    // Assess
    expect(attempts).toEqual([
      [sentId, 1],
      [sentId, 2],
    ]);
    expect(failures).toEqual([
      [new Error('store unavailable'), { stage: 'handle', consecutiveFailures: 1, retryInMs: 50 }],
    ]);
  });

  it('backs off exponentially up to the cap when the queue cannot be reached, instead of spinning', async () => {
    // Prepare
    const port = await closedPort();
    const client = sqsClient(`http://127.0.0.1:${port}`, { maxAttempts: 1 });
    const intake = new SqsIntake({ client, queueUrl: `http://127.0.0.1:${port}/000000000000/q`, waitTimeSeconds: 1 });
    const failures: Array<[unknown, ReceiveLoopFailure]> = [];

    // Act
    await receiveLoop({
      intake,
      signal: AbortSignal.timeout(1_500),
      backoff: { initialDelayMs: 20, maxDelayMs: 80, random: () => 1 },
      onError: (err, failure) => failures.push([err, failure]),
      handle: async () => {},
    });
    client.destroy();

    // Assess: 20 + 40 + 80 + 80 … ms fit about eighteen attempts into 1.5 s; a spinning loop makes hundreds.
    expect(failures.length).toBeGreaterThanOrEqual(4);
    expect(failures.length).toBeLessThanOrEqual(25);
    expect(failures.slice(0, 4).map(([, f]) => f)).toEqual([
      { stage: 'receive', consecutiveFailures: 1, retryInMs: 20 },
      { stage: 'receive', consecutiveFailures: 2, retryInMs: 40 },
      { stage: 'receive', consecutiveFailures: 3, retryInMs: 80 },
      { stage: 'receive', consecutiveFailures: 4, retryInMs: 80 },
    ]);
    const [firstError] = failures[0] ?? [];
    expect(firstError).toBeInstanceOf(QueueError);
    expect(firstError).toMatchObject({ operation: 'ReceiveMessage', code: 'ECONNREFUSED', retryable: true });
  });

  it('stops at once when aborted during a long backoff', async () => {
    // Prepare
    const port = await closedPort();
    const client = sqsClient(`http://127.0.0.1:${port}`, { maxAttempts: 1 });
    const intake = new SqsIntake({ client, queueUrl: `http://127.0.0.1:${port}/000000000000/q`, waitTimeSeconds: 1 });
    const controller = new AbortController();
    let failures = 0;
    const started = Date.now();

    // Act
    await receiveLoop({
      intake,
      signal: controller.signal,
      backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000, random: () => 1 },
      onError: () => {
        failures += 1;
        controller.abort();
      },
      handle: async () => {},
    });
    client.destroy();

    // Assess
    expect(failures).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('rejects backoff options that would spin', async () => {
    // Prepare
    const intake = new SqsIntake({ client: sqs.client, queueUrl: `${sqs.endpoint}/000000000000/unused` });

    // Act
    const outcome = receiveLoop({
      intake,
      signal: AbortSignal.abort(),
      backoff: { initialDelayMs: 0 },
      onError: () => {},
      handle: async () => {},
    });

    // Assess
    await expect(outcome).rejects.toThrow(
      new RangeError('backoff needs 0 < initialDelayMs <= maxDelayMs, got 0 and 30000'),
    );
  });
});

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap', () => {
    // Act
    const delays = [1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, { random: () => 1 }));

    // Assess
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('draws each delay uniformly below its ceiling (full jitter)', () => {
    // Act
    const atZero = backoffDelay(3, { initialDelayMs: 100, random: () => 0 });
    const halfway = backoffDelay(3, { initialDelayMs: 100, random: () => 0.5 });

    // Assess
    expect(atZero).toBe(0);
    expect(halfway).toBe(200);
  });

  it('stays at the cap after very many failures', () => {
    // Act
    const delay = backoffDelay(5_000, { initialDelayMs: 10, maxDelayMs: 500, random: () => 1 });

    // Assess
    expect(delay).toBe(500);
  });
});

describe('receiveLoop stopping with a grace period', () => {
  it('lets the poll in flight end and hands back what it got, so nothing is stranded invisible', async () => {
    // Prepare: the loop is stopped while its long poll waits; a message then arrives for that poll.
    const queueUrl = await createQueue(sqs.client, 'loop-grace', { visibilityTimeout: 30 });
    const intake = new SqsIntake({ client: sqs.client, queueUrl, waitTimeSeconds: 2 });
    const stop = new AbortController();
    const handedBack: ReceivedMessage[][] = [];
    const handled: ReceivedMessage[][] = [];
    const receiving = intake.receive.bind(intake);
    let polls = 0;
    const running = receiveLoop({
      intake: {
        receive: async (signal) => {
          polls++;
          // The stop lands while this poll is open; the message comes after it.
          if (polls === 1) queueMicrotask(() => stop.abort());
          setImmediate(() => void sendBodies(sqs.client, queueUrl, ['sent during the stop']));
          return receiving(signal);
        },
      },
      signal: stop.signal,
      onError: () => undefined,
      handle: async (batch) => void handled.push(batch),
      stopGraceMs: 5_000,
      handBack: async (batch) => {
        handedBack.push(batch);
        await intake.release(batch, { retryAfterSeconds: 0 });
      },
    });

    // Act
    await running;

    // Assess: not handled (the loop was stopping) but visible again at once, not after 30 s.
    expect(handled).toEqual([]);
    expect(handedBack.flat().map((m) => m.body)).toEqual(['sent during the stop']);
    const again = await new SqsIntake({ client: sqs.client, queueUrl, waitTimeSeconds: 0 }).receive(
      new AbortController().signal,
    );
    expect(again.map((m) => m.body)).toEqual(['sent during the stop']);
  });
});
