import type { LeaseStatus } from './store.ts';

/** The lease as the stores keep it. `token` tells two store instances with the same `writer` apart. */
export interface LeaseRecord {
  holder: string;
  token: string;
  expiresAtMs: number;
}

/** Who asks for the lease. */
export interface LeaseClaimant {
  holder: string;
  token: string;
}

/**
 * Decides a lease claim: the claimant gets (or renews) the lease when nobody holds it, it has expired, or
 * the claimant already holds it. `changed` says whether `record` must be written back.
 */
export function claimLease(
  current: LeaseRecord | undefined,
  claimant: LeaseClaimant,
  nowMs: number,
  ttlMs: number,
): { record: LeaseRecord; held: boolean; changed: boolean } {
  if (current && current.token !== claimant.token && nowMs < current.expiresAtMs) {
    return { record: current, held: false, changed: false };
  }
  return { record: { holder: claimant.holder, token: claimant.token, expiresAtMs: nowMs + ttlMs }, held: true, changed: true };
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
