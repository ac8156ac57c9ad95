/** Builds the configured store. The only place that knows which store types exist. */
import { hostname } from 'node:os';
import type { AwsClientSettings } from '../aws/client-settings.ts';
import type { StoreConfig } from '../config/types.ts';
import { DynamoDbStore } from './dynamodb-store.ts';
import { FileStore } from './file-store.ts';
import type { StateStore } from './store.ts';

/** A writer name unique per process, so store and lease records say who wrote them. */
export function defaultWriter(): string {
  return `${hostname()}:${process.pid}`;
}

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** Names this process in what it writes. Default {@link defaultWriter} (`host:pid`). */
  writer?: string;
  /** Endpoint and credentials for the DynamoDB store. Default: the SDK's standard chain (`AWS_ENDPOINT_URL_DYNAMODB` works). */
  aws?: AwsClientSettings | undefined;
}

/**
 * The store the config names: the file store, or the DynamoDB store on this group's item (`store.key`).
 * Opening does no I/O; a missing DynamoDB table shows at the first call, as `StoreTableMissingError`.
 */
export function openStore(config: StoreConfig, options: OpenStoreOptions = {}): StateStore {
  const writer = options.writer ?? defaultWriter();
  if (config.type === 'file') return new FileStore({ path: config.path, writer });
  return new DynamoDbStore({ table: config.table, region: config.region, key: config.key, writer, aws: options.aws });
}
