/**
 * The DynamoDB store's lease: its own small item (dynamodb-lease-item.ts) and the fence on the document
 * item (dynamodb-item.ts), kept by one {@link LeaseKeeper}. The argument for why a deposed leader's save
 * fails is in docs/high-availability.md; in short:
 * - every lease write is conditional on the lease item's record version, so each epoch has one winner;
 * - the winner of epoch E writes `fenceEpoch = E` on the document item before it acts, conditional on the
 *   fence there being E or lower (E: its own earlier attempt), and `fenceEpoch` only ever grows;
 * - every save of a holder is conditional on `fenceEpoch` being its own epoch, in the same write as the
 *   version check. Once a newer leader has fenced, no save of an older one can land, however late it wakes.
 *
 * Adoption of format 1 (the lease on the document item): while no lease item holds a record, the lease
 * attributes still on the document item are the lease, waited out like any other. The take-over that
 * adopts them writes the document item first, conditional on the record version it waited out: it sets
 * the fence and removes those attributes (so an older release's leader can neither renew nor save: its
 * conditions name them), and marks the item format 2 (which an older release refuses to load or save).
 * Only then does it create the lease item.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LeaseLostError, StoreError } from '../errors.ts';
import { VERSION } from '../version.ts';
import type { DynamoDbItems } from './dynamodb-io.ts';
import { readFenceItem, writeFence } from './dynamodb-fence.ts';
import { decodeDocument, decodeLegacyLease, fenceEpochOf, type Item } from './dynamodb-item.ts';
import {
  LEASE_FORMAT,
  SET_RECORD,
  STANDBY_PREFIX,
  decodeLeaseItem,
  decodeStandbys,
  leaseKeyOf,
  leaseNamesIn,
  recordValues,
  standbyValue,
  type StandbyEntry,
} from './dynamodb-lease-item.ts';
import { LeaseKeeper, type LeaseClocks, type LeaseRecord, type LeaseWrite } from './lease.ts';
import type { LeaseStatus } from './store.ts';

/** A standby entry not refreshed for this many of its lease durations is removed by the next announcement. */
const FORGET_AFTER_DURATIONS = 10;

/** What a lease read found. */
interface Seen {
  record: LeaseRecord | undefined;
  /** True when the record is format 1's, on the document item. */
  legacy: boolean;
  /** With no record: the document's fence, the highest epoch ever taken. */
  floor: number;
  standbys: StandbyEntry[];
}

export interface DynamoDbLeaseOptions {
  items: DynamoDbItems;
  /** The document item's key (the group id). */
  key: string;
  location: string;
  writer: string;
  clocks: LeaseClocks;
}

export class DynamoDbLease {
  readonly #items: DynamoDbItems;
  readonly #key: string;
  readonly #leaseKey: string;
  readonly #location: string;
  readonly #writer: string;
  readonly #clocks: LeaseClocks;
  readonly #keeper: LeaseKeeper;
  /** The epoch whose fence write landed on the document item. */
  #fenced: number | undefined;
  /** The epoch this instance released (or sent a release for): its saves on it are refused without a call. */
  #released: number | undefined;
  /** Monotonic time this instance last sent its standby announcement; undefined: none stands. */
  #announcedAt: number | undefined;
  #lastStandbys: StandbyEntry[] = [];
  /** Lease operations of this instance run one at a time, so the keeper sees its reads and writes in order. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: DynamoDbLeaseOptions) {
    this.#items = options.items;
    this.#key = options.key;
    this.#leaseKey = leaseKeyOf(options.key);
    this.#location = options.location;
    this.#writer = options.writer;
    this.#clocks = options.clocks;
    this.#keeper = new LeaseKeeper(options.writer, options.clocks);
  }

  /**
   * The epoch a save of this instance must find on the document, or undefined when it never took the
   * lease. Throws `LeaseLostError` when it released that epoch (the document cannot tell).
   */
  fenceForSave(): number | undefined {
    const fence = this.#keeper.fence;
    if (fence && this.#released === fence.epoch)
      throw new LeaseLostError(this.#location, { epoch: fence.epoch, released: true });
    return fence?.epoch;
  }

  /** The lease record as it stands (for a refused save's diagnosis). */
  async currentRecord(signal: AbortSignal | undefined): Promise<LeaseRecord | undefined> {
    return (await this.#read(signal)).record;
  }

  acquire(leaseDurationMs: number, signal: AbortSignal | undefined): Promise<LeaseStatus> {
    return this.#serially(async () => {
      // A holder renews in one call, without reading first: conditional on the record version it last
      // wrote, or on one of its writes whose answer was lost (which may have landed), or on this very
      // write (the SDK's retry of it after it landed). Anything else there means someone took the lease.
      const renewal = this.#keeper.planRenewal(leaseDurationMs);
      if (renewal) {
        const own = [...new Set([...this.#keeper.ownRecordVersions, renewal.record.recordVersion])];
        const values = Object.fromEntries(own.map((rv, i) => [`:own${i}`, { S: rv }]));
        const condition = `#recordVersion IN (${own.map((_, i) => `:own${i}`).join(', ')})`;
        const renewed = await this.#tracked(renewal, () => this.#writeRecord(renewal, condition, values, signal));
        if (renewed && (await this.#fence(signal))) return this.#status(renewal.record, []);
      }
      const seen = await this.#read(signal, this.#announcementDue(leaseDurationMs) ? leaseDurationMs : undefined);
      const plan = this.#keeper.plan(seen.record, leaseDurationMs, undefined, seen.floor);
      if (plan.kind === 'wait') return this.#status(seen.record as LeaseRecord, seen.standbys);
      const taken = await this.#tracked(plan, async () =>
        seen.legacy ? this.#adopt(plan, seen.record as LeaseRecord, signal) : this.#take(plan, signal),
      );
      if (taken && (await this.#fence(signal))) {
        this.#announcedAt = undefined;
        return this.#status(plan.record, []);
      }
      // Another claim landed first, or a newer one fenced the document: report the lease as it is now.
      const now = await this.#read(signal);
      if (!now.record)
        throw new StoreError(`${this.#location}: the lease record changed during a claim; try again`, this.#location, {
          retryable: true,
        });
      return this.#status(now.record, now.standbys);
    });
  }

  release(signal: AbortSignal | undefined): Promise<void> {
    return this.#serially(async () => {
      const release = this.#keeper.planRelease();
      if (!release) return this.#withdraw(signal);
      this.#released = release.record.epoch;
      // Only a lease still ours is released: the item names this instance's token at the epoch it holds,
      // unreleased (a take-over since leaves nothing of ours to release). OR this very write, for the SDK's
      // retry. The epoch stays: the next take-over increments it.
      const { record } = release;
      const condition = '(#token = :token AND #epoch = :epoch AND #released = :false) OR #recordVersion = :rv';
      const update = 'SET #recordVersion = :rv, #renewedAt = :renewedAt, #released = :released';
      await this.#tracked(release, async () => {
        const result = await this.#items.update(
          this.#leaseKey,
          {
            UpdateExpression: update,
            ConditionExpression: condition,
            ExpressionAttributeNames: leaseNamesIn([update, condition]),
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
        return result.ok;
      });
    });
  }

  read(signal: AbortSignal | undefined): Promise<LeaseStatus | undefined> {
    return this.#serially(async () => {
      const seen = await this.#read(signal);
      return seen.record && this.#status(seen.record, seen.standbys);
    });
  }

  /**
   * Reads the lease item (with `announceWith`, a lease duration: writes this instance's standby entry and
   * reads the item back in the same call) and, while it holds no record, the document item for a format-1 lease or the fence.
   * The keeper observes the record at once after the answer: a standby's count starts no earlier.
   */
  async #read(signal: AbortSignal | undefined, announceWith?: number): Promise<Seen> {
    const item =
      announceWith === undefined
        ? await this.#items.get(this.#leaseKey, signal)
        : await this.#announce(announceWith, signal);
    const standbys = decodeStandbys(item);
    this.#lastStandbys = standbys;
    const record = decodeLeaseItem(item, this.#location);
    if (record) {
      this.#keeper.observe(record);
      return { record, legacy: false, floor: 0, standbys };
    }
    const doc = await readFenceItem(this.#items, this.#key, signal);
    await decodeDocument(doc, this.#location, { header: true });
    const fence = fenceEpochOf(doc, this.#location);
    const legacy = decodeLegacyLease(doc, this.#location);
    // A format-1 record's next epoch must also pass the fence (its take-over fences at record.epoch + 1).
    const adopted = legacy && { ...legacy, epoch: Math.max(legacy.epoch, fence) };
    this.#keeper.observe(adopted);
    return { record: adopted, legacy: adopted !== undefined, floor: fence, standbys };
  }

  /** A take-over of the lease item: conditional on the record version seen (none: still none), or this very write. */
  async #take(plan: LeaseWrite, signal: AbortSignal | undefined): Promise<boolean> {
    const condition =
      plan.replaces === undefined
        ? 'attribute_not_exists(#recordVersion) OR #recordVersion = :rv'
        : '#recordVersion = :replaces OR #recordVersion = :rv';
    const values: Item = plan.replaces === undefined ? {} : { ':replaces': { S: plan.replaces } };
    return this.#writeRecord(plan, condition, values, signal, true);
  }

  /** The take-over of a format-1 lease: the document item first (the arbiter), then the lease item. */
  async #adopt(plan: LeaseWrite, legacy: LeaseRecord, signal: AbortSignal | undefined): Promise<boolean> {
    const fenced = await writeFence(
      this.#items,
      this.#key,
      { epoch: plan.record.epoch, writeId: plan.record.recordVersion, legacyRecordVersion: legacy.recordVersion },
      signal,
    );
    if (!fenced) return false;
    this.#fenced = plan.record.epoch;
    // The lease item holds no record yet (that is why the format-1 one was read): create it.
    return this.#take({ ...plan, replaces: undefined }, signal);
  }

  /**
   * Makes sure the document carries this holder's fence before it acts; false when a newer take-over has
   * fenced it already (this instance is deposed: it holds nothing any more).
   */
  async #fence(signal: AbortSignal | undefined): Promise<boolean> {
    const fence = this.#keeper.fence;
    if (!fence || !this.#keeper.holds || this.#fenced === fence.epoch) return true;
    if (await writeFence(this.#items, this.#key, { epoch: fence.epoch, writeId: randomUUID() }, signal)) {
      this.#fenced = fence.epoch;
      return true;
    }
    const doc = await readFenceItem(this.#items, this.#key, signal);
    // Not ours, or of a newer format: that error, not a lost lease.
    await decodeDocument(doc, this.#location, { header: true });
    this.#keeper.deposed();
    return false;
  }

  /** Writes the whole lease record (a take-over also removes this instance's standby entry). */
  async #writeRecord(
    write: LeaseWrite,
    condition: string,
    extraValues: Item,
    signal: AbortSignal | undefined,
    dropStandby = false,
  ): Promise<boolean> {
    const update = dropStandby ? `${SET_RECORD} REMOVE #me` : SET_RECORD;
    const result = await this.#items.update(
      this.#leaseKey,
      {
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: leaseNamesIn([update, condition], dropStandby ? { '#me': this.#standbyName } : {}),
        ExpressionAttributeValues: { ...recordValues(write.record), ...extraValues },
      },
      signal,
    );
    return result.ok;
  }

  /** Sends `write` through `send` with the keeper told before and after; no answer: it may have landed. */
  async #tracked(write: LeaseWrite, send: () => Promise<boolean>): Promise<boolean> {
    this.#keeper.sending(write);
    let ok: boolean;
    try {
      ok = await send();
    } catch (error) {
      this.#keeper.failed(write);
      throw error;
    }
    if (ok) this.#keeper.committed(write);
    else this.#keeper.refused(write);
    return ok;
  }

  get #standbyName(): string {
    return `${STANDBY_PREFIX}${this.#keeper.token}`;
  }

  /**
   * A standby announces itself once per lease duration (its first poll included): every third poll. The
   * 10 % slack keeps a poll that comes a little early from putting the announcement off to the fourth.
   */
  #announcementDue(leaseDurationMs: number): boolean {
    if (this.#keeper.holds) return false;
    return this.#announcedAt === undefined || this.#clocks.monotonicNow() - this.#announcedAt >= leaseDurationMs * 0.9;
  }

  /**
   * Writes this instance's standby entry and returns the whole lease item as it is after the write (one
   * UpdateItem in place of the poll's GetItem). Entries long stale are removed on the way.
   */
  async #announce(leaseDurationMs: number, signal: AbortSignal | undefined): Promise<Item | undefined> {
    const now = this.#clocks.now();
    const stale = this.#lastStandbys.filter(
      (e) =>
        e.token !== this.#keeper.token && Date.parse(e.lastSeen) + FORGET_AFTER_DURATIONS * e.leaseDurationMs < now,
    );
    const names: Record<string, string> = { '#me': this.#standbyName };
    stale.forEach((e, i) => (names[`#stale${i}`] = `${STANDBY_PREFIX}${e.token}`));
    const remove = stale.length === 0 ? '' : ` REMOVE ${stale.map((_, i) => `#stale${i}`).join(', ')}`;
    const update = `SET #me = :me, #format = :leaseFormat${remove}`;
    const condition = 'attribute_not_exists(#format) OR #format = :leaseFormat';
    this.#announcedAt = this.#clocks.monotonicNow();
    const result = await this.#items.update(
      this.#leaseKey,
      {
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: leaseNamesIn([update, condition], names),
        ExpressionAttributeValues: {
          ':leaseFormat': { S: LEASE_FORMAT },
          ':me': standbyValue({
            writer: this.#writer,
            host: hostname(),
            pid: process.pid,
            version: VERSION,
            lastSeen: new Date(now).toISOString(),
            leaseDurationMs,
          }),
        },
        ReturnValues: 'ALL_NEW',
      },
      signal,
    );
    // Refused: the item is not ours; the read shows why.
    return result.ok ? result.item : this.#items.get(this.#leaseKey, signal);
  }

  /** A stopping standby takes its entry back, so `status` drops it at once. */
  async #withdraw(signal: AbortSignal | undefined): Promise<void> {
    if (this.#announcedAt === undefined) return;
    this.#announcedAt = undefined;
    const update = 'REMOVE #me';
    const condition = 'attribute_exists(#format)';
    await this.#items.update(
      this.#leaseKey,
      {
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: leaseNamesIn([update, condition], { '#me': this.#standbyName }),
      },
      signal,
    );
  }

  #status(record: LeaseRecord, standbys: StandbyEntry[]): LeaseStatus {
    const others = standbys
      .filter((e) => e.token !== record.token && e.token !== this.#keeper.token)
      .map(({ token: _token, ...presence }) => presence);
    return { ...this.#keeper.status(record), standbys: others };
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(work, work);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}
