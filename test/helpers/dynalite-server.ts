/**
 * dynalite (a DynamoDB-compatible server from npm, in memory) started by the test itself on 127.0.0.1 and
 * a free port, with a real SDK client pointed at it.
 */
import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { AwsClientSettings } from '../../src/aws/client-settings.ts';
import { createDynamoDbClient } from '../../src/store/dynamodb-client.ts';
import { ensureTable } from '../../src/store/dynamodb-table.ts';

export const DYNALITE_REGION = 'us-west-2';
/** dynalite checks that requests are signed, not by whom. */
export const DYNALITE_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret' };

export interface RunningDynalite {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** The settings that point this project's clients at it. */
  aws: AwsClientSettings;
  /** A client made by the store's own factory, pointed at it; destroyed by `close`. */
  client: DynamoDBClient;
  /** The operation of every request served, in order (`GetItem`, `UpdateItem`, …); tests may clear it. */
  operations: string[];
  /** Creates a table the way `init-store` does. */
  createTable(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts dynalite; tables are ACTIVE at once unless `createTableMs` says how long they stay CREATING. */
export async function startDynalite(options: { createTableMs?: number } = {}): Promise<RunningDynalite> {
  const server = dynalite({ createTableMs: options.createTableMs ?? 0, deleteTableMs: 0, updateTableMs: 0 });
  const operations: string[] = [];
  // The JSON protocol names the operation in a header: `DynamoDB_20120810.GetItem`.
  server.prependListener('request', (request) => {
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string') operations.push(target.slice(target.indexOf('.') + 1));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const aws: AwsClientSettings = { endpoints: { dynamodb: endpoint }, credentials: DYNALITE_CREDENTIALS };
  const client = createDynamoDbClient({ region: DYNALITE_REGION, aws });
  return {
    endpoint,
    aws,
    client,
    operations,
    async createTable(name) {
      await ensureTable({ client, table: name, region: DYNALITE_REGION });
    },
    async close() {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
