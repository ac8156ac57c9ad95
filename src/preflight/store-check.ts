import type { StateStore } from '../store/store.ts';
import { describeOwner, ownerOf, readDocument, StoreOwnerError } from '../controller/document.ts';
import type { OwnerConfig } from '../controller/document.ts';
import { StoreCorruptError } from '../errors.ts';
import type { CheckResult } from './types.ts';
import { messageOf } from './types.ts';

/**
 * The store can be read and written now (`probe`), its document (if any) is well-formed and belongs to
 * this config's traffic distribution group and Regions, and who holds the lease, if anyone. Without
 * `config` the document is not read.
 */
export async function checkStore(store: StateStore, signal: AbortSignal, config?: OwnerConfig): Promise<CheckResult> {
  const base = { id: 'store', title: 'state store writable' };
  const failed = (error: unknown, fix: string): CheckResult => {
    const message = messageOf(error);
    // Store errors already start with where they happened.
    const detail = message.startsWith(store.describe()) ? message : `${store.describe()}: ${message}`;
    return { ...base, status: 'fail', detail, fix };
  };
  try {
    await store.probe(signal);
  } catch (error) {
    const fix =
      error instanceof StoreCorruptError
        ? 'the message says what to do with the document'
        : "make the directory of store.path exist and be writable by the controller's user, or point store.path elsewhere";
    return failed(error, fix);
  }
  let adopted = false;
  if (config) {
    try {
      const stored = await store.load(signal);
      if (stored) readDocument(stored.data, store.describe(), { config, onAdopt: () => (adopted = true) });
    } catch (error) {
      if (signal.aborted) throw error;
      if (error instanceof StoreOwnerError) {
        const key = error.issues[0]?.path ?? 'store.path';
        return {
          ...base,
          status: 'fail',
          detail: error.issues[0]?.message ?? error.message,
          fix: `point ${key} at a store of this group's own (${error.stored.trafficDistributionGroup} keeps its state where it is)`,
        };
      }
      return failed(
        error,
        error instanceof StoreCorruptError
          ? 'the message says what to do with the document'
          : 'see the message; the controller would refuse this store too',
      );
    }
  }
  const lease = await store.readLease(signal).catch(() => undefined);
  const leader =
    lease && !lease.released
      ? `; lease held by ${lease.holder} (epoch ${lease.epoch}) until about ${lease.expiresAt}`
      : '; no controller holds the lease now';
  if (adopted && config) {
    return {
      ...base,
      status: 'warn',
      detail:
        `${store.describe()} is readable and writable${leader}; its document does not say which traffic distribution group it belongs to ` +
        `(written by an earlier release): the controller takes it as ${describeOwner(ownerOf(config))}'s at its next start`,
      fix: 'make sure no controller of another group uses this store; once a controller of this release has run, this warning goes away',
    };
  }
  return { ...base, status: 'pass', detail: `${store.describe()} is readable and writable${leader}` };
}
