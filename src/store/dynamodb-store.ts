/**
 * The shared store: one DynamoDB item per traffic distribution group (layout in dynamodb-item.ts), so
 * controllers on several hosts and in both Regions share one document and one lease, and any host that
 * can read the table can run `status` and `history`.
 *
 * Every write is one conditional UpdateItem; each condition is explained where it is built. Every read is
 * strongly consistent (a standby must see the latest record version, a save the latest version).
 */
import { randomUUID } from 'node:crypto';
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { AwsClientSettings } from '../aws/client-settings.ts';
import { LeaseLostError, StoreConflictError, StoreDocumentTooLargeError, StoreError } from '../errors.ts';
import { assertExpectedVersion, dataToJson } from './document-data.ts';
import {
  A,
  LEASE_PROJECTION,
  MAX_DOCUMENT_BYTES,
  SET_LEASE,
  compressDocument,
  decodeDocument,
  decodeLease,
  documentValues,
  leaseValues,
  namesIn,
  versionOf,
  type Item,
} from './dynamodb-item.ts';
import { createDynamoDbClient, errorCode, toStoreError } from './dynamodb-client.ts';
import {
  LeaseKeeper,
  assertLeaseDuration,
  fenceBroken,
  monotonicNow,
  type LeaseRecord,
  type LeaseWrite,
} from './lease.ts';
import type { LeaseStatus, StateStore, StoredDocument } from './store.ts';

/** Options of {@link DynamoDbStore}. */
export interface DynamoDbStoreOptions {
  /** The table (`store.table`); `connect-failover init-store` creates it, with partition key `pk` (string). */
  table: string;
  /** The table's Region (`store.region`, default `regions.replica`). */
  region: string;
  /** This group's item: the partition key value (the traffic distribution group's id). */
  key: string;
  /** Names this controller in what it writes (document, lease), e.g. `ip-10-0-0-1:4242`. */
  writer: string;
  /** A client to use (tests, the embedded stack); the store does not destroy it. Default: one of its own. */
  client?: DynamoDBClient;
  /** Endpoint and credentials of the store's own client. Default: the SDK's standard chain. */
  aws?: AwsClientSettings | undefined;
  /** Per-attempt timeout of the store's own client, in ms. Default 2000. */
  requestTimeoutMs?: number | undefined;
  /** Wall clock for `updatedAt` and the lease's `renewedAt`, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Monotonic clock for every lease decision, in milliseconds. Default `performance.now()`. */
  monotonicNow?: () => number;
}

/** What an UpdateItem came back with: done, or refused by its condition (with the item when DynamoDB returns it). */
type UpdateResult = { ok: true } | { ok: false; item: Item | undefined };

/**
 * The state store on DynamoDB. Calls per operation: `load` and `readLease` one GetItem; `save` one
 * UpdateItem (plus one GetItem after a refusal, where the endpoint does not return the refused item);
 * `acquireLease` one UpdateItem for a holder's renewal, one GetItem for a standby that waits, a GetItem
 * and an UpdateItem for a take-over; `releaseLease` one UpdateItem; `probe` one GetItem and one refused
 * UpdateItem.
 */
export class DynamoDbStore implements StateStore {
  readonly #client: DynamoDBClient;
  readonly #ownsClient: boolean;
  readonly #table: string;
  readonly #region: string;
  readonly #key: string;
  readonly #location: string;
  readonly #writer: string;
  readonly #now: () => number;
  readonly #lease: LeaseKeeper;
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Lease operations of this instance run one at a time, so the keeper sees its reads and writes in order. */
  #leaseQueue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: DynamoDbStoreOptions) {
    for (const name of ['table', 'region', 'key', 'writer'] as const) {
      if (typeof options[name] !== 'string' || options[name] === '')
        throw new TypeError(`DynamoDbStore: ${name} must be a non-empty string`);
    }
    this.#table = options.table;
    this.#region = options.region;
    this.#key = options.key;
    this.#writer = options.writer;
    this.#location = `dynamodb table ${options.table} (${options.region}), item ${A.key}=${options.key}`;
    this.#now = options.now ?? Date.now;
    this.#lease = new LeaseKeeper(options.writer, {
      now: this.#now,
      monotonicNow: options.monotonicNow ?? monotonicNow,
    });
    this.#ownsClient = options.client === undefined;
    this.#client =
      options.client ??
      createDynamoDbClient({ region: options.region, aws: options.aws, requestTimeoutMs: options.requestTimeoutMs });
  }

  describe(): string {
    return this.#location;
  }

  load(signal?: AbortSignal): Promise<StoredDocument | undefined> {
    return this.#run('read the state', signal, async () => decodeDocument(await this.#get(signal), this.#location));
  }

  // async: argument errors reject, as in the other stores, rather than throw.
  async save(data: unknown, expectedVersion: number, signal?: AbortSignal): Promise<number> {
    assertExpectedVersion(expectedVersion);
    const json = dataToJson(data, this.#location);
    return this.#run('save the state', signal, async () => {
      const doc = await compressDocument(json);
      if (doc.byteLength > MAX_DOCUMENT_BYTES)
        throw new StoreDocumentTooLargeError(this.#location, doc.byteLength, MAX_DOCUMENT_BYTES);
      const fence = this.#lease.fence;
      const writeId = randomUUID();
      // The condition has three parts:
      // - the version: no document yet (an item may already hold the lease, so not attribute_not_exists(pk)),
      //   or exactly the version the caller loaded;
      // - the fence, once this instance has taken the lease: the item still names this instance's token at
      //   the epoch it took, unreleased. A take-over changes token and epoch; a release sets leaseReleased.
      //   Checked in the same write as the version, so no paused ex-leader can slip a save in between;
      // - the item is ours, in a format this release writes: never overwrite another application's item or
      //   one a newer release wrote (the file store reads before writing for the same reason);
      // - OR this very call's writeId: when the SDK retries a save whose first attempt landed but whose
      //   answer was lost, the retry rewrites the same values instead of failing as a conflict. (Should the
      //   lease have changed hands in between, the retry still only rewrites what the fenced write wrote.)
      const versionCheck = expectedVersion === 0 ? 'attribute_not_exists(#version)' : '#version = :expected';
      const fenceCheck = fence
        ? ' AND #leaseToken = :fenceToken AND #leaseEpoch = :fenceEpoch AND #leaseReleased = :false'
        : '';
      const formatCheck =
        ' AND (attribute_not_exists(#format) OR #format = :format) AND (attribute_not_exists(#formatVersion) OR #formatVersion <= :formatVersion)';
      const condition = `(${versionCheck}${fenceCheck}${formatCheck}) OR #writeId = :writeId`;
      const update =
        'SET #format = :format, #formatVersion = :formatVersion, #version = :next, #doc = :doc, #updatedAt = :updatedAt, #writer = :writer, #writeId = :writeId';
      const result = await this.#update(
        {
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: namesIn(update, condition),
          ExpressionAttributeValues: {
            ...documentValues({
              version: expectedVersion + 1,
              updatedAt: new Date(this.#now()).toISOString(),
              writer: this.#writer,
              doc,
              writeId,
            }),
            ...(expectedVersion === 0 ? {} : { ':expected': { N: String(expectedVersion) } }),
            ...(fence
              ? {
                  ':fenceToken': { S: fence.token },
                  ':fenceEpoch': { N: String(fence.epoch) },
                  ':false': { BOOL: false },
                }
              : {}),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
        signal,
      );
      if (result.ok) return expectedVersion + 1;
      // Refused: tell why from the item as it is now. DynamoDB returns it with the refusal; where an
      // endpoint does not (dynalite), one more read. A lost lease is reported before a moved version.
      const item = result.item ?? (await this.#get(signal, LEASE_PROJECTION));
      // An item not ours, or of a newer format, throws here (StoreCorruptError, StoreFormatError).
      await decodeDocument(item, this.#location, { header: true });
      const lease = decodeLease(item, this.#location);
      if (fence && fenceBroken(fence, lease)) {
        throw new LeaseLostError(this.#location, {
          epoch: fence.epoch,
          currentEpoch: lease?.epoch,
          currentHolder: lease?.holder,
          released: lease?.released,
        });
      }
      throw new StoreConflictError(this.#location, expectedVersion, versionOf(item, this.#location));
    });
  }

  async acquireLease(leaseDurationMs: number, signal?: AbortSignal): Promise<LeaseStatus> {
    assertLeaseDuration(leaseDurationMs);
    return this.#serially(() =>
      this.#run('take the lease', signal, async () => {
        // A holder renews in one call, without reading first: conditional on the record version it last
        // wrote, or on one of its writes whose answer was lost (which may have landed), or on this very
        // write (the SDK's retry of it after it landed). Anything else there means someone took the lease.
        const renewal = this.#lease.planRenewal(leaseDurationMs);
        if (renewal) {
          const own = [...new Set([...this.#lease.ownRecordVersions, renewal.record.recordVersion])];
          const placeholders = own.map((_, i) => `:own${i}`);
          const condition = `#leaseRecordVersion IN (${placeholders.join(', ')})`;
          const values = Object.fromEntries(own.map((rv, i) => [`:own${i}`, { S: rv }]));
          if (await this.#writeLease(renewal, condition, values, signal)) return this.#lease.status(renewal.record);
        }
        const record = await this.#readLeaseRecord(signal);
        const plan = this.#lease.plan(record, leaseDurationMs);
        if (plan.kind === 'wait') return this.#lease.status(record as LeaseRecord);
        // A take-over is conditional on the record version this instance saw (and waited out, unless it
        // was released), so of several standbys claiming at once exactly one wins; when there was no lease
        // yet, on there still being none. Either way OR this very write, for the SDK's retry.
        const condition =
          plan.replaces === undefined
            ? 'attribute_not_exists(#leaseRecordVersion) OR #leaseRecordVersion = :rv'
            : '#leaseRecordVersion = :replaces OR #leaseRecordVersion = :rv';
        const values: Item = plan.replaces === undefined ? {} : { ':replaces': { S: plan.replaces } };
        if (await this.#writeLease(plan, condition, values, signal)) return this.#lease.status(plan.record);
        // Another claim landed first: report that one.
        const now = await this.#readLeaseRecord(signal);
        if (!now)
          throw new StoreError(
            `${this.#location}: the lease record changed during a claim; try again`,
            this.#location,
            { retryable: true },
          );
        return this.#lease.status(now);
      }),
    );
  }

  releaseLease(signal?: AbortSignal): Promise<void> {
    return this.#serially(() =>
      this.#run('release the lease', signal, async () => {
        const release = this.#lease.planRelease();
        if (!release) return;
        // Only a lease still ours is released: the item names this instance's token at the epoch it
        // holds, unreleased (a take-over since leaves nothing of ours to release). OR this very write, for
        // the SDK's retry. The epoch stays: the next take-over increments it.
        const condition =
          '(#leaseToken = :token AND #leaseEpoch = :epoch AND #leaseReleased = :false) OR #leaseRecordVersion = :rv';
        const update = 'SET #leaseRecordVersion = :rv, #leaseRenewedAt = :renewedAt, #leaseReleased = :released';
        const { record } = release;
        this.#lease.sending(release);
        try {
          const result = await this.#update(
            {
              UpdateExpression: update,
              ConditionExpression: condition,
              ExpressionAttributeNames: namesIn(update, condition),
              ExpressionAttributeValues: {
                ':token': { S: record.token },
                ':epoch': { N: String(record.epoch) },
                ':false': { BOOL: false },
                ':rv': { S: record.recordVersion },
                ':renewedAt': { S: record.renewedAt },
                ':released': { BOOL: true },
              },
            },
            signal,
          );
          if (result.ok) this.#lease.committed(release);
          else this.#lease.refused(release);
        } catch (error) {
          this.#lease.failed(release);
          throw error;
        }
      }),
    );
  }

  readLease(signal?: AbortSignal): Promise<LeaseStatus | undefined> {
    return this.#serially(() =>
      this.#run('read the lease', signal, async () => {
        const record = await this.#readLeaseRecord(signal);
        return record && this.#lease.status(record);
      }),
    );
  }

  /**
   * Reads (and decodes) the whole item, then sends an UpdateItem that DynamoDB evaluates and refuses: it
   * addresses a probe key beside this group's item (`<key>#probe`) on condition that the item exists,
   * which it never does. That proves the table takes writes from these credentials (IAM is checked before
   * the condition) for one write unit, and changes and creates nothing.
   */
  probe(signal?: AbortSignal): Promise<void> {
    return this.#run('probe', signal, async () => {
      const item = await this.#get(signal);
      await decodeDocument(item, this.#location);
      decodeLease(item, this.#location);
      const condition = 'attribute_exists(#pk)';
      const update = 'SET #writeId = :probe';
      const result = await this.#update(
        {
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: namesIn(update, condition),
          ExpressionAttributeValues: { ':probe': { S: 'probe' } },
        },
        signal,
        `${this.#key}#probe`,
      );
      if (result.ok)
        throw new StoreError(
          `${this.#location}: the probe write was not refused; item ${this.#key}#probe was written`,
          this.#location,
        );
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
    if (this.#ownsClient) this.#client.destroy();
  }

  async #readLeaseRecord(signal: AbortSignal | undefined): Promise<LeaseRecord | undefined> {
    const record = decodeLease(await this.#get(signal, LEASE_PROJECTION), this.#location);
    // At once after the answer: a standby's unchanged-for-a-full-duration count starts no earlier.
    this.#lease.observe(record);
    return record;
  }

  /** Writes the lease attributes only (the document is left alone), conditional on `condition`. */
  async #writeLease(
    write: LeaseWrite,
    condition: string,
    extraValues: Item,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    this.#lease.sending(write);
    try {
      const result = await this.#update(
        {
          UpdateExpression: SET_LEASE,
          ConditionExpression: condition,
          ExpressionAttributeNames: namesIn(SET_LEASE, condition),
          ExpressionAttributeValues: { ...leaseValues(write.record), ...extraValues },
        },
        signal,
      );
      if (result.ok) this.#lease.committed(write);
      else this.#lease.refused(write);
      return result.ok;
    } catch (error) {
      // No answer: it may have landed. The keeper remembers it; the next read settles it.
      this.#lease.failed(write);
      throw error;
    }
  }

  async #get(signal: AbortSignal | undefined, projection?: string): Promise<Item | undefined> {
    const command = new GetItemCommand({
      TableName: this.#table,
      Key: { [A.key]: { S: this.#key } },
      ConsistentRead: true,
      ...(projection ? { ProjectionExpression: projection, ExpressionAttributeNames: namesIn(projection) } : {}),
    });
    signal?.throwIfAborted();
    const out = await this.#client.send(command, { abortSignal: signal });
    return out.Item;
  }

  async #update(
    input: Omit<UpdateItemCommandInput, 'TableName' | 'Key'>,
    signal: AbortSignal | undefined,
    key = this.#key,
  ): Promise<UpdateResult> {
    signal?.throwIfAborted();
    try {
      await this.#client.send(
        new UpdateItemCommand({ TableName: this.#table, Key: { [A.key]: { S: key } }, ...input }),
        { abortSignal: signal },
      );
      return { ok: true };
    } catch (error) {
      if (errorCode(error) !== 'ConditionalCheckFailedException') throw error;
      return { ok: false, item: (error as { Item?: Item }).Item };
    }
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#leaseQueue.then(work, work);
    this.#leaseQueue = result.catch(() => undefined);
    return result;
  }

  /** Tracks the operation for `close()` and wraps SDK errors once, here; the caller's abort passes as its reason. */
  #run<T>(action: string, signal: AbortSignal | undefined, operation: () => Promise<T>): Promise<T> {
    if (this.#closed)
      return Promise.reject(new StoreError(`${this.#location}: cannot ${action}: the store is closed`, this.#location));
    const promise = operation().catch((error: unknown) => {
      if (signal?.aborted) throw signal.reason;
      throw toStoreError(error, action, this.#location, { table: this.#table, region: this.#region });
    });
    this.#inFlight.add(promise);
    const forget = (): void => void this.#inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}
