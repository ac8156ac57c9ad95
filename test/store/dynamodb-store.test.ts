/**
 * What only the DynamoDB store has: one table for several groups, the item layout, the size bound, the
 * missing table, foreign items, and how many calls each operation costs. On dynalite, started here, with
 * a real SDK client. The store contract itself (versions, lease, fencing) is in state-store-contract.test.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COMMAND_IDS_LIMIT, HISTORY_LIMIT, emptyDocument } from '../../src/controller/document.ts';
import type { HistoryEntry } from '../../src/controller/document.ts';
import {
  ConfigError,
  StoreCorruptError,
  StoreDocumentTooLargeError,
  StoreFormatError,
  StoreTableMissingError,
} from '../../src/errors.ts';
import { MAX_DOCUMENT_BYTES, compressDocument } from '../../src/store/dynamodb-item.ts';
import { DynamoDbStore } from '../../src/store/dynamodb-store.ts';
import { DYNALITE_REGION, startDynalite } from '../helpers/dynalite-server.ts';
import type { RunningDynalite } from '../helpers/dynalite-server.ts';

const TABLE = 'connect-failover-dynamodb';

let dynamo: RunningDynalite;
const stores: DynamoDbStore[] = [];
let mono: number;

function openStore(key: string, writer: string, table = TABLE): DynamoDbStore {
  const store = new DynamoDbStore({
    client: dynamo.client,
    table,
    region: DYNALITE_REGION,
    key,
    writer,
    monotonicNow: () => mono,
  });
  stores.push(store);
  return store;
}

async function rawItem(key: string): Promise<Record<string, unknown> | undefined> {
  return (
    await dynamo.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key } }, ConsistentRead: true }))
  ).Item;
}

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createTable(TABLE);
});
afterAll(async () => dynamo.close());
beforeEach(() => {
  mono = 0;
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

describe('the DynamoDB store', () => {
  it('keeps the document and the lease of each group in its own item of one table', async () => {
    // Prepare
    const [first, second] = [randomUUID(), randomUUID()];
    const a = openStore(first, 'a');
    const b = openStore(second, 'b');

    // Act
    await a.acquireLease(15_000);
    await a.save({ group: 1 }, 0);
    const bClaim = await b.acquireLease(15_000);
    const bVersion = await b.save({ group: 2 }, 0);

    // Assess: neither group sees the other's document, version or lease.
    expect(bClaim).toMatchObject({ held: true, holder: 'b', epoch: 1 });
    expect(bVersion).toBe(1);
    expect(await openStore(first, 'reader').load()).toMatchObject({ version: 1, data: { group: 1 } });
    expect(await openStore(second, 'reader').load()).toMatchObject({ version: 1, data: { group: 2 } });
    expect(await openStore(first, 'reader').readLease()).toMatchObject({ holder: 'a', epoch: 1 });
    const keys = (await dynamo.client.send(new ScanCommand({ TableName: TABLE }))).Items?.map((item) => item.pk?.S);
    expect(keys).toEqual(expect.arrayContaining([first, second]));
  });

  it('lays the items out as documented: the document gzip-compressed with its fence, the lease in an item of its own', async () => {
    // Prepare
    const key = randomUUID();
    const store = openStore(key, 'writer-1');

    // Act
    const lease = await store.acquireLease(15_000);
    await store.save({ state: 'healthy', n: [1, 2] }, 0);
    const item = (await rawItem(key)) as Record<string, { S?: string; N?: string; B?: Uint8Array; BOOL?: boolean }>;
    const leaseItem = (await rawItem(`${key}#lease`)) as Record<string, unknown>;

    // Assess
    expect(Object.keys(item).sort()).toEqual(
      ['pk', 'format', 'formatVersion', 'version', 'doc', 'updatedAt', 'writer', 'writeId', 'fenceEpoch'].sort(),
    );
    expect(item).toMatchObject({
      pk: { S: key },
      format: { S: 'connect-failover/state' },
      formatVersion: { N: '2' },
      version: { N: '1' },
      writer: { S: 'writer-1' },
      fenceEpoch: { N: '1' },
    });
    expect(JSON.parse(gunzipSync(item.doc!.B!).toString('utf8'))).toEqual({ state: 'healthy', n: [1, 2] });
    expect(leaseItem).toMatchObject({
      pk: { S: `${key}#lease` },
      format: { S: 'connect-failover/lease' },
      holder: { S: 'writer-1' },
      epoch: { N: '1' },
      recordVersion: { S: lease.recordVersion },
      leaseDurationMs: { N: '15000' },
      takenAt: { S: lease.takenAt },
      released: { BOOL: false },
    });
    expect(Object.keys(leaseItem).sort()).toEqual(
      [
        'pk',
        'format',
        'holder',
        'token',
        'host',
        'pid',
        'epoch',
        'recordVersion',
        'leaseDurationMs',
        'renewedAt',
        'takenAt',
        'released',
      ].sort(),
    );
  });

  it('renews without touching the document item, in a write of one unit', async () => {
    // Prepare: a document as large as a realistic one, so a renewal that rewrote it would show.
    const key = randomUUID();
    const store = openStore(key, 'leader');
    await store.acquireLease(15_000);
    await store.save({ blob: randomBytes(30_000).toString('base64') }, 0);
    const before = await rawItem(key);

    // Act
    for (let i = 0; i < 3; i++) await store.acquireLease(15_000);

    // Assess: DynamoDB bills a write by the larger of the item before and after, in 1 KB units.
    expect(await rawItem(key)).toEqual(before);
    const leaseBytes = JSON.stringify(await rawItem(`${key}#lease`)).length;
    expect(leaseBytes).toBeLessThan(1024);
  });

  it('costs a holder one write a renewal, a standby one read a poll and one announcement a lease duration', async () => {
    // Prepare
    const key = randomUUID();
    const leader = openStore(key, 'leader');
    const standby = openStore(key, 'standby');
    await leader.acquireLease(15_000);
    const counted = async (work: () => Promise<unknown>): Promise<string[]> => {
      dynamo.operations.length = 0;
      await work();
      return [...dynamo.operations];
    };

    // Act
    const renewal = await counted(() => leader.acquireLease(15_000));
    const firstPoll = await counted(() => standby.acquireLease(15_000));
    mono += 5_000;
    const poll = await counted(() => standby.acquireLease(15_000));
    mono += 10_000;
    const takeOver = await counted(() => standby.acquireLease(15_000));
    const renewalAfter = await counted(() => standby.acquireLease(15_000));
    const save = await counted(() => standby.save({ n: 1 }, 0));
    const release = await counted(() => standby.releaseLease());

    // Assess: the announcement is the poll's read (UpdateItem returning the item); a take-over writes the
    // lease item, then the fence on the document item.
    expect(renewal).toEqual(['UpdateItem']);
    expect(firstPoll).toEqual(['UpdateItem']);
    expect(poll).toEqual(['GetItem']);
    expect(takeOver).toEqual(['UpdateItem', 'UpdateItem', 'UpdateItem']);
    expect(renewalAfter).toEqual(['UpdateItem']);
    expect(save).toEqual(['UpdateItem']);
    expect(release).toEqual(['UpdateItem']);
  });

  describe('the item size bound', () => {
    it('refuses a document over 350 KiB compressed with StoreDocumentTooLargeError, writing nothing', async () => {
      // Prepare: random bytes do not compress.
      const store = openStore(randomUUID(), 'a');
      const data = { blob: randomBytes(MAX_DOCUMENT_BYTES + 4096).toString('base64') };

      // Act
      const result = await store.save(data, 0).catch((error: unknown) => error);

      // Assess
      expect(result).toBeInstanceOf(StoreDocumentTooLargeError);
      expect(result).toMatchObject({ limitBytes: MAX_DOCUMENT_BYTES, retryable: false });
      expect((result as StoreDocumentTooLargeError).bytes).toBeGreaterThan(MAX_DOCUMENT_BYTES);
      expect(await store.load()).toBeUndefined();
    });

    it("keeps a document just under the bound in one item, within DynamoDB's 400 KB item limit (dynalite enforces it)", async () => {
      // Prepare: a held lease too, so the item carries every attribute it can.
      const key = randomUUID();
      const store = openStore(key, 'a'.repeat(200));
      await store.acquireLease(15_000);
      const data = { blob: randomBytes(MAX_DOCUMENT_BYTES - 8192).toString('base64') };
      const compressed = (await compressDocument(JSON.stringify(data))).byteLength;

      // Act
      const version = await store.save(data, 0);
      const loaded = await openStore(key, 'reader').load();

      // Assess
      expect(compressed).toBeGreaterThan(MAX_DOCUMENT_BYTES - 8192);
      expect(compressed).toBeLessThanOrEqual(MAX_DOCUMENT_BYTES);
      expect(version).toBe(1);
      expect(loaded?.data).toEqual(data);
    });

    it('keeps a full controller document (1,000 history entries, 500 command ids) far below the bound', async () => {
      // Prepare: entries as the controller writes them, each with a full CloudWatch reason.
      const alarms = ['connect-primary-elevated-errors', 'connect-primary-outage', 'connect-replica-outage'];
      const at = (i: number) => new Date(Date.UTC(2026, 10, 1) + i * 97_000).toISOString();
      const history: HistoryEntry[] = Array.from({ length: HISTORY_LIMIT }, (_, i) => ({
        at: at(i),
        kind: (['transition', 'shift', 'command', 'drift'] as const)[i % 4]!,
        region: 'health',
        from: 'healthy',
        to: 'degraded',
        reason:
          `degraded alarm ${alarms[i % 3]} is ALARM: Threshold Crossed: 1 out of the last 1 datapoints [${(i * 7.31) % 100} (${at(i)})] ` +
          'was greater than the threshold (5.0) (minimum 1 datapoint for OK -> ALARM transition).',
        alarms: [alarms[i % 3]!],
        trigger: 'automatic',
        by: `operator${i % 7}@ops-host`,
        sender: `arn:aws:sts::111122223333:assumed-role/connect-failover-operator/user${i % 7}`,
        outcome: 'verified',
        primaryPercent: [100, 50, 0][i % 3]!,
      }));
      const doc = { ...emptyDocument({ value: { health: 'healthy', automation: 'active' }, context: {} }), history };
      doc.commandIds = Array.from({ length: COMMAND_IDS_LIMIT }, () => randomUUID());
      const store = openStore(randomUUID(), 'a');

      // Act
      const compressed = (await compressDocument(JSON.stringify(doc))).byteLength;
      await store.save(doc, 0);

      // Assess: about 30 KB here; a history of 1,000 operator commands with 1,024-character English reasons is ~195 KB.
      expect(compressed).toBeLessThan(64 * 1024);
      expect((await store.load())?.data).toEqual(doc);
    });
  });

  describe('items it cannot use', () => {
    it('refuses an item another application wrote, and never overwrites it', async () => {
      // Prepare
      const key = randomUUID();
      const foreign = { pk: { S: key }, format: { S: 'someone-else' }, version: { N: '1' } };
      await dynamo.client.send(new PutItemCommand({ TableName: TABLE, Item: foreign }));
      const store = openStore(key, 'a');

      // Act
      const load = await store.load().catch((error: unknown) => error);
      const save = await store.save({ mine: true }, 1).catch((error: unknown) => error);

      // Assess
      expect(load).toBeInstanceOf(StoreCorruptError);
      expect((load as Error).message).toContain('not a connect-failover item');
      expect(save).toBeInstanceOf(StoreCorruptError);
      expect(await rawItem(key)).toEqual(foreign);
    });

    it('refuses an item a newer release wrote, and never overwrites it', async () => {
      // Prepare
      const key = randomUUID();
      const newer = {
        pk: { S: key },
        format: { S: 'connect-failover/state' },
        formatVersion: { N: '3' },
        version: { N: '3' },
      };
      await dynamo.client.send(new PutItemCommand({ TableName: TABLE, Item: newer }));
      const store = openStore(key, 'a');

      // Act
      const load = await store.load().catch((error: unknown) => error);
      const save = await store.save({ mine: true }, 3).catch((error: unknown) => error);

      // Assess
      expect(load).toBeInstanceOf(StoreFormatError);
      expect(save).toBeInstanceOf(StoreFormatError);
      expect(await rawItem(key)).toEqual(newer);
    });

    it('refuses a document that is not gzip-compressed JSON', async () => {
      // Prepare
      const key = randomUUID();
      await dynamo.client.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: {
            pk: { S: key },
            format: { S: 'connect-failover/state' },
            formatVersion: { N: '1' },
            version: { N: '1' },
            doc: { B: Buffer.from('{"not":"gzip"}') },
            updatedAt: { S: '2026-11-28T14:00:00.000Z' },
            writer: { S: 'x' },
          },
        }),
      );

      // Act
      const result = await openStore(key, 'a')
        .load()
        .catch((error: unknown) => error);

      // Assess
      expect(result).toBeInstanceOf(StoreCorruptError);
      expect((result as Error).message).toContain('not gzip-compressed JSON');
    });
  });

  it('names init-store when the table does not exist, for every operation, as a config error', async () => {
    // Prepare
    const store = openStore(randomUUID(), 'a', 'no-such-table');

    // Act
    const results = await Promise.all([
      store.load().catch((error: unknown) => error),
      store.save({}, 0).catch((error: unknown) => error),
      store.acquireLease(15_000).catch((error: unknown) => error),
      store.readLease().catch((error: unknown) => error),
      store.probe().catch((error: unknown) => error),
    ]);

    // Assess
    for (const result of results) {
      expect(result).toBeInstanceOf(StoreTableMissingError);
      expect(result).toBeInstanceOf(ConfigError);
      expect(result).toMatchObject({
        table: 'no-such-table',
        region: DYNALITE_REGION,
        issues: [{ path: 'store.table' }],
      });
      expect((result as Error).message).toContain('connect-failover init-store -c FILE');
    }
  });

  it('probes with a read and a write DynamoDB refuses, creating no item and changing none', async () => {
    // Prepare
    const key = randomUUID();
    const store = openStore(key, 'a');
    await store.save({ kept: true }, 0);
    const before = await rawItem(key);
    dynamo.operations.length = 0;

    // Act
    await store.probe();

    // Assess
    expect(dynamo.operations).toEqual(['GetItem', 'UpdateItem']);
    expect(await rawItem(key)).toEqual(before);
    expect(await rawItem(`${key}#probe`)).toBeUndefined();
  });
});
