import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { QueueError } from '../errors.ts';
import { startHeartbeat } from './heartbeat.ts';
import { BATCH_LIMIT, changeVisibility, deleteMessages } from './message-batches.ts';
import type { BatchTarget, DeleteResult } from './message-batches.ts';
import { describeQueue } from './queue-attributes.ts';
import type { QueueDescription } from './queue-attributes.ts';
import { toQueueError } from './queue-errors.ts';

/** One message as the controller sees it, with what SQS says about its delivery. */
export interface ReceivedMessage {
  messageId: string;
  /** Needed to delete the message or change its visibility; valid for this receive only. */
  receiptHandle: string;
  body: string;
  /** SentTimestamp: when SQS accepted the message, in ms since the epoch; undefined if SQS did not say. */
  sentAt: number | undefined;
  /** ApproximateReceiveCount, this receive included; 1 when SQS did not say. */
  receiveCount: number;
  /** When this process received it, by the intake's clock (ms since the epoch). */
  receivedAt: number;
  /** SenderId: the account or IAM principal id (`AIDA…`, `AROA…:session`) that sent it, when SQS says. */
  senderId?: string | undefined;
}

/** Options of {@link SqsIntake}. */
export interface SqsIntakeOptions {
  client: SQSClient;
  queueUrl: string;
  /** Long-poll wait per receive, 0–20 s. Default 20. 0 makes every receive a short poll. */
  waitTimeSeconds?: number;
  /** Most messages per receive, 1–10. Default 10. */
  maxMessages?: number;
  /** Visibility timeout asked for on receive, 0–43200 s. Default: undefined, the queue's own. */
  visibilityTimeoutSeconds?: number;
  /**
   * Visibility each heartbeat sets, counted from the beat, 1–43200 s. Default: `visibilityTimeoutSeconds`
   * when that is at least 1, else 30 (the SQS default). Set it (or `visibilityTimeoutSeconds`) when the
   * queue's own timeout is shorter than the heartbeat interval, or messages reappear between beats.
   */
  heartbeatExtendSeconds?: number;
  /**
   * Time between heartbeats in ms; must be shorter than `heartbeatExtendSeconds`. Default: a third of
   * `heartbeatExtendSeconds`, so two beats can fail before a message becomes visible again.
   */
  heartbeatIntervalMs?: number;
  /**
   * Upper bound on one receive request, in ms, so a connection that silently died cannot stall the
   * intake. Default: `waitTimeSeconds` plus 10 s.
   */
  receiveTimeoutMs?: number;
  /** Clock for `receivedAt`. Default `Date.now`. */
  now?: () => number;
  /**
   * Receives failures of background work that has no caller to throw to: heartbeats and `release`.
   * Always a {@link QueueError}. Default: ignored (the message then simply becomes visible again).
   */
  onError?: (err: QueueError) => void;
}

/** Slack beyond the long-poll wait before a receive counts as hung. */
const RECEIVE_TIMEOUT_MARGIN_MS = 10_000;

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/**
 * The SQS adapter: long-polls a queue in batches, deletes what the controller has finished with, keeps
 * messages in flight invisible with heartbeats, and reads queue attributes for preflight. Every call
 * takes the caller's AbortSignal; SDK errors come out as {@link QueueError}.
 */
export class SqsIntake {
  readonly queueUrl: string;
  private readonly client: SQSClient;
  private readonly waitTimeSeconds: number;
  private readonly maxMessages: number;
  private readonly visibilityTimeoutSeconds: number | undefined;
  private readonly heartbeatExtendSeconds: number;
  private readonly heartbeatIntervalMs: number;
  private readonly receiveTimeoutMs: number;
  private readonly now: () => number;
  private readonly onError: (err: QueueError) => void;
  readonly #queue: BatchTarget;

  /** @throws RangeError when an option is out of the range SQS accepts. */
  constructor(options: SqsIntakeOptions) {
    if (options.queueUrl.trim() === '') throw new RangeError('queueUrl must not be empty');
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.#queue = { client: options.client, queueUrl: options.queueUrl };

    this.waitTimeSeconds = options.waitTimeSeconds ?? 20;
    requireInteger('waitTimeSeconds', this.waitTimeSeconds, 0, 20);
    this.maxMessages = options.maxMessages ?? 10;
    requireInteger('maxMessages', this.maxMessages, 1, BATCH_LIMIT);
    this.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds;
    if (this.visibilityTimeoutSeconds !== undefined) {
      requireInteger('visibilityTimeoutSeconds', this.visibilityTimeoutSeconds, 0, 43_200);
    }

    this.heartbeatExtendSeconds =
      options.heartbeatExtendSeconds ??
      (this.visibilityTimeoutSeconds !== undefined && this.visibilityTimeoutSeconds >= 1
        ? this.visibilityTimeoutSeconds
        : 30);
    requireInteger('heartbeatExtendSeconds', this.heartbeatExtendSeconds, 1, 43_200);
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? Math.round((this.heartbeatExtendSeconds * 1000) / 3);
    if (!(this.heartbeatIntervalMs > 0 && this.heartbeatIntervalMs < this.heartbeatExtendSeconds * 1000)) {
      throw new RangeError(
        `heartbeatIntervalMs must be above 0 and below heartbeatExtendSeconds (${this.heartbeatExtendSeconds * 1000} ms), got ${this.heartbeatIntervalMs}`,
      );
    }

    this.receiveTimeoutMs = options.receiveTimeoutMs ?? this.waitTimeSeconds * 1000 + RECEIVE_TIMEOUT_MARGIN_MS;
    if (!(this.receiveTimeoutMs > this.waitTimeSeconds * 1000)) {
      throw new RangeError(
        `receiveTimeoutMs must be above waitTimeSeconds (${this.waitTimeSeconds * 1000} ms), got ${this.receiveTimeoutMs}`,
      );
    }
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => {});
  }

  /**
   * One long poll of up to `maxMessages` messages. Resolves `[]` when `signal` aborts (never throws for
   * that), or when the wait ends with nothing to deliver.
   *
   * SQS may hand a message to a poll the moment it is aborted; that message stays invisible for its
   * visibility timeout and is then redelivered. Short visibility timeouts keep that delay small.
   * @param waitTimeSeconds this poll's wait (default: the intake's); 0 for a short poll that answers at once.
   * @throws QueueError on any other failure, including a request that outlives `receiveTimeoutMs`.
   */
  async receive(signal: AbortSignal, waitTimeSeconds = this.waitTimeSeconds): Promise<ReceivedMessage[]> {
    if (signal.aborted) return [];
    // One controller for "caller aborted" or "request hung", cleaned up after every call, rather than
    // AbortSignal.any: calling that over and over on one long-lived signal has been reported to leak.
    const request = new AbortController();
    let timedOut = false;
    const onAbort = (): void => request.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      timedOut = true;
      request.abort();
    }, this.receiveTimeoutMs);
    let messages: Message[];
    try {
      const output = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: this.maxMessages,
          WaitTimeSeconds: waitTimeSeconds,
          VisibilityTimeout: this.visibilityTimeoutSeconds,
          // SenderId: the IAM principal that sent it, the audit's answer to "who sent this command".
          MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount', 'SenderId'],
        }),
        { abortSignal: request.signal },
      );
      messages = output.Messages ?? [];
    } catch (err) {
      if (signal.aborted) return [];
      if (timedOut) {
        throw new QueueError('ReceiveMessage', `no answer within ${this.receiveTimeoutMs} ms`, {
          code: 'RequestTimeout',
          retryable: true,
          cause: err,
        });
      }
      throw toQueueError('ReceiveMessage', err);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }

    const receivedAt = this.now();
    const received: ReceivedMessage[] = [];
    for (const message of messages) {
      // Without both there is nothing the controller could acknowledge; SQS always sends them.
      if (message.MessageId === undefined || message.ReceiptHandle === undefined) continue;
      const rawSentAt = message.Attributes?.SentTimestamp;
      const sentAt = rawSentAt ? Number(rawSentAt) : Number.NaN;
      const receiveCount = Number(message.Attributes?.ApproximateReceiveCount);
      received.push({
        messageId: message.MessageId,
        receiptHandle: message.ReceiptHandle,
        body: message.Body ?? '',
        sentAt: Number.isFinite(sentAt) ? sentAt : undefined,
        receiveCount: Number.isInteger(receiveCount) && receiveCount >= 1 ? receiveCount : 1,
        receivedAt,
        senderId: message.Attributes?.SenderId,
      });
    }
    return received;
  }

  /**
   * Deletes messages with DeleteMessageBatch, ten per request, the requests in parallel. Never throws:
   * each message ends up in `deleted` or in `failed` with the reason (a whole request failing fails its
   * ten messages only).
   */
  delete(messages: readonly ReceivedMessage[], signal?: AbortSignal): Promise<DeleteResult> {
    return deleteMessages(this.#queue, messages, signal);
  }

  /**
   * Keeps `messages` invisible while work on them is in flight: every `heartbeatIntervalMs` sets their
   * visibility to `heartbeatExtendSeconds` from now (ChangeMessageVisibilityBatch). A message SQS refuses
   * (already deleted, receipt handle expired) is reported to `onError` and dropped from the heartbeat;
   * a failed request is reported and tried again at the next beat. SQS caps the total at 12 hours from
   * the first receive. Returns `stop`; after it resolves no heartbeat request is in flight.
   */
  startHeartbeat(messages: readonly ReceivedMessage[]): () => Promise<void> {
    let alive = [...messages];
    if (alive.length === 0) return async () => {};
    return startHeartbeat({
      intervalMs: this.heartbeatIntervalMs,
      onError: (err) => this.report(toQueueError('ChangeMessageVisibilityBatch', err)),
      beat: async (signal) => {
        const failures = await changeVisibility(this.#queue, alive, this.heartbeatExtendSeconds, signal);
        // Sender faults will not heal by repeating them; server faults might.
        const refused = new Set(failures.filter((f) => !f.error.retryable).map((f) => f.message));
        for (const failure of failures) this.report(failure.error);
        alive = alive.filter((m) => !refused.has(m));
        return alive.length > 0;
      },
    });
  }

  /**
   * Gives messages back to the queue without deleting them, so SQS redelivers them and, after the
   * queue's maxReceiveCount, moves them to the dead-letter queue. Without `retryAfterSeconds` nothing is
   * sent: they reappear when their visibility timeout ends. With it (0 = now) their visibility is set to
   * that. Never throws: failures go to `onError`, and the message reappears on its own anyway.
   */
  async release(
    messages: readonly ReceivedMessage[],
    options: { retryAfterSeconds?: number; signal?: AbortSignal } = {},
  ): Promise<void> {
    const { retryAfterSeconds, signal } = options;
    if (retryAfterSeconds === undefined || messages.length === 0) return;
    requireInteger('retryAfterSeconds', retryAfterSeconds, 0, 43_200);
    try {
      const failures = await changeVisibility(this.#queue, messages, retryAfterSeconds, signal);
      for (const failure of failures) this.report(failure.error);
    } catch (err) {
      if (signal?.aborted) return;
      this.report(toQueueError('ChangeMessageVisibilityBatch', err));
    }
  }

  /**
   * Reads VisibilityTimeout, RedrivePolicy and ApproximateNumberOfMessages.
   * @throws QueueError when the call fails or an attribute cannot be read.
   */
  describeQueue(signal?: AbortSignal): Promise<QueueDescription> {
    return describeQueue(this.client, this.queueUrl, signal);
  }

  private report(err: QueueError): void {
    try {
      this.onError(err);
    } catch {
      // A failing error handler must not break the work that reported to it.
    }
  }
}
