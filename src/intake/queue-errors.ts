import { QueueError } from '../errors.ts';

/** SQS and STS codes that mean "slow down"; SQS answers some of them with HTTP 400, not 429. */
const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'OverLimit',
  'KmsThrottled',
  'SlowDown',
]);

/**
 * Credential problems that fix themselves: a rotated role session or a clock that drifted back. Denied
 * permissions (AccessDenied) need someone to change IAM, so they stay terminal.
 */
const TRANSIENT_CREDENTIAL_CODES = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
]);

/** Failures below HTTP: no response, or a response cut off. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** The most specific code an SDK or Node error carries. */
function codeOf(err: SdkErrorShape): string {
  if (typeof err.code === 'string' && err.code !== '') return err.code;
  if (typeof err.name === 'string' && err.name !== '' && err.name !== 'Error') return err.name;
  return 'Unknown';
}

function isRetryable(code: string, status: number | undefined, sdkSaysRetryable: boolean): boolean {
  if (sdkSaysRetryable) return true;
  if (THROTTLING_CODES.has(code) || TRANSIENT_CREDENTIAL_CODES.has(code) || NETWORK_CODES.has(code)) return true;
  if (status === undefined) return false;
  return status === 429 || status >= 500;
}

/**
 * Wraps whatever an SQS call threw into one {@link QueueError} (once: a QueueError passes through).
 * Retryable: throttling, 5xx, network failures, timeouts and credentials that refresh on their own.
 */
export function toQueueError(operation: string, err: unknown): QueueError {
  if (err instanceof QueueError) return err;
  if (typeof err !== 'object' || err === null) {
    return new QueueError(operation, String(err), { code: 'Unknown', cause: err });
  }
  const shape = err as SdkErrorShape;
  const code = codeOf(shape);
  const rawStatus = shape.$metadata?.httpStatusCode;
  const status = typeof rawStatus === 'number' ? rawStatus : undefined;
  const message = typeof shape.message === 'string' && shape.message !== '' ? shape.message : code;
  return new QueueError(operation, message, {
    code,
    status,
    retryable: isRetryable(code, status, shape.$retryable !== undefined && shape.$retryable !== null),
    cause: err,
  });
}
