/**
 * Creating the DynamoDB store's table (`connect-failover init-store`): on-demand, partition key `pk`
 * (string), deletion protection and point-in-time recovery on. Idempotent: an existing table with the
 * right key is left as it is (only point-in-time recovery is turned on when off).
 */
import {
  CreateTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  UpdateContinuousBackupsCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient, TableDescription } from '@aws-sdk/client-dynamodb';
import { setTimeout as delay } from 'node:timers/promises';
import { ConfigError } from '../errors.ts';
import { errorCode, toStoreError } from './dynamodb-client.ts';
import { PARTITION_KEY } from './dynamodb-item.ts';

/** What became of point-in-time recovery. */
export type PitrOutcome =
  | { state: 'enabled' }
  | { state: 'already-enabled' }
  /** The endpoint does not know the operation (dynalite, some emulators): nothing to turn on. */
  | { state: 'unsupported'; detail: string }
  /** AWS refused (e.g. AccessDenied): the table is usable without it, but someone should turn it on. */
  | { state: 'failed'; detail: string };

/** What {@link ensureTable} found or did. */
export interface EnsureTableResult {
  table: string;
  region: string;
  /** True when this call created the table; false when it existed (or another caller created it at once). */
  created: boolean;
  /** `PAY_PER_REQUEST` (on-demand) for a table created here; whatever an existing table has. */
  billingMode: string;
  pitr: PitrOutcome;
}

/** Options of {@link ensureTable}. */
export interface EnsureTableOptions {
  client: DynamoDBClient;
  table: string;
  /** The client's Region, for messages. */
  region: string;
  signal?: AbortSignal | undefined;
  /** The longest wait for the table to become ACTIVE, and for PITR to become available on it, in s. Default 30. */
  maxWaitSeconds?: number;
}

const PITR_UNSUPPORTED = new Set(['UnknownOperationException', 'UnrecognizedClientException', 'NotImplemented']);

/**
 * Creates the table if it is missing and waits until it is ACTIVE; checks that its key is what the store
 * needs (else `ConfigError` on `store.table`); turns point-in-time recovery on. SDK errors come back as
 * `StoreError`s (AccessDenied is terminal and says which call was refused).
 */
export async function ensureTable(options: EnsureTableOptions): Promise<EnsureTableResult> {
  const { client, table, region, signal } = options;
  const location = `dynamodb table ${table} (${region})`;
  const maxWaitTime = options.maxWaitSeconds ?? 30;
  const send = async <T>(action: string, call: () => Promise<T>): Promise<T> => {
    signal?.throwIfAborted();
    try {
      return await call();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw Object.assign(toStoreError(error, action, location, { table, region }) as object, {
        code: errorCode(error),
      });
    }
  };

  let created = false;
  let description = await send('describe the table', () =>
    client.send(new DescribeTableCommand({ TableName: table }), { abortSignal: signal }),
  )
    .then((out) => out.Table)
    .catch((error: unknown) => {
      // A missing table surfaces as StoreTableMissingError: the one case this command exists for.
      if ((error as { code?: string }).code === 'ResourceNotFoundException') return undefined;
      throw error;
    });
  if (!description) {
    try {
      await send('create the table', () =>
        client.send(
          new CreateTableCommand({
            TableName: table,
            AttributeDefinitions: [{ AttributeName: PARTITION_KEY, AttributeType: 'S' }],
            KeySchema: [{ AttributeName: PARTITION_KEY, KeyType: 'HASH' }],
            BillingMode: 'PAY_PER_REQUEST',
            // The table is the decision history and the lease of every group in it: no accidental delete.
            DeletionProtectionEnabled: true,
          }),
          { abortSignal: signal },
        ),
      );
      created = true;
    } catch (error) {
      // Another init-store (or a deploy) created it in between: fine, it is waited for and checked below.
      if ((error as { code?: string }).code !== 'ResourceInUseException') throw error;
    }
  }
  if (!description || description.TableStatus !== 'ACTIVE') {
    const waited = await send('wait for the table', () =>
      waitUntilTableExists(
        { client, minDelay: 1, maxWaitTime, ...(signal ? { abortSignal: signal } : {}) },
        { TableName: table },
      ),
    );
    description =
      waited.final?.Table ??
      (
        await send('describe the table', () =>
          client.send(new DescribeTableCommand({ TableName: table }), { abortSignal: signal }),
        )
      ).Table;
  }
  assertUsableKey(description, table);
  const pitr = await enablePointInTimeRecovery(client, table, signal, maxWaitTime, send);
  return {
    table,
    region,
    created,
    billingMode: description?.BillingModeSummary?.BillingMode ?? (created ? 'PAY_PER_REQUEST' : 'PROVISIONED'),
    pitr,
  };
}

/** The store reads and writes `pk` (a string) alone: any other key schema is another application's table. */
function assertUsableKey(description: TableDescription | undefined, table: string): void {
  const keys = description?.KeySchema ?? [];
  const type = description?.AttributeDefinitions?.find((d) => d.AttributeName === PARTITION_KEY)?.AttributeType;
  const usable =
    keys.length === 1 && keys[0]?.AttributeName === PARTITION_KEY && keys[0]?.KeyType === 'HASH' && type === 'S';
  if (usable) return;
  const found = keys.map((k) => `${k.AttributeName} (${k.KeyType})`).join(', ') || 'none';
  throw new ConfigError([
    {
      path: 'store.table',
      message:
        `DynamoDB table "${table}" exists but its key is ${found}; connect-failover needs partition key ${PARTITION_KEY} (string) ` +
        'and no sort key: name a table of its own',
    },
  ]);
}

/**
 * Turns point-in-time recovery on unless it is. A table created a moment ago may answer
 * ContinuousBackupsUnavailableException for a while ("backups are being enabled"): the one error that
 * means "not yet", retried until `maxWaitSeconds`.
 */
async function enablePointInTimeRecovery(
  client: DynamoDBClient,
  table: string,
  signal: AbortSignal | undefined,
  maxWaitSeconds: number,
  send: <T>(action: string, call: () => Promise<T>) => Promise<T>,
): Promise<PitrOutcome> {
  const outcome = (error: unknown): PitrOutcome => {
    const code = (error as { code?: string }).code ?? '';
    const detail = (error as Error).message;
    return PITR_UNSUPPORTED.has(code) ? { state: 'unsupported', detail } : { state: 'failed', detail };
  };
  try {
    const current = await send('read point-in-time recovery', () =>
      client.send(new DescribeContinuousBackupsCommand({ TableName: table }), { abortSignal: signal }),
    );
    if (current.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus === 'ENABLED')
      return { state: 'already-enabled' };
  } catch (error) {
    if (signal?.aborted) throw error;
    const seen = outcome(error);
    // An endpoint without the API will not have the update either; a refused read may still allow it.
    if (seen.state === 'unsupported') return seen;
  }
  const deadline = performance.now() + maxWaitSeconds * 1000;
  for (let attempt = 0; ; attempt++) {
    try {
      await send('turn on point-in-time recovery', () =>
        client.send(
          new UpdateContinuousBackupsCommand({
            TableName: table,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
          { abortSignal: signal },
        ),
      );
      return { state: 'enabled' };
    } catch (error) {
      if (signal?.aborted) throw error;
      const notYet = (error as { code?: string }).code === 'ContinuousBackupsUnavailableException';
      const wait = Math.min(5_000, 1_000 * 2 ** attempt);
      if (!notYet || performance.now() + wait > deadline) return outcome(error);
      await delay(wait, undefined, { signal });
    }
  }
}
