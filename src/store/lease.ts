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
 * Decides a lease claim: the claimant gets (or renews) the lease when nobody holds it, it has expired, its
 * holder is known to be gone (`holderGone`), or the claimant already holds it. `changed` says whether `record` must be written back.
 */
export function claimLease(
  current: LeaseRecord | undefined,
  claimant: LeaseClaimant,
  nowMs: number,
  ttlMs: number,
  holderGone: (record: LeaseRecord) => boolean = () => false,
): { record: LeaseRecord; held: boolean; changed: boolean } {
  if (current && current.token !== claimant.token && nowMs < current.expiresAtMs && !holderGone(current)) {
    return { record: current, held: false, changed: false };
  }
  return { record: { ...claimant, expiresAtMs: nowMs + ttlMs }, held: true, changed: true };
}

/** The lease as seen by the instance with `token`; undefined when there is none or it has expired. */
export function leaseStatus(record: LeaseRecord | undefined, token: string, nowMs: number): LeaseStatus | undefined {
  if (!record || nowMs >= record.expiresAtMs) return undefined;
  return { held: record.token === token, holder: record.holder, expiresAt: new Date(record.expiresAtMs).toISOString() };
}

/** Throws a `RangeError` unless `ttlMs` is a positive, finite number of milliseconds. */
export function assertLeaseTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`lease ttlMs must be a positive number of milliseconds, got ${ttlMs}`);
  }
}
