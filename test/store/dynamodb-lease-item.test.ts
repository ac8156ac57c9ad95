/**
 * The DynamoDB store's lease item: adopting a lease a format-1 item still carries on its document item, and
 * the standbys' announcements on the lease item. On dynalite, started here, with a real SDK client.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../src/store/dynamodb-store.ts';
import { VERSION } from '../../src/version.ts';
import { DYNALITE_REGION, startDynalite } from '../helpers/dynalite-server.ts';
import type { RunningDynalite } from '../helpers/dynalite-server.ts';

const TABLE = 'connect-failover-lease-item';
const T0 = Date.parse('2026-12-01T10:00:00.000Z');

let dynamo: RunningDynalite;
const stores: DynamoDbStore[] = [];
let mono: number;
let wall: number;

function openStore(key: string, writer: string): DynamoDbStore {
  const store = new DynamoDbStore({
    client: dynamo.client,
    table: TABLE,
    region: DYNALITE_REGION,
    key,
    writer,
    now: () => wall,
    monotonicNow: () => mono,
  });
  stores.push(store);
  return store;
}

async function rawItem(key: string): Promise<Record<string, AttributeValue> | undefined> {
  return (
    await dynamo.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key } }, ConsistentRead: true }))
  ).Item;
}

/** What the release before the lease item left: the document and the lease on one item (format 1). */
async function putFormat1Item(key: string, lease: { epoch: number; released?: boolean }): Promise<void> {
  await dynamo.client.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: {
        pk: { S: key },
        format: { S: 'connect-failover/state' },
        formatVersion: { N: '1' },
        version: { N: '3' },
        doc: { B: gzipSync(JSON.stringify({ saved: 'by the old release' })) },
        updatedAt: { S: '2026-11-30T10:00:00.000Z' },
        writer: { S: 'old-host:1' },
        writeId: { S: randomUUID() },
        leaseHolder: { S: 'old-host:1' },
        leaseToken: { S: 'old-token' },
        leaseHost: { S: 'old-host' },
        leasePid: { N: '1' },
        leaseEpoch: { N: String(lease.epoch) },
        leaseRecordVersion: { S: 'old-rv-1' },
        leaseDurationMs: { N: '15000' },
        leaseRenewedAt: { S: '2026-11-30T10:00:00.000Z' },
        leaseReleased: { BOOL: lease.released ?? false },
      },
    }),
  );
}

/** A write as the old release sends it, conditional on its lease attributes on the document item. */
async function oldReleaseWrite(key: string, kind: 'renewal' | 'save'): Promise<string> {
  const condition =
    kind === 'renewal'
      ? 'leaseRecordVersion IN (:rv)'
      : '#version = :v AND leaseToken = :token AND leaseEpoch = :epoch AND leaseReleased = :false AND formatVersion <= :one';
  const values: Record<string, AttributeValue> =
    kind === 'renewal'
      ? { ':rv': { S: 'old-rv-1' }, ':next': { S: 'old-rv-2' } }
      : {
          ':v': { N: '3' },
          ':token': { S: 'old-token' },
          ':epoch': { N: '4' },
          ':false': { BOOL: false },
          ':one': { N: '1' },
          ':next': { S: 'old save' },
        };
  try {
    await dynamo.client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { pk: { S: key } },
        UpdateExpression: kind === 'renewal' ? 'SET leaseRecordVersion = :next' : 'SET writer = :next',
        ConditionExpression: condition,
        ...(kind === 'save' ? { ExpressionAttributeNames: { '#version': 'version' } } : {}),
        ExpressionAttributeValues: values,
      }),
    );
    return 'landed';
  } catch (error) {
    return (error as Error).name;
  }
}

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createTable(TABLE);
});
afterAll(async () => dynamo.close());
beforeEach(() => {
  mono = 0;
  wall = T0;
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

describe('adopting a format-1 item (the lease on the document item)', () => {
  it('waits the old lease out like any other, then takes it at the next epoch and fences the old release out', async () => {
    // Prepare
    const key = randomUUID();
    await putFormat1Item(key, { epoch: 4 });
    const standby = openStore(key, 'new');

    // Act
    const first = await standby.acquireLease(15_000);
    // The old leader renews: the count starts again.
    expect(await oldReleaseWrite(key, 'renewal')).toBe('landed');
    mono += 15_000;
    const afterRenewal = await standby.acquireLease(15_000);
    mono += 15_000;
    const taken = await standby.acquireLease(15_000);
    const item = await rawItem(key);

    // Assess
    expect(first).toMatchObject({ held: false, holder: 'old-host:1', epoch: 4, host: 'old-host' });
    expect(afterRenewal).toMatchObject({ held: false, holder: 'old-host:1' });
    expect(taken).toMatchObject({ held: true, holder: 'new', epoch: 5 });
    expect(Object.keys(item ?? {}).filter((name) => name.startsWith('lease'))).toEqual([]);
    expect(item).toMatchObject({ formatVersion: { N: '2' }, fenceEpoch: { N: '5' }, version: { N: '3' } });
    expect(await standby.load()).toMatchObject({ version: 3, data: { saved: 'by the old release' } });
    // The old release's leader, should it wake, can neither renew nor save.
    expect(await oldReleaseWrite(key, 'renewal')).toBe('ConditionalCheckFailedException');
    expect(await oldReleaseWrite(key, 'save')).toBe('ConditionalCheckFailedException');
    expect(await standby.save({ saved: 'by the new release' }, 3)).toBe(4);
  });

  it('takes a released format-1 lease at once', async () => {
    // Prepare
    const key = randomUUID();
    await putFormat1Item(key, { epoch: 2, released: true });

    // Act
    const taken = await openStore(key, 'new').acquireLease(15_000);

    // Assess
    expect(taken).toMatchObject({ held: true, holder: 'new', epoch: 3 });
    expect(await openStore(key, 'reader').readLease()).toMatchObject({ holder: 'new', epoch: 3, released: false });
  });

  it('lets exactly one of several standbys adopt it', async () => {
    // Prepare
    const key = randomUUID();
    await putFormat1Item(key, { epoch: 4 });
    const standbys = ['b', 'c', 'd'].map((writer) => openStore(key, writer));
    for (const standby of standbys) await standby.acquireLease(15_000);
    mono += 15_000;

    // Act
    const claims = await Promise.all(standbys.map((standby) => standby.acquireLease(15_000)));

    // Assess
    expect(claims.filter((claim) => claim.held)).toHaveLength(1);
    const winner = claims.find((claim) => claim.held)!.holder;
    for (const claim of claims) expect(claim).toMatchObject({ holder: winner, epoch: 5 });
  });

  it('after an adoption cut short (fence written, no lease item), the next take-over passes the fence', async () => {
    // Prepare: the document as an adopter that died between its two writes left it.
    const key = randomUUID();
    await dynamo.client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          pk: { S: key },
          format: { S: 'connect-failover/state' },
          formatVersion: { N: '2' },
          fenceEpoch: { N: '7' },
        },
      }),
    );
    const store = openStore(key, 'next');

    // Act
    const taken = await store.acquireLease(15_000);
    const version = await store.save({ n: 1 }, 0);

    // Assess
    expect(taken).toMatchObject({ held: true, epoch: 8 });
    expect(version).toBe(1);
    expect((await rawItem(key))?.fenceEpoch).toEqual({ N: '8' });
  });
});

describe('standbys announce themselves on the lease item', () => {
  it('names every standby (not the holder) with host, pid, version and when it was last seen', async () => {
    // Prepare
    const key = randomUUID();
    const leader = openStore(key, 'leader');
    await leader.acquireLease(15_000);
    const [s1, s2] = [openStore(key, 'standby-1'), openStore(key, 'standby-2')];

    // Act
    await s1.acquireLease(15_000);
    wall += 1_000;
    await s2.acquireLease(15_000);
    const seen = await openStore(key, 'status').readLease();

    // Assess: newest first.
    expect(seen).toMatchObject({ holder: 'leader' });
    expect(seen?.standbys).toEqual([
      {
        writer: 'standby-2',
        host: expect.any(String),
        pid: process.pid,
        version: VERSION,
        lastSeen: new Date(T0 + 1_000).toISOString(),
        leaseDurationMs: 15_000,
      },
      expect.objectContaining({ writer: 'standby-1', lastSeen: new Date(T0).toISOString() }),
    ]);
  });

  it('announces again once per lease duration, and drops the entry on a stop or a take-over', async () => {
    // Prepare
    const key = randomUUID();
    const leader = openStore(key, 'leader');
    await leader.acquireLease(15_000);
    const [s1, s2] = [openStore(key, 'standby-1'), openStore(key, 'standby-2')];
    const reader = openStore(key, 'status');
    await s1.acquireLease(15_000);
    await s2.acquireLease(15_000);

    // Act
    mono += 5_000;
    wall += 5_000;
    await s1.acquireLease(15_000);
    const between = (await reader.readLease())?.standbys?.find((s) => s.writer === 'standby-1')?.lastSeen;
    mono += 10_000;
    wall += 10_000;
    await leader.acquireLease(15_000);
    await s1.acquireLease(15_000);
    const again = (await reader.readLease())?.standbys?.find((s) => s.writer === 'standby-1')?.lastSeen;
    await s2.releaseLease();
    const afterStop = (await reader.readLease())?.standbys?.map((s) => s.writer);
    await leader.releaseLease();
    const taken = await s1.acquireLease(15_000);
    const afterTakeOver = await reader.readLease();

    // Assess
    expect(between).toBe(new Date(T0).toISOString());
    expect(again).toBe(new Date(T0 + 15_000).toISOString());
    expect(afterStop).toEqual(['standby-1']);
    expect(taken).toMatchObject({ held: true, holder: 'standby-1' });
    expect(afterTakeOver).toMatchObject({ holder: 'standby-1', standbys: [] });
  });

  it('forgets an entry not renewed for ten lease durations at the next announcement', async () => {
    // Prepare: a standby that died without a stop.
    const key = randomUUID();
    const leader = openStore(key, 'leader');
    await leader.acquireLease(15_000);
    await openStore(key, 'died').acquireLease(15_000);
    const live = openStore(key, 'live');
    await live.acquireLease(15_000);

    // Act: the first announcement after the entry aged past ten durations removes it.
    wall += 150_001;
    mono += 15_000;
    await leader.acquireLease(15_000);
    await live.acquireLease(15_000);
    const seen = await openStore(key, 'status').readLease();

    // Assess
    expect(seen?.standbys?.map((s) => s.writer)).toEqual(['live']);
  });
});
