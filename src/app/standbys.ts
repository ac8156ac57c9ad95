/**
 * The standby controllers `status` names: those that announced themselves in the store (DynamoDB) within a
 * few of their lease durations. A standby announces itself once per lease duration while it waits, so
 * three missed announcements mean it is gone (killed, frozen, cut off); until the store forgets the entry
 * (after ten durations) it is shown as gone. Ages compare the standby's wall clock with this host's, like
 * the lease's `renewedAt`: for people only.
 */
import type { LeaseStatus } from '../store/store.ts';

/** Announcements missed before a standby counts as gone. */
export const STANDBY_STALE_DURATIONS = 3;

export interface StandbyView {
  /** Its `writer` (`host:pid`). */
  writer: string;
  host: string;
  pid: number;
  /** The connect-failover version it runs. */
  version: string;
  /** When it last announced itself (its wall clock). */
  lastSeen: string;
  /** How long ago that was, by this host's clock. */
  ageMs: number;
  /** True when seen within {@link STANDBY_STALE_DURATIONS} of its lease durations: it stands by. */
  live: boolean;
}

/**
 * The standbys a lease read names, newest first; null when the store keeps no announcements (the file
 * store: one controller per state file) or no lease was read.
 */
export function standbysOf(lease: LeaseStatus | undefined, now: number): StandbyView[] | null {
  if (!lease?.standbys) return null;
  return lease.standbys.map((s) => {
    const ageMs = Math.max(0, now - Date.parse(s.lastSeen));
    return {
      writer: s.writer,
      host: s.host,
      pid: s.pid,
      version: s.version,
      lastSeen: s.lastSeen,
      ageMs,
      live: ageMs <= STANDBY_STALE_DURATIONS * s.leaseDurationMs,
    };
  });
}
