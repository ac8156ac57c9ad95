/**
 * The DynamoDB client the store and `init-store` use, and the one place SDK errors become store errors.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { clientOptions } from '../aws/client-settings.ts';
import type { AwsClientSettings } from '../aws/client-settings.ts';
import {
  CLOCK_SKEW_CODES,
  CREDENTIAL_PROVIDER_ERRORS,
  EXPIRED_CREDENTIAL_CODES,
  NETWORK_ERROR_CODES,
  THROTTLING_CODES,
  TIMEOUT_CODES,
} from '../aws/error-codes.ts';
import { ConnectFailoverError, StoreError, StoreTableMissingError } from '../errors.ts';

/** Per-request timeout (connecting included) when none is given: 2 s. */
export const DEFAULT_DYNAMODB_REQUEST_TIMEOUT_MS = 2_000;

/** Options of {@link createDynamoDbClient}. */
export interface DynamoDbClientOptions {
  /** The table's Region. */
  region: string;
  /**
   * Endpoint and credentials, when not the SDK's standard chain (which reads `AWS_ENDPOINT_URL_DYNAMODB`,
   * profiles and roles). Default: the standard chain.
   */
  aws?: AwsClientSettings | undefined;
  /**
   * Per attempt, connecting included, in ms. Default {@link DEFAULT_DYNAMODB_REQUEST_TIMEOUT_MS}. The SDK
   * makes up to 3 attempts (its standard retry), so one call takes at most about 3 × this plus backoff.
   */
  requestTimeoutMs?: number | undefined;
}

/**
 * A DynamoDB client with request timeouts. The endpoint is left to the SDK unless `aws` names one, so
 * `AWS_ENDPOINT_URL_DYNAMODB` keeps working (the contract). The SDK's own retry stays on: every write
 * the store sends is idempotent under a retry (see the condition expressions in dynamodb-store.ts).
 */
export function createDynamoDbClient(options: DynamoDbClientOptions): DynamoDBClient {
  const timeout = options.requestTimeoutMs ?? DEFAULT_DYNAMODB_REQUEST_TIMEOUT_MS;
  if (!(Number.isFinite(timeout) && timeout > 0)) throw new RangeError(`requestTimeoutMs must be > 0, got ${timeout}`);
  return new DynamoDBClient({
    region: options.region,
    // throwOnRequestTimeout: without it the SDK only logs a warning when requestTimeout passes.
    requestHandler: { connectionTimeout: timeout, requestTimeout: timeout, throwOnRequestTimeout: true },
    ...clientOptions(options.aws, 'dynamodb'),
  });
}

/** DynamoDB's codes for "too much at once": retry later. */
const DYNAMODB_RETRYABLE_CODES = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'LimitExceededException',
]);

/** The SDK or Node error's code: the service's error name, or Node's `code`. */
export function errorCode(error: unknown): string {
  const e = error as { name?: unknown; code?: unknown } | undefined;
  if (typeof e?.code === 'string' && e.code !== '') return e.code;
  return typeof e?.name === 'string' ? e.name : 'Error';
}

/**
 * Wraps an SDK error once, at the store's boundary: a missing table becomes `StoreTableMissingError` (a
 * config error: exit 2, naming `init-store`); anything else a `StoreError` keeping the code and cause,
 * retryable when waiting can help (throttling, 5xx, timeouts, the network, expired credentials), terminal
 * when someone must act (no credentials at all, AccessDenied, a validation error).
 * Errors that are already ours pass through.
 */
export function toStoreError(
  error: unknown,
  action: string,
  location: string,
  table: { table: string; region: string },
): unknown {
  if (error instanceof ConnectFailoverError) return error;
  const code = errorCode(error);
  if (code === 'ResourceNotFoundException')
    return new StoreTableMissingError(table.table, table.region, { cause: error });
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  const retryable =
    !CREDENTIAL_PROVIDER_ERRORS.has(code) &&
    (THROTTLING_CODES.has(code) ||
      DYNAMODB_RETRYABLE_CODES.has(code) ||
      TIMEOUT_CODES.has(code) ||
      NETWORK_ERROR_CODES.has(code) ||
      EXPIRED_CREDENTIAL_CODES.has(code) ||
      CLOCK_SKEW_CODES.has(code) ||
      status === undefined ||
      status >= 500);
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError(`${location}: cannot ${action}: ${code}: ${message}`, location, { retryable, cause: error });
}
