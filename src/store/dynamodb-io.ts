/**
 * The two calls the DynamoDB store makes, on any item of its table: a strongly consistent GetItem, and an
 * UpdateItem whose refusal by its condition is an answer, not an error.
 */
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { errorCode } from './dynamodb-client.ts';
import { A, type Item } from './dynamodb-item.ts';

/** What an UpdateItem came back with: done (with the item when asked for), or refused by its condition. */
export type UpdateResult = { ok: true; item: Item | undefined } | { ok: false; item: Item | undefined };

export class DynamoDbItems {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  /** Every read is strongly consistent: a standby must see the latest record version, a save the latest version. */
  async get(
    key: string,
    signal: AbortSignal | undefined,
    projection?: { expression: string; names: Record<string, string> },
  ): Promise<Item | undefined> {
    signal?.throwIfAborted();
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { [A.key]: { S: key } },
        ConsistentRead: true,
        ...(projection
          ? { ProjectionExpression: projection.expression, ExpressionAttributeNames: projection.names }
          : {}),
      }),
      { abortSignal: signal },
    );
    return out.Item;
  }

  async update(
    key: string,
    input: Omit<UpdateItemCommandInput, 'TableName' | 'Key'>,
    signal: AbortSignal | undefined,
  ): Promise<UpdateResult> {
    signal?.throwIfAborted();
    try {
      const out = await this.client.send(
        new UpdateItemCommand({ TableName: this.table, Key: { [A.key]: { S: key } }, ...input }),
        { abortSignal: signal },
      );
      return { ok: true, item: out.Attributes };
    } catch (error) {
      if (errorCode(error) !== 'ConditionalCheckFailedException') throw error;
      return { ok: false, item: (error as { Item?: Item }).Item };
    }
  }
}
