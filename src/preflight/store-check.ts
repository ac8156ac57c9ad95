import type { StateStore } from '../store/store.ts';
import { StoreCorruptError } from '../errors.ts';
import type { CheckResult } from './types.ts';
import { messageOf } from './types.ts';

/** The store can be read and written now (`probe`), and who holds the lease, if anyone. */
export async function checkStore(store: StateStore, signal: AbortSignal): Promise<CheckResult> {
  const base = { id: 'store', title: 'state store writable' };
  try {
    await store.probe(signal);
  } catch (error) {
    const fix =
      error instanceof StoreCorruptError
        ? 'the message says what to do with the document'
        : 'make the directory of store.path exist and be writable by the controller\'s user, or point store.path elsewhere';
    const message = messageOf(error);
    // Store errors already start with where they happened.
    const detail = message.startsWith(store.describe()) ? message : `${store.describe()}: ${message}`;
    return { ...base, status: 'fail', detail, fix };
  }
  const lease = await store.readLease(signal).catch(() => undefined);
  const leader = lease ? `; lease held by ${lease.holder} until ${lease.expiresAt}` : '; no controller holds the lease now';
  return { ...base, status: 'pass', detail: `${store.describe()} is readable and writable${leader}` };
}
