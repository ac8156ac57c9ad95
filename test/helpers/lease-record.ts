import { randomUUID } from 'node:crypto';
import type { LeaseRecord } from '../../src/store/lease.ts';

/** A lease record as another store instance would have written it: held (not released), epoch 1, 30 s. */
export function leaseRecord(overrides: Partial<LeaseRecord> & Pick<LeaseRecord, 'holder'>): LeaseRecord {
  return {
    token: randomUUID(),
    epoch: 1,
    recordVersion: randomUUID(),
    leaseDurationMs: 30_000,
    renewedAt: new Date().toISOString(),
    released: false,
    ...overrides,
  };
}
