/**
 * Keeps the store in step with the controller's document: conditional saves, a "dirty" mark while memory
 * holds state the store has not saved (nothing is acknowledged then), retries of failed saves with
 * backoff, and a stop when they keep failing.
 */
import { fullJitterDelay } from '../backoff.ts';
import type { Clock } from '../clock.ts';
import { LeaseLostError, StoreConflictError, StoreUnavailableError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { StateStore } from '../store/store.ts';
import { readDocument } from './document.ts';
import type { ControllerDocument, OwnerConfig } from './document.ts';
import { Wakeup } from './wakeup.ts';

export interface StoreRetry {
  baseMs: number;
  capMs: number;
  /** Failed saves in a row after which the controller stops. */
  maxFailures: number;
}

/** 1 s doubling to 15 s, six failures: about a minute of a store that does not answer. */
export const DEFAULT_STORE_RETRY: StoreRetry = { baseMs: 1_000, capMs: 15_000, maxFailures: 6 };

export class DocumentSaver {
  /** True while memory holds state the store has not saved. */
  dirty = false;
  private version = 0;
  private failures = 0;
  private readonly failed = new Wakeup();

  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly retry: StoreRetry = DEFAULT_STORE_RETRY,
    /** Told when a save was refused because another controller took the lease: stop acting at once. */
    private readonly onFenced: (error: LeaseLostError) => void = () => undefined,
  ) {}

  /**
   * Loads the stored document, checked as `readDocument` checks it (ours, this machine version, every
   * field), and notes its version for the next save. Undefined: nothing saved yet.
   */
  async open(config: OwnerConfig, signal: AbortSignal): Promise<ControllerDocument | undefined> {
    const stored = await this.store.load(signal);
    if (!stored) return undefined;
    this.version = stored.version;
    return readDocument(stored.data, this.store.describe(), {
      config,
      onAdopt: (owner) =>
        this.logger.warn({ owner }, 'state document names no traffic distribution group; adopting it for this one'),
    });
  }

  /**
   * Saves `doc`. On success memory and store agree again; on failure the document stays dirty, the
   * failure is counted and the retry loop woken. Rethrows, so a caller holding messages keeps them.
   */
  async save(doc: unknown, signal?: AbortSignal): Promise<void> {
    try {
      this.version = await this.store.save(doc, this.version, signal);
      this.dirty = false;
      this.failures = 0;
    } catch (error) {
      if (error instanceof LeaseLostError) {
        // Not a failure to retry: this controller is no longer the one that acts.
        this.onFenced(error);
      } else if (error instanceof StoreConflictError) {
        this.logger.fatal(
          { err: error },
          'another writer changed the state store: is a second controller running on the same store?',
        );
      } else if (!signal?.aborted) {
        this.dirty = true;
        this.failures += 1;
        this.logger.error({ err: error, failures: this.failures }, 'state not saved; will retry');
        this.failed.notify();
      }
      throw error;
    }
  }

  /**
   * Retries an unsaved document with backoff through `saveNow` (which serializes with the controller's
   * other work). Rejects with StoreUnavailableError after `maxFailures` failures in a row: the controller
   * stops rather than act on state nobody can see.
   */
  async retryLoop(saveNow: () => Promise<void>, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!this.dirty || this.failures === 0) {
        await this.failed.wait(signal);
        continue;
      }
      if (this.failures >= this.retry.maxFailures)
        throw new StoreUnavailableError(this.store.describe(), this.failures);
      await this.clock.sleep(fullJitterDelay(this.failures, this.retry), signal).catch(() => undefined);
      if (signal.aborted) return;
      await saveNow().catch(() => undefined);
    }
  }
}
