import { randomUUID } from 'node:crypto';
import { StoreConflictError, StoreError } from '../errors.ts';
import { assertExpectedVersion, dataToJson } from './document-data.ts';
import { assertLeaseTtl, claimLease, leaseStatus, type LeaseRecord } from './lease.ts';
import type { LeaseStatus, StateStore, StoredDocument } from './store.ts';

/** Options of `MemoryStore`. */
export interface MemoryStoreOptions {
  /** Names this store in saved documents and the lease. Default `memory`. */
  writer?: string;
  /** Share another store's document and lease, as two controllers share one table. Default: a fresh, empty store. */
  sharedWith?: MemoryStore;
  /** Clock for `updatedAt` and lease expiry, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** The operations `failNext` can make fail. */
export type MemoryStoreOperation = 'load' | 'save' | 'probe' | 'acquireLease';

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
 * The store in memory, with the file store's semantics: conditional saves, JSON round trip of `data`
 * (what comes back is a copy, with `Date`s as strings), the lease. For tests: `failNext` makes the next
 * operations throw a retryable `StoreError`, to drive the controller's handling of store failures.
 */
export class MemoryStore implements StateStore {
  readonly #cell: Cell;
  readonly #writer: string;
  readonly #token = randomUUID();
  readonly #now: () => number;
  readonly #failures = new Map<MemoryStoreOperation, Failure>();
  #closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.#writer = options.writer ?? 'memory';
    this.#now = options.now ?? Date.now;
    this.#cell = options.sharedWith ? options.sharedWith.#cell : { document: undefined, lease: undefined };
  }

  /**
   * Makes the next `count` calls of `operation` on this instance fail with a retryable `StoreError`
   * (replacing any earlier setting; 0 clears it). With `committed`, a failing save still writes first:
   * the ambiguous failure of a store that committed but could not say so (a timeout after the write).
   */
  failNext(operation: MemoryStoreOperation, count = 1, options: { committed?: boolean } = {}): void {
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`failNext: count must be a whole number >= 0, got ${count}`);
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
    const actual = this.#cell.document?.version ?? 0;
    if (actual !== expectedVersion) throw new StoreConflictError(this.describe(), expectedVersion, actual);
    const version = actual + 1;
    this.#cell.document = { version, updatedAt: new Date(this.#now()).toISOString(), writer: this.#writer, json };
    if (failure) throw this.#injected('save');
    return version;
  }

  async acquireLease(ttlMs: number, signal?: AbortSignal): Promise<LeaseStatus> {
    assertLeaseTtl(ttlMs);
    await this.#enter('take the lease', signal);
    this.#failIfDue('acquireLease');
    const claim = claimLease(this.#cell.lease, { holder: this.#writer, token: this.#token }, this.#now(), ttlMs);
    this.#cell.lease = claim.record;
    return { held: claim.held, holder: claim.record.holder, expiresAt: new Date(claim.record.expiresAtMs).toISOString() };
  }

  async releaseLease(signal?: AbortSignal): Promise<void> {
    await this.#enter('release the lease', signal);
    if (this.#cell.lease?.token === this.#token) this.#cell.lease = undefined;
  }

  async readLease(signal?: AbortSignal): Promise<LeaseStatus | undefined> {
    await this.#enter('read the lease', signal);
    return leaseStatus(this.#cell.lease, this.#token, this.#now());
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
    if (this.#closed) throw new StoreError(`${this.describe()}: cannot ${action}: the store is closed`, this.describe());
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
