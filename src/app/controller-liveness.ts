/**
 * Is a controller running? Told from the store's lease record alone, so it answers the same from any host
 * that can read the store (`status`, the operator commands' prompt and wait). Pure.
 *
 * The holder renews its lease every third of `leaseDurationMs`. A record not renewed for a whole duration
 * belongs to a controller that died, froze or lost the store: nobody acts on it (a standby takes it over).
 * `renewedAt` is the holder's wall clock and the age is taken by this host's, so a clock skew between the
 * two hosts shifts the verdict by that skew; the lease itself never trusts clocks across hosts (store.ts),
 * only this report for people does.
 */
import type { LeaseStatus } from '../store/store.ts';

/**
 * - `running`: a holder renewed the lease within its duration;
 * - `stopped`: the lease was released (a clean stop) or, file store, its process on this host is gone;
 * - `expired`: not renewed for longer than its duration (killed on another host, frozen, cut off);
 * - `never`: no controller ever took the lease in this store.
 */
export type LivenessState = 'running' | 'stopped' | 'expired' | 'never';

export interface ControllerLiveness {
  state: LivenessState;
  /** True only for `running`: a controller applies queued commands within seconds. */
  running: boolean;
  /** The (last) holder's name (`host:pid` unless configured otherwise). */
  holder: string | null;
  host: string | null;
  pid: number | null;
  /** The fencing epoch: +1 per take-over. */
  epoch: number | null;
  /** The holder's wall clock at its last renewal (or release). */
  renewedAt: string | null;
  /** The holder's wall clock when it took the lease at this epoch: acting since then (null when not recorded). */
  since: string | null;
  /** How long ago that was, by this host's clock; null without a lease. */
  renewedAgoMs: number | null;
  leaseDurationMs: number | null;
  /** One line for people: who, since when, and why it counts as (not) running. */
  summary: string;
}

/** The verdict on `lease` at `now` (epoch ms). */
export function livenessOf(lease: LeaseStatus | undefined, now: number): ControllerLiveness {
  if (!lease) {
    return {
      state: 'never',
      running: false,
      holder: null,
      host: null,
      pid: null,
      epoch: null,
      renewedAt: null,
      since: null,
      renewedAgoMs: null,
      leaseDurationMs: null,
      summary: 'no controller has ever taken the lease of this store',
    };
  }
  const renewed = Date.parse(lease.renewedAt);
  const agoMs = Number.isFinite(renewed) ? Math.max(0, now - renewed) : null;
  const state: LivenessState = lease.released
    ? 'stopped'
    : agoMs === null || agoMs > lease.leaseDurationMs
      ? 'expired'
      : 'running';
  const ago = agoMs === null ? 'at an unreadable time' : `${formatAge(agoMs)} ago`;
  const who = `${lease.holder} (epoch ${lease.epoch})`;
  const summary =
    state === 'running'
      ? `${who} holds the lease, renewed ${ago} (lease ${formatAge(lease.leaseDurationMs)})`
      : state === 'stopped'
        ? `${who} stopped: it released its lease, or its process on this host is gone (last renewed ${ago})`
        : `${who} last renewed its lease ${ago}, longer than its ${formatAge(lease.leaseDurationMs)} lease: it is dead, frozen or cut off from the store`;
  return {
    state,
    running: state === 'running',
    holder: lease.holder,
    host: lease.host ?? null,
    pid: lease.pid ?? null,
    epoch: lease.epoch,
    renewedAt: lease.renewedAt,
    since: lease.takenAt ?? null,
    renewedAgoMs: agoMs,
    leaseDurationMs: lease.leaseDurationMs,
    summary,
  };
}

/** A duration for people, to the precision that matters at its size: `850ms`, `1.5s`, `12s`, `4 min`, `3 h 5 min`, `2 d 4 h`. */
export function formatAge(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000 && ms % 1000 !== 0) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  const min = Math.floor(s / 60);
  if (min < 120) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}
