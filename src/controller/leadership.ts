/**
 * Leadership over one store: standing by until the lease can be taken, then knowing, by this process's
 * own monotonic clock, until when it is surely still held. Any number of controllers may share a store;
 * exactly one acts. A lease alone does not stop a deposed leader that was paused (SIGSTOP, a long GC, a
 * frozen VM) from acting when it wakes up: every Connect write first asks `assertSure()`, and every save
 * is fenced by the lease epoch in the store.
 */
import type { Clock } from '../clock.ts';
import { LeaseLostError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { LeaseStatus, StateStore } from '../store/store.ts';

/** Part of the lease kept back from acting: clock-rate differences and the time a write takes to land. */
export const SAFETY_MARGIN_FRACTION = 0.2;

/**
 * Waits until this process holds the lease; polls every third of the lease duration. Resolves with the
 * lease, or undefined when stopped while standing by. Store failures are logged and retried.
 */
export async function standBy(
  store: StateStore,
  durationMs: number,
  clock: Clock,
  logger: Logger,
  signal: AbortSignal,
): Promise<LeaseStatus | undefined> {
  let reported: string | undefined;
  while (!signal.aborted) {
    try {
      const lease = await store.acquireLease(durationMs, signal);
      if (lease.held) return lease;
      const holder = `${lease.holder} (epoch ${lease.epoch})`;
      if (reported !== holder)
        logger.warn(
          { holder: lease.holder, epoch: lease.epoch, released: lease.released },
          'standby: another controller holds the lease',
        );
      reported = holder;
    } catch (error) {
      if (signal.aborted) return undefined;
      logger.warn({ err: error }, 'standby: the store did not answer; trying again');
    }
    await clock.sleep(durationMs / 3, signal).catch(() => undefined);
  }
  return undefined;
}

/** The lease while this process leads: renewed every third of its duration, and how sure we are of it. */
export class LeaseGuard {
  private heldUntil: number;
  private readonly marginMs: number;

  constructor(
    private readonly store: StateStore,
    private lease: LeaseStatus,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly monotonicNow: () => number = () => performance.now(),
  ) {
    this.heldUntil = lease.heldUntil ?? this.monotonicNow();
    this.marginMs = lease.leaseDurationMs * SAFETY_MARGIN_FRACTION;
  }

  get epoch(): number {
    return this.lease.epoch;
  }

  /** True while no other controller can hold the lease, by this process's own clock, with a margin. */
  sure(): boolean {
    return this.monotonicNow() < this.heldUntil - this.marginMs;
  }

  /** Throws LeaseLostError unless `sure()`: called before every Connect write. */
  assertSure(): void {
    if (!this.sure()) {
      throw new LeaseLostError(this.store.describe(), { epoch: this.lease.epoch });
    }
  }

  /**
   * Renews until `signal` aborts; rejects with LeaseLostError as soon as the lease is lost or can no longer
   * be known to be ours (renewals failing until the safe part of the lease ran out).
   */
  async keep(signal: AbortSignal): Promise<void> {
    const period = this.lease.leaseDurationMs / 3;
    while (!signal.aborted) {
      // Wake for the next renewal, or when the safe part of the lease runs out, whichever comes first.
      const untilUnsure = this.heldUntil - this.marginMs - this.monotonicNow();
      await this.clock.sleep(Math.max(0, Math.min(period, untilUnsure)), signal).catch(() => undefined);
      if (signal.aborted) return;
      try {
        const lease = await this.store.acquireLease(this.lease.leaseDurationMs, signal);
        if (!lease.held)
          throw new LeaseLostError(this.store.describe(), {
            epoch: this.lease.epoch,
            currentEpoch: lease.epoch,
            currentHolder: lease.holder,
            released: lease.released,
          });
        this.lease = lease;
        this.heldUntil = lease.heldUntil ?? this.heldUntil;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof LeaseLostError) throw error;
        this.logger.warn(
          { err: error, epoch: this.lease.epoch },
          'lease renewal failed; trying again while the lease is surely ours',
        );
      }
      if (!this.sure()) throw new LeaseLostError(this.store.describe(), { epoch: this.lease.epoch });
    }
  }
}
