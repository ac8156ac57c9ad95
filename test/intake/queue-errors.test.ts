import { describe, expect, it } from 'vitest';
import { ConnectFailoverError, QueueError } from '../../src/errors.ts';
import { toQueueError } from '../../src/intake/queue-errors.ts';

/** The shape the AWS SDK gives a service error: name, message, $fault and $metadata. */
function serviceError(name: string, status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, attempts: 1 },
    ...extra,
  });
}

describe('toQueueError', () => {
  it.each([
    ['throttling SQS answers with 400', serviceError('RequestThrottled', 400), true],
    ['throttling with 429', serviceError('ThrottlingException', 429), true],
    ['a server error', serviceError('InternalError', 500), true],
    ['an expired session token', serviceError('ExpiredToken', 403), true],
    [
      'credentials the provider chain could not load',
      Object.assign(new Error('no creds'), { name: 'CredentialsProviderError' }),
      true,
    ],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', $metadata: { attempts: 1 } }),
      true,
    ],
    ['an error the SDK marks retryable', serviceError('SomethingTransient', 400, { $retryable: {} }), true],
    ['a missing queue', serviceError('QueueDoesNotExist', 400), false],
    ['denied permissions', serviceError('AccessDenied', 403), false],
  ])('classifies %s (retryable: %s)', (_label, err, retryable) => {
    // Act
    const wrapped = toQueueError('ReceiveMessage', err);

    // Assess
    expect(wrapped.retryable).toBe(retryable);
    expect(wrapped.cause).toBe(err);
  });

  it('keeps the code, status and message of an SDK error and names the operation', () => {
    // Prepare
    const err = serviceError('QueueDoesNotExist', 400);

    // Act
    const wrapped = toQueueError('DeleteMessageBatch', err);

    // Assess
    expect(wrapped).toBeInstanceOf(ConnectFailoverError);
    expect(wrapped).toMatchObject({
      name: 'QueueError',
      operation: 'DeleteMessageBatch',
      code: 'QueueDoesNotExist',
      status: 400,
      message: 'DeleteMessageBatch: QueueDoesNotExist happened',
    });
  });

  it('takes the Node code of a network error, which has no status', () => {
    // Act
    const wrapped = toQueueError('ReceiveMessage', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));

    // Assess
    expect(wrapped).toMatchObject({ code: 'ECONNRESET', status: undefined, retryable: true });
  });

  it('wraps only once', () => {
    // Prepare
    const original = new QueueError('ReceiveMessage', 'first', { code: 'X', retryable: true });

    // Act
    const wrapped = toQueueError('Other', original);

    // Assess
    expect(wrapped).toBe(original);
  });

  it('wraps a thrown non-error value', () => {
    // Act
    const wrapped = toQueueError('ReceiveMessage', 'boom');

    // Assess
    expect(wrapped).toMatchObject({ code: 'Unknown', message: 'ReceiveMessage: boom', retryable: false });
  });
});
