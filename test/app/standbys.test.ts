import { describe, expect, it } from 'vitest';
import { standbysOf } from '../../src/app/standbys.ts';
import type { LeaseStatus } from '../../src/store/store.ts';

const NOW = Date.parse('2026-12-01T10:00:00.000Z');

function lease(standbys: LeaseStatus['standbys']): LeaseStatus {
  return {
    held: false,
    holder: 'leader:1',
    host: 'leader',
    pid: 1,
    epoch: 3,
    recordVersion: 'rv',
    leaseDurationMs: 15_000,
    released: false,
    renewedAt: new Date(NOW).toISOString(),
    changedAt: 0,
    heldUntil: undefined,
    expiresAt: new Date(NOW + 15_000).toISOString(),
    standbys,
  };
}

const seen = (writer: string, agoMs: number) => ({
  writer,
  host: writer.split(':')[0]!,
  pid: Number(writer.split(':')[1]),
  version: '1.2.3',
  lastSeen: new Date(NOW - agoMs).toISOString(),
  leaseDurationMs: 15_000,
});

describe('the standbys status names', () => {
  it('counts a standby live within three of its lease durations, and gone after', () => {
    // Act
    const views = standbysOf(lease([seen('b:2', 45_000), seen('c:3', 45_001)]), NOW);

    // Assess
    expect(views).toEqual([
      {
        writer: 'b:2',
        host: 'b',
        pid: 2,
        version: '1.2.3',
        lastSeen: '2026-12-01T09:59:15.000Z',
        ageMs: 45_000,
        live: true,
      },
      expect.objectContaining({ writer: 'c:3', ageMs: 45_001, live: false }),
    ]);
  });

  it('is null where the store keeps no announcements, and empty where none announced', () => {
    expect(standbysOf(lease(undefined), NOW)).toBeNull();
    expect(standbysOf(undefined, NOW)).toBeNull();
    expect(standbysOf(lease([]), NOW)).toEqual([]);
  });
});
