import { performance } from 'node:perf_hooks';
import type { LeaseStatus, StateStore, StoredDocument } from '../../src/store/store.ts';

/**
 * A store that delegates every call to another and knows when none is in flight, so a benchmark can
 * start each rep from a quiet controller (the previous rep's saves finished) instead of timing them too.
 * It also counts saves and the time spent in them.
 */
export class TrackedStore implements StateStore {
  #inFlight = 0;
  #idle: Array<() => void> = [];
  saves = 0;
  /** Total wall time spent in `save`, ms. */
  saveMs = 0;

  constructor(private readonly inner: StateStore) {}

  /** Resolves when no call is in flight (now, or when the last one in flight ends). */
  idle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  load(signal?: AbortSignal): Promise<StoredDocument | undefined> {
    return this.#track(() => this.inner.load(signal));
  }

  save(data: unknown, expectedVersion: number, signal?: AbortSignal): Promise<number> {
    this.saves += 1;
    const t0 = performance.now();
    return this.#track(() => this.inner.save(data, expectedVersion, signal)).finally(
      () => (this.saveMs += performance.now() - t0),
    );
  }

  acquireLease(ttlMs: number, signal?: AbortSignal): Promise<LeaseStatus> {
    return this.#track(() => this.inner.acquireLease(ttlMs, signal));
  }

  releaseLease(signal?: AbortSignal): Promise<void> {
    return this.#track(() => this.inner.releaseLease(signal));
  }

  readLease(signal?: AbortSignal): Promise<LeaseStatus | undefined> {
    return this.#track(() => this.inner.readLease(signal));
  }

  describe(): string {
    return this.inner.describe();
  }

  probe(signal?: AbortSignal): Promise<void> {
    return this.#track(() => this.inner.probe(signal));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async #track<T>(call: () => Promise<T>): Promise<T> {
    this.#inFlight += 1;
    try {
      return await call();
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
    }
  }
}
