import type { LeaseStatus } from './store.ts';

/** The lease as the stores keep it. `token` tells two store instances with the same `writer` apart. */
export interface LeaseRecord {
  holder: string;
  token: string;
  expiresAtMs: number;
  /** Host and pid of the holder, when the store can tell whether that process still lives (file store). */
  host?: string;
  pid?: number;
}

/** Who asks for the lease. */
export interface LeaseClaimant {
  holder: string;
  token: string;
  host?: string;
  pid?: number;
}

/**
 * Whether a lease's holder is known to be gone although the lease has not expired (a store that can tell,
 * e.g. by the holder's pid). {@link claimLease} and {@link leaseStatus} take the same one, so whoever reads
 * the lease (`status`) and whoever claims it (`acquireLease`) agree on who holds it.
 */
export type HolderGone = (record: LeaseRecord) => boolean;

const NEVER_GONE: HolderGone = () => false;

/**
 * Decides a lease claim: the claimant gets (or renews) the lease when nobody holds it, it has expired, its
 * holder is known to be gone (`holderGone`), or the claimant already holds it. `changed` says whether `record` must be written back.
 */
export function claimLease(
  current: LeaseRecord | undefined,
  claimant: LeaseClaimant,
  nowMs: number,
  ttlMs: number,
  holderGone: HolderGone = NEVER_GONE,
): { record: LeaseRecord; held: boolean; changed: boolean } {
  if (current && current.token !== claimant.token && nowMs < current.expiresAtMs && !holderGone(current)) {
    return { record: current, held: false, changed: false };
  }
  return { record: { ...claimant, expiresAtMs: nowMs + ttlMs }, held: true, changed: true };
}

/**
 * The lease as seen by the instance with `token`; undefined when there is none, it has expired, or its
 * holder is known to be gone (the same `holderGone` the store's {@link claimLease} uses).
 */
export function leaseStatus(
  record: LeaseRecord | undefined,
  token: string,
  nowMs: number,
  holderGone: HolderGone = NEVER_GONE,
): LeaseStatus | undefined {
  if (!record || nowMs >= record.expiresAtMs) return undefined;
  // Our own lease is never judged gone: this instance is alive to ask.
  if (record.token !== token && holderGone(record)) return undefined;
  return { held: record.token === token, holder: record.holder, expiresAt: new Date(record.expiresAtMs).toISOString() };
}

/** Throws a `RangeError` unless `ttlMs` is a positive, finite number of milliseconds. */
export function assertLeaseTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`lease ttlMs must be a positive number of milliseconds, got ${ttlMs}`);
  }
}
