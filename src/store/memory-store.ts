import { LeaseLostError, StoreConflictError, StoreError } from '../errors.ts';
import { assertExpectedVersion, dataToJson } from './document-data.ts';
import { LeaseKeeper, assertLeaseDuration, fenceBroken, monotonicNow, type LeaseRecord } from './lease.ts';
import type { LeaseStatus, StateStore, StoredDocument } from './store.ts';

/** Options of `MemoryStore`. */
export interface MemoryStoreOptions {
  /** Names this store in saved documents and the lease. Default `memory`. */
  writer?: string;
  /** Share another store's document and lease, as two controllers share one table. Default: a fresh, empty store. */
  sharedWith?: MemoryStore;
  /** Wall clock for `updatedAt` and the lease's `renewedAt`, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Monotonic clock for every lease decision, in milliseconds. Default `performance.now()`. */
  monotonicNow?: () => number;
}

/** The operations `failNext` can make fail. */
export type MemoryStoreOperation = 'load' | 'save' | 'probe' | 'acquireLease' | 'releaseLease';

/** What the stores sharing one memory hold. Data is kept as JSON text, as a real store keeps it. */
interface Cell {
  document: (Omit<StoredDocument, 'data'> & { json: string }) | undefined;
  lease: LeaseRecord | undefined;
}

interface Failure {
  remaining: number;
  committed: boolean;
}

/**
 * The store in memory, with the file store's semantics: conditional and fenced saves, JSON round trip of
 * `data` (what comes back is a copy, with `Date`s as strings), the lease. For tests: `failNext` makes the
 * next operations throw a retryable `StoreError`, to drive the controller's handling of store failures;
 * a failing `acquireLease` or `releaseLease` with `committed` is a claim whose answer was lost.
 */
export class MemoryStore implements StateStore {
  readonly #cell: Cell;
  readonly #writer: string;
  readonly #now: () => number;
  readonly #lease: LeaseKeeper;
  readonly #failures = new Map<MemoryStoreOperation, Failure>();
  #closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.#writer = options.writer ?? 'memory';
    this.#now = options.now ?? Date.now;
    this.#lease = new LeaseKeeper(this.#writer, { now: this.#now, monotonicNow: options.monotonicNow ?? monotonicNow });
    this.#cell = options.sharedWith ? options.sharedWith.#cell : { document: undefined, lease: undefined };
  }

  /**
   * Makes the next `count` calls of `operation` on this instance fail with a retryable `StoreError`
   * (replacing any earlier setting; 0 clears it). With `committed`, a failing save still writes first:
   * the ambiguous failure of a store that committed but could not say so (a timeout after the write).
   */
  failNext(operation: MemoryStoreOperation, count = 1, options: { committed?: boolean } = {}): void {
    if (!Number.isSafeInteger(count) || count < 0)
      throw new RangeError(`failNext: count must be a whole number >= 0, got ${count}`);
    this.#failures.set(operation, { remaining: count, committed: options.committed ?? false });
  }

  describe(): string {
    return `memory (writer ${this.#writer})`;
  }

  async load(signal?: AbortSignal): Promise<StoredDocument | undefined> {
    await this.#enter('load', signal);
    this.#failIfDue('load');
    const stored = this.#cell.document;
    if (!stored) return undefined;
    const { json, ...header } = stored;
    return { ...header, data: JSON.parse(json) as unknown };
  }

  async save(data: unknown, expectedVersion: number, signal?: AbortSignal): Promise<number> {
    assertExpectedVersion(expectedVersion);
    const json = dataToJson(data, this.describe());
    await this.#enter('save', signal);
    const failure = this.#due('save');
    if (failure && !failure.committed) throw this.#injected('save');
    // The fence first: a deposed holder hears that it lost the lease, not that the version moved on.
    const fence = this.#lease.fence;
    const lease = this.#cell.lease;
    if (fence && fenceBroken(fence, lease)) {
      throw new LeaseLostError(this.describe(), {
        epoch: fence.epoch,
        currentEpoch: lease?.epoch,
        currentHolder: lease?.holder,
        released: lease?.released,
      });
    }
    const actual = this.#cell.document?.version ?? 0;
    if (actual !== expectedVersion) throw new StoreConflictError(this.describe(), expectedVersion, actual);
    const version = actual + 1;
    this.#cell.document = { version, updatedAt: new Date(this.#now()).toISOString(), writer: this.#writer, json };
    if (failure) throw this.#injected('save');
    return version;
  }

  async acquireLease(leaseDurationMs: number, signal?: AbortSignal): Promise<LeaseStatus> {
    assertLeaseDuration(leaseDurationMs);
    await this.#enter('take the lease', signal);
    const failure = this.#due('acquireLease');
    if (failure && !failure.committed) throw this.#injected('acquireLease');
    // Read, decide and write with no await in between: the memory's own atomic conditional write.
    this.#lease.observe(this.#cell.lease);
    const plan = this.#lease.plan(this.#cell.lease, leaseDurationMs);
    if (plan.kind === 'wait') return this.#lease.status(this.#cell.lease as LeaseRecord);
    this.#lease.sending(plan);
    this.#cell.lease = plan.record;
    if (failure) {
      this.#lease.failed(plan);
      throw this.#injected('acquireLease');
    }
    this.#lease.committed(plan);
    return this.#lease.status(plan.record);
  }

  async releaseLease(signal?: AbortSignal): Promise<void> {
    await this.#enter('release the lease', signal);
    this.#failIfDue('releaseLease');
    this.#lease.observe(this.#cell.lease);
    const release = this.#lease.holds ? this.#lease.planRelease() : undefined;
    if (!release) return;
    this.#lease.sending(release);
    this.#cell.lease = release.record;
    this.#lease.committed(release);
  }

  async readLease(signal?: AbortSignal): Promise<LeaseStatus | undefined> {
    await this.#enter('read the lease', signal);
    const record = this.#cell.lease;
    this.#lease.observe(record);
    return record && this.#lease.status(record);
  }

  async probe(signal?: AbortSignal): Promise<void> {
    await this.#enter('probe', signal);
    this.#failIfDue('probe');
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /** Every operation yields once, so callers cannot come to rely on a store answering synchronously. */
  async #enter(action: string, signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (this.#closed)
      throw new StoreError(`${this.describe()}: cannot ${action}: the store is closed`, this.describe());
    await Promise.resolve();
    signal?.throwIfAborted();
  }

  #due(operation: MemoryStoreOperation): Failure | undefined {
    const failure = this.#failures.get(operation);
    if (!failure || failure.remaining === 0) return undefined;
    failure.remaining -= 1;
    return failure;
  }

  #failIfDue(operation: MemoryStoreOperation): void {
    if (this.#due(operation)) throw this.#injected(operation);
  }

  #injected(operation: MemoryStoreOperation): StoreError {
    return new StoreError(`${this.describe()}: injected ${operation} failure`, this.describe(), { retryable: true });
  }
}
