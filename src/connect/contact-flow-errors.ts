/**
 * The one error of the contact-flow reads: what failed, where, and why (denied, not found, throttled, …),
 * wrapped once from whatever the SDK threw.
 */
import {
  CREDENTIAL_PROVIDER_ERRORS,
  NETWORK_ERROR_CODES,
  THROTTLING_CODES,
  TIMEOUT_CODES,
} from '../aws/error-codes.ts';
import { ConnectFailoverError } from '../errors.ts';

/** The reads this module makes, by their API names (and IAM actions, `connect:<name>`). */
export type ContactFlowReadOperation =
  | 'ListContactFlows'
  | 'DescribeContactFlow'
  | 'ListContactFlowModules'
  | 'DescribeContactFlowModule'
  | 'ListLambdaFunctions'
  | 'ListBots';

/**
 * Why a read failed: `denied` (403: IAM), `notFound` (404: no such instance), `throttled`, `server` (5xx),
 * `unreachable` (network error or no answer in time), `client` (other 4xx, missing credentials), `aborted`.
 */
export type ContactFlowReadFailure =
  'denied' | 'notFound' | 'throttled' | 'server' | 'unreachable' | 'client' | 'aborted';

/** One read of an instance's flows or integrations failed (after the SDK's retries). Wrapped once, here. */
export class ContactFlowReadError extends ConnectFailoverError {
  readonly operation: ContactFlowReadOperation;
  readonly region: string;
  /** HTTP status; undefined when no answer arrived. */
  readonly status: number | undefined;
  /** Error name, e.g. `AccessDeniedException`, `TimeoutError`, `ECONNREFUSED`. */
  readonly code: string;
  readonly failure: ContactFlowReadFailure;

  constructor(
    message: string,
    details: {
      operation: ContactFlowReadOperation;
      region: string;
      status: number | undefined;
      code: string;
      failure: ContactFlowReadFailure;
      cause: unknown;
    },
  ) {
    super(`${details.operation} in ${details.region}: ${message}`, {
      retryable: details.failure === 'throttled' || details.failure === 'server' || details.failure === 'unreachable',
      cause: details.cause,
    });
    this.operation = details.operation;
    this.region = details.region;
    this.status = details.status;
    this.code = details.code;
    this.failure = details.failure;
  }
}

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** Wraps whatever one read threw into a {@link ContactFlowReadError} (one passes through unchanged). */
export function toReadError(
  operation: ContactFlowReadOperation,
  region: string,
  err: unknown,
  signal?: AbortSignal,
): ContactFlowReadError {
  if (err instanceof ContactFlowReadError) return err;
  const shape: SdkErrorShape = typeof err === 'object' && err !== null ? (err as SdkErrorShape) : {};
  const name = typeof shape.name === 'string' && shape.name !== '' ? shape.name : 'Error';
  const nodeCode = typeof shape.code === 'string' && shape.code !== '' ? shape.code : undefined;
  const rawStatus = shape.$metadata?.httpStatusCode;
  const status = typeof rawStatus === 'number' ? rawStatus : undefined;
  const failure = failureOf(name, nodeCode, status, signal?.aborted === true);
  const code = failure === 'unreachable' && nodeCode !== undefined ? nodeCode : name;
  const message = typeof shape.message === 'string' && shape.message !== '' ? shape.message : String(err);
  return new ContactFlowReadError(`${code}${status === undefined ? '' : ` (HTTP ${status})`}: ${message}`, {
    operation,
    region,
    status,
    code,
    failure,
    cause: err,
  });
}

function failureOf(
  name: string,
  nodeCode: string | undefined,
  status: number | undefined,
  aborted: boolean,
): ContactFlowReadFailure {
  if (name === 'AbortError' || aborted) return 'aborted';
  if (status === 403 || name === 'AccessDeniedException') return 'denied';
  if (status === 404 || name === 'ResourceNotFoundException') return 'notFound';
  if (status === 429 || THROTTLING_CODES.has(name)) return 'throttled';
  if (status !== undefined && status >= 500) return 'server';
  if (status !== undefined && status >= 400) return 'client';
  if (CREDENTIAL_PROVIDER_ERRORS.has(name)) return 'client';
  if (
    (nodeCode !== undefined && NETWORK_ERROR_CODES.has(nodeCode)) ||
    TIMEOUT_CODES.has(name) ||
    (nodeCode !== undefined && TIMEOUT_CODES.has(nodeCode))
  )
    return 'unreachable';
  return status === undefined ? 'unreachable' : 'server';
}
