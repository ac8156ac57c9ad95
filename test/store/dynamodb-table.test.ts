/**
 * Creating the DynamoDB store's table (`init-store`'s work) on dynalite. dynalite has no point-in-time
 * recovery API (it answers UnknownOperationException) and ignores deletion protection: what is checked
 * here is that the store says so rather than failing, and everything else about the table.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { DynamoDbStore } from '../../src/store/dynamodb-store.ts';
import { ensureTable } from '../../src/store/dynamodb-table.ts';
import { DYNALITE_REGION, startDynalite } from '../helpers/dynalite-server.ts';
import type { RunningDynalite } from '../helpers/dynalite-server.ts';

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => dynamo.close());

const table = () => `cf-${randomUUID().slice(0, 8)}`;

describe('ensureTable', () => {
  it('creates an on-demand table keyed by pk (string), ACTIVE and usable by the store', async () => {
    // Prepare
    const name = table();

    // Act
    const result = await ensureTable({ client: dynamo.client, table: name, region: DYNALITE_REGION });
    const described = (await dynamo.client.send(new DescribeTableCommand({ TableName: name }))).Table;
    const store = new DynamoDbStore({
      client: dynamo.client,
      table: name,
      region: DYNALITE_REGION,
      key: randomUUID(),
      writer: 'w',
    });
    const version = await store.save({ ok: true }, 0);
    await store.close();

    // Assess
    expect(result).toMatchObject({
      table: name,
      region: DYNALITE_REGION,
      created: true,
      billingMode: 'PAY_PER_REQUEST',
    });
    expect(described).toMatchObject({
      TableStatus: 'ACTIVE',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    });
    expect(version).toBe(1);
  });

  it('is idempotent: an existing table is left as it is and reported usable', async () => {
    // Prepare
    const name = table();
    await ensureTable({ client: dynamo.client, table: name, region: DYNALITE_REGION });
    const before = (await dynamo.client.send(new DescribeTableCommand({ TableName: name }))).Table;

    // Act
    const again = await ensureTable({ client: dynamo.client, table: name, region: DYNALITE_REGION });
    const after = (await dynamo.client.send(new DescribeTableCommand({ TableName: name }))).Table;

    // Assess
    expect(again).toMatchObject({ created: false, billingMode: 'PAY_PER_REQUEST' });
    expect(after?.CreationDateTime).toEqual(before?.CreationDateTime);
  });

  it('reports point-in-time recovery as unsupported on an endpoint without the API, and does not fail', async () => {
    // Act
    const result = await ensureTable({ client: dynamo.client, table: table(), region: DYNALITE_REGION });

    // Assess
    expect(result.pitr).toMatchObject({
      state: 'unsupported',
      detail: expect.stringContaining('UnknownOperationException'),
    });
  });

  it('waits for a table that is still CREATING to become ACTIVE', async () => {
    // Prepare: a server that keeps new tables CREATING for a second, as DynamoDB does for a while.
    const slow = await startDynalite({ createTableMs: 1_000 });
    try {
      const name = table();

      // Act
      const result = await ensureTable({ client: slow.client, table: name, region: DYNALITE_REGION });
      const described = (await slow.client.send(new DescribeTableCommand({ TableName: name }))).Table;

      // Assess
      expect(result.created).toBe(true);
      expect(described?.TableStatus).toBe('ACTIVE');
    } finally {
      await slow.close();
    }
  });

  it('refuses a table of another shape as a config error on store.table', async () => {
    // Prepare
    const name = table();
    await dynamo.client.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );

    // Act
    const result = await ensureTable({ client: dynamo.client, table: name, region: DYNALITE_REGION }).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(result).toBeInstanceOf(ConfigError);
    expect(result).toMatchObject({
      issues: [{ path: 'store.table', message: expect.stringContaining('its key is id (HASH)') }],
    });
  });
});
