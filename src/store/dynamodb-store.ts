/**
 * The shared store: per traffic distribution group, a document item (dynamodb-item.ts) and a lease item
 * (dynamodb-lease-item.ts) in one table, so controllers on several hosts and in both Regions share one
 * document and one lease, and any host that can read the table can run `status` and `history`.
 *
 * Every write is one conditional UpdateItem; each condition is explained where it is built. Every read is
 * strongly consistent (a standby must see the latest record version, a save the latest version).
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AwsClientSettings } from '../aws/client-settings.ts';
import { LeaseLostError, StoreConflictError, StoreDocumentTooLargeError, StoreError } from '../errors.ts';
import { assertExpectedVersion, dataToJson } from './document-data.ts';
import {
  A,
  FORMAT_CHECK,
  MAX_DOCUMENT_BYTES,
  compressDocument,
  decodeDocument,
  documentValues,
  fenceEpochOf,
  namesIn,
  versionOf,
} from './dynamodb-item.ts';
import { createDynamoDbClient, toStoreError } from './dynamodb-client.ts';
import { readFenceItem } from './dynamodb-fence.ts';
import { DynamoDbItems } from './dynamodb-io.ts';
import { DynamoDbLease } from './dynamodb-lease.ts';
import { assertLeaseDuration, monotonicNow } from './lease.ts';
import type { LeaseStatus, StateStore, StoredDocument } from './store.ts';

/** Options of {@link DynamoDbStore}. */
export interface DynamoDbStoreOptions {
  /** The table (`store.table`); `connect-failover init-store` creates it, with partition key `pk` (string). */
  table: string;
  /** The table's Region (`store.region`, default `regions.replica`). */
  region: string;
  /** This group's document item: the partition key value (the traffic distribution group's id); the lease item is `<key>#lease`. */
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

/**
 * The state store on DynamoDB. Calls per operation: `load` one GetItem; `readLease` one GetItem (two
 * while no lease item holds a record); `save` one UpdateItem (plus a GetItem or two after a refusal, to
 * tell why); `acquireLease` one UpdateItem for a holder's renewal, one GetItem for a standby that waits
 * (an UpdateItem instead once per lease duration: its announcement), for a take-over that read, the
 * lease write and the fence write; `releaseLease` one UpdateItem (a standby that announced itself: the
 * removal of its entry); `probe` one GetItem and one refused UpdateItem.
 */
export class DynamoDbStore implements StateStore {
  readonly #client: DynamoDBClient;
  readonly #ownsClient: boolean;
  readonly #items: DynamoDbItems;
  readonly #table: string;
  readonly #region: string;
  readonly #key: string;
  readonly #location: string;
  readonly #writer: string;
  readonly #now: () => number;
  readonly #lease: DynamoDbLease;
  readonly #inFlight = new Set<Promise<unknown>>();
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
    this.#ownsClient = options.client === undefined;
    this.#client =
      options.client ??
      createDynamoDbClient({ region: options.region, aws: options.aws, requestTimeoutMs: options.requestTimeoutMs });
    this.#items = new DynamoDbItems(this.#client, options.table);
    this.#lease = new DynamoDbLease({
      items: this.#items,
      key: options.key,
      location: this.#location,
      writer: options.writer,
      clocks: { now: this.#now, monotonicNow: options.monotonicNow ?? monotonicNow },
    });
  }

  describe(): string {
    return this.#location;
  }

  load(signal?: AbortSignal): Promise<StoredDocument | undefined> {
    return this.#run('read the state', signal, async () =>
      decodeDocument(await this.#items.get(this.#key, signal), this.#location),
    );
  }

  // async: argument errors reject, as in the other stores, rather than throw.
  async save(data: unknown, expectedVersion: number, signal?: AbortSignal): Promise<number> {
    assertExpectedVersion(expectedVersion);
    const json = dataToJson(data, this.#location);
    return this.#run('save the state', signal, async () => {
      const doc = await compressDocument(json);
      if (doc.byteLength > MAX_DOCUMENT_BYTES)
        throw new StoreDocumentTooLargeError(this.#location, doc.byteLength, MAX_DOCUMENT_BYTES);
      const fence = this.#lease.fenceForSave();
      const writeId = randomUUID();
      // The condition has four parts:
      // - the version: no document yet (the item may already hold the fence, so not attribute_not_exists(pk)),
      //   or exactly the version the caller loaded;
      // - the fence, once this instance has taken the lease: the document still carries the epoch it took.
      //   A newer take-over raises it before that leader acts, and it never goes down, so a deposed leader's
      //   save fails however late it wakes (docs/high-availability.md). Checked in the same write as the
      //   version;
      // - the item is ours, in a format this release writes;
      // - OR this very call's writeId: when the SDK retries a save whose first attempt landed but whose
      //   answer was lost, the retry rewrites the same values instead of failing as a conflict.
      const versionCheck = expectedVersion === 0 ? 'attribute_not_exists(#version)' : '#version = :expected';
      const fenceCheck = fence === undefined ? '' : ' AND #fenceEpoch = :fence';
      const condition = `(${versionCheck}${fenceCheck} AND ${FORMAT_CHECK}) OR #writeId = :writeId`;
      const update =
        'SET #format = :format, #formatVersion = :formatVersion, #version = :next, #doc = :doc, #updatedAt = :updatedAt, #writer = :writer, #writeId = :writeId';
      const result = await this.#items.update(
        this.#key,
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
            ...(fence === undefined ? {} : { ':fence': { N: String(fence) } }),
          },
        },
        signal,
      );
      if (result.ok) return expectedVersion + 1;
      // Refused: tell why from the item as it is now (DynamoDB could return it with the refusal; dynalite
      // does not, so one more read). A lost lease is reported before a moved version.
      const item = await readFenceItem(this.#items, this.#key, signal);
      // An item not ours, or of a newer format, throws here (StoreCorruptError, StoreFormatError).
      await decodeDocument(item, this.#location, { header: true });
      const found = fenceEpochOf(item, this.#location);
      if (fence !== undefined && found !== fence) {
        const lease = await this.#lease.currentRecord(signal);
        throw new LeaseLostError(this.#location, {
          epoch: fence,
          currentEpoch: Math.max(found, lease?.epoch ?? 0),
          currentHolder: lease?.holder,
          released: lease?.released,
        });
      }
      throw new StoreConflictError(this.#location, expectedVersion, versionOf(item, this.#location));
    });
  }

  async acquireLease(leaseDurationMs: number, signal?: AbortSignal): Promise<LeaseStatus> {
    assertLeaseDuration(leaseDurationMs);
    return this.#run('take the lease', signal, () => this.#lease.acquire(leaseDurationMs, signal));
  }

  releaseLease(signal?: AbortSignal): Promise<void> {
    return this.#run('release the lease', signal, () => this.#lease.release(signal));
  }

  readLease(signal?: AbortSignal): Promise<LeaseStatus | undefined> {
    return this.#run('read the lease', signal, () => this.#lease.read(signal));
  }

  /**
   * Reads (and decodes) the document item, then sends an UpdateItem that DynamoDB
   * evaluates and refuses: it addresses a probe key beside this group's item (`<key>#probe`) on condition
   * that the item exists, which it never does. That proves the table takes writes from these credentials
   * (IAM is checked before the condition) for one write unit, and changes and creates nothing.
   */
  probe(signal?: AbortSignal): Promise<void> {
    return this.#run('probe', signal, async () => {
      await decodeDocument(await this.#items.get(this.#key, signal), this.#location);
      const condition = 'attribute_exists(#pk)';
      const update = 'SET #writeId = :probe';
      const result = await this.#items.update(
        `${this.#key}#probe`,
        {
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: namesIn(update, condition),
          ExpressionAttributeValues: { ':probe': { S: 'probe' } },
        },
        signal,
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
