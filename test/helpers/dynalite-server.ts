/**
 * dynalite (a DynamoDB-compatible server from npm, in memory or in a LevelDB directory) started by the test
 * itself on 127.0.0.1 and a free port (or a given one, to come back where it was), with a real SDK client
 * pointed at it.
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

/** One request dynalite served, as the split-brain checkers read them. */
export interface DynaliteRequest {
  /** The operation (`GetItem`, `UpdateItem`, …). */
  operation: string;
  /** This process's `Date.now()` when the request arrived: the earliest moment it can have taken effect. */
  arrivedAt: number;
  /** The JSON body as sent. */
  body: Record<string, unknown>;
  /** The HTTP status of the answer (200: done; 400 with a ConditionalCheckFailedException: refused). */
  status: number;
  /** The signing time the client sent (`x-amz-date`, e.g. `20261201T101500Z`): the sender's wall clock. */
  amzDate: string | undefined;
}

export interface DynaliteOptions {
  /** How long tables stay CREATING (default 0: ACTIVE at once). */
  createTableMs?: number;
  /** A LevelDB directory: the data survive `close` and a new server on the same path. Default: in memory. */
  path?: string;
  /** The port to listen on (default 0: a free one); a restarted server passes the old one. */
  port?: number;
  /** Where to append every request served (default: a fresh list); a restarted server passes the old one. */
  requests?: DynaliteRequest[];
}

export interface RunningDynalite {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** The settings that point this project's clients at it. */
  aws: AwsClientSettings;
  /** A client made by the store's own factory, pointed at it; destroyed by `close`. */
  client: DynamoDBClient;
  /** The operation of every request served, in order (`GetItem`, `UpdateItem`, …); tests may clear it. */
  operations: string[];
  /** Every request served, with its body and status, in the order the answers went out. */
  requests: DynaliteRequest[];
  /** The bound port. */
  port: number;
  /** Creates a table the way `init-store` does. */
  createTable(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts dynalite; tables are ACTIVE at once unless `createTableMs` says how long they stay CREATING. */
export async function startDynalite(options: DynaliteOptions = {}): Promise<RunningDynalite> {
  const server = dynalite({
    createTableMs: options.createTableMs ?? 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  const operations: string[] = [];
  const requests = options.requests ?? [];
  // The JSON protocol names the operation in a header: `DynamoDB_20120810.GetItem`. Prepended, so the
  // arrival time is taken before dynalite does anything, and the body is read alongside dynalite's own
  // reader (both 'data' listeners see every chunk).
  server.prependListener('request', (request, response) => {
    const target = request.headers['x-amz-target'];
    if (typeof target !== 'string') return;
    const operation = target.slice(target.indexOf('.') + 1);
    operations.push(operation);
    const arrivedAt = Date.now();
    const amzDate = request.headers['x-amz-date'];
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.once('finish', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        // An unreadable body is recorded empty; dynalite refused it anyway.
      }
      requests.push({
        operation,
        arrivedAt,
        body,
        status: response.statusCode,
        amzDate: typeof amzDate === 'string' ? amzDate : undefined,
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  const aws: AwsClientSettings = { endpoints: { dynamodb: endpoint }, credentials: DYNALITE_CREDENTIALS };
  const client = createDynamoDbClient({ region: DYNALITE_REGION, aws });
  return {
    endpoint,
    aws,
    client,
    operations,
    requests,
    port,
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
