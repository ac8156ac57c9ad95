/**
 * A state store that fails its saves on demand, around a real store: the injected variant of a full disk
 * (ENOSPC) or an unreachable store, for machines where a test cannot mount a small tmpfs.
 */
import { StoreError } from '../../src/errors.ts';
import type { LeaseStatus, StateStore, StoredDocument } from '../../src/store/store.ts';

export class FlakyStore implements StateStore {
  /** While true, every save throws a retryable StoreError (as ENOSPC from the file store does). */
  failSaves = false;
  saveAttempts = 0;
  failedSaves = 0;

  constructor(private readonly inner: StateStore) {}

  load(signal?: AbortSignal): Promise<StoredDocument | undefined> {
    return this.inner.load(signal);
  }

  async save(data: unknown, expectedVersion: number, signal?: AbortSignal): Promise<number> {
    this.saveAttempts++;
    if (this.failSaves) {
      this.failedSaves++;
      const cause = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      throw new StoreError(`${this.describe()}: cannot write the state (ENOSPC)`, this.describe(), {
        retryable: true,
        cause,
      });
    }
    return this.inner.save(data, expectedVersion, signal);
  }

  acquireLease(ttlMs: number, signal?: AbortSignal): Promise<LeaseStatus> {
    return this.inner.acquireLease(ttlMs, signal);
  }

  releaseLease(signal?: AbortSignal): Promise<void> {
    return this.inner.releaseLease(signal);
  }

  readLease(signal?: AbortSignal): Promise<LeaseStatus | undefined> {
    return this.inner.readLease(signal);
  }

  describe(): string {
    return this.inner.describe();
  }

  probe(signal?: AbortSignal): Promise<void> {
    return this.inner.probe(signal);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
