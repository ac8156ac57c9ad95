import {
  CLOCK_SKEW_CODES,
  CREDENTIAL_PROVIDER_ERRORS,
  EXPIRED_CREDENTIAL_CODES,
  NETWORK_ERROR_CODES,
  THROTTLING_CODES,
  TIMEOUT_CODES,
} from '../aws/error-codes.ts';
import { QueueError } from '../errors.ts';

/**
 * Codes worth another receive: throttling (SQS answers some with HTTP 400), failures below HTTP, and
 * credential problems that fix themselves (a rotated role session, a clock that drifted). Denied
 * permissions need someone to change IAM, so they stay terminal.
 */
const RETRYABLE_CODE_SETS = [
  THROTTLING_CODES,
  NETWORK_ERROR_CODES,
  TIMEOUT_CODES,
  CREDENTIAL_PROVIDER_ERRORS,
  EXPIRED_CREDENTIAL_CODES,
  CLOCK_SKEW_CODES,
];

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
  if (RETRYABLE_CODE_SETS.some((codes) => codes.has(code))) return true;
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
