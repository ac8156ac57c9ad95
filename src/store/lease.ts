/**
 * The lease rules every store shares. A store reads its lease record, hands it to its {@link LeaseKeeper},
 * and performs the write the keeper plans, conditional on the record version the keeper names; the keeper
 * decides (renew, take, wait) and keeps this instance's view: what it holds, until when, and since when it
 * has seen the record unchanged. No wall clock is ever compared across hosts: see `store.ts`.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { LeaseStatus } from './store.ts';

/** The lease as the stores keep it. */
export interface LeaseRecord {
  /** The `writer` of the holder. */
  holder: string;
  /** Unique per store instance: tells two instances with the same `writer` apart (a restart, two stores in one process). */
  token: string;
  /** Host and pid of the holder's process (for status, and the file store's same-host liveness check). */
  host?: string | undefined;
  pid?: number | undefined;
  /** +1 on every take-over; kept by renewals and the release. */
  epoch: number;
  /** New on every write of the record. */
  recordVersion: string;
  /** How long the holder promised the lease lasts without a renewal. */
  leaseDurationMs: number;
  /** The holder's wall clock at the write (ISO 8601); for people only. */
  renewedAt: string;
  /** The holder's wall clock when it took this epoch (ISO 8601); kept by renewals; for people only. */
  takenAt?: string | undefined;
  /** Set by `releaseLease`: anyone may take it at once. */
  released: boolean;
}

/**
 * Whether a lease's holder is known to be gone although it did not release the lease (a store that can
 * tell, e.g. by the holder's pid on this host). Claim and status take the same one, so whoever reads the
 * lease (`status`) and whoever claims it agree.
 */
export type HolderGone = (record: LeaseRecord) => boolean;

export const NEVER_GONE: HolderGone = () => false;

/** A write the keeper wants: the record to write, and the record version it must replace. */
export interface LeaseWrite {
  kind: 'renew' | 'take' | 'release';
  record: LeaseRecord;
  /** The record version the write is conditional on; undefined: only when no lease record exists yet. */
  replaces: string | undefined;
}

/** What a claim should do after reading the record. */
export type LeasePlan = { kind: 'wait' } | LeaseWrite;

/** Clocks of a keeper, both in milliseconds. */
export interface LeaseClocks {
  /** Wall clock (epoch ms), for `renewedAt` and `expiresAt` only. */
  now: () => number;
  /** Monotonic clock of this process, for every decision. */
  monotonicNow: () => number;
}

/** A claim write sent whose outcome is unknown (a timeout, a lost answer): it may have landed. */
interface PendingWrite {
  write: LeaseWrite;
  /** Monotonic time just before it was sent. */
  sentAt: number;
}

/** Pending writes remembered; older ones are forgotten (then the keeper only errs towards "not held"). */
const MAX_PENDING = 8;

/**
 * One store instance's lease logic and memory. Not a store: it does no I/O. Call {@link observe} with
 * every record read (right after the answer arrives), {@link plan} to decide a claim, {@link sending}
 * right before a write goes out, then exactly one of {@link committed}, {@link refused} or {@link failed}.
 */
export class LeaseKeeper {
  /** Unique per store instance; the lease record names it, and fenced saves are conditional on it. */
  readonly token = randomUUID();
  readonly #holder: string;
  readonly #host: string;
  readonly #pid: number;
  readonly #clocks: LeaseClocks;
  /** The record version this instance last saw, and since when (monotonic, taken after the read answered). */
  #seen: { recordVersion: string; since: number } | undefined;
  /** What this instance holds, per its last successful write. */
  #held:
    | { epoch: number; recordVersion: string; leaseDurationMs: number; heldUntil: number; takenAt: string | undefined }
    | undefined;
  #pending: PendingWrite[] = [];
  /** The epoch of this instance's last take-over: its saves are fenced on it from then on, for good. */
  #fenceEpoch: number | undefined;

  constructor(holder: string, clocks: LeaseClocks) {
    this.#holder = holder;
    this.#host = hostname();
    this.#pid = process.pid;
    this.#clocks = clocks;
  }

  /** What saves of this instance are conditional on; undefined until it first takes the lease. */
  get fence(): { token: string; epoch: number } | undefined {
    return this.#fenceEpoch === undefined ? undefined : { token: this.token, epoch: this.#fenceEpoch };
  }

  /** True while this instance's last knowledge is that it holds the lease. */
  get holds(): boolean {
    return this.#held !== undefined;
  }

  /** The record versions a write of ours may have left in the store: the held one and any pending ones. */
  get ownRecordVersions(): string[] {
    return [
      ...(this.#held ? [this.#held.recordVersion] : []),
      ...this.#pending.map((p) => p.write.record.recordVersion),
    ];
  }

  /**
   * Takes in a record just read (undefined: there is none). Call it as soon as the answer arrives: the
   * unchanged-for-a-full-duration count of a take-over starts at the first sight of a record version, and
   * starting it late (never early) is what keeps it behind the holder's own deadline.
   */
  observe(record: LeaseRecord | undefined): void {
    const now = this.#clocks.monotonicNow();
    if (!record) {
      this.#seen = undefined;
      this.#held = undefined;
      return;
    }
    if (this.#seen?.recordVersion !== record.recordVersion)
      this.#seen = { recordVersion: record.recordVersion, since: now };
    const landed = this.#pending.find((p) => p.write.record.recordVersion === record.recordVersion);
    if (landed) {
      // A write of ours whose answer was lost did land: it counts from when it was sent.
      this.#settle(landed);
    } else if (this.#held && record.recordVersion !== this.#held.recordVersion) {
      this.#held = undefined;
    }
  }

  /**
   * Decides a claim on the record just observed. Renew what this instance holds; take a record that is
   * missing, released, or whose holder is gone at once; take anyone else's only once this instance has
   * seen its record version unchanged for the record's whole duration; otherwise wait.
   * @param epochFloor the highest epoch the store knows was ever used when there is no record (a store
   *   that keeps its fence apart from the lease); the first take-over gets the next one. Default 0.
   */
  plan(
    record: LeaseRecord | undefined,
    leaseDurationMs: number,
    holderGone: HolderGone = NEVER_GONE,
    epochFloor = 0,
  ): LeasePlan {
    if (!record) return this.#write('take', epochFloor + 1, leaseDurationMs, undefined);
    if (this.#held) return this.#write('renew', this.#held.epoch, leaseDurationMs, record.recordVersion);
    if (record.released || holderGone(record))
      return this.#write('take', record.epoch + 1, leaseDurationMs, record.recordVersion);
    const since = this.#seen?.recordVersion === record.recordVersion ? this.#seen.since : this.#clocks.monotonicNow();
    if (this.#clocks.monotonicNow() - since >= record.leaseDurationMs) {
      return this.#write('take', record.epoch + 1, leaseDurationMs, record.recordVersion);
    }
    return { kind: 'wait' };
  }

  /** A renewal of what this instance holds, planned without reading first (DynamoDB's one-call renewal). */
  planRenewal(leaseDurationMs: number): LeaseWrite | undefined {
    return this.#held ? this.#write('renew', this.#held.epoch, leaseDurationMs, this.#held.recordVersion) : undefined;
  }

  /**
   * The release of what this instance holds, or may hold through a write whose answer was lost; undefined
   * when it holds nothing. `replaces` is the held record version (undefined when only a pending write may
   * have landed: then the store conditions on {@link ownRecordVersions}).
   */
  planRelease(): LeaseWrite | undefined {
    const source = this.#held ?? this.#pending.filter((p) => p.write.kind !== 'release').at(-1)?.write.record;
    return source ? this.#releaseOf(source) : undefined;
  }

  /** Call right before the write is sent: `heldUntil` counts from this moment. */
  sending(write: LeaseWrite): void {
    this.#pending = [...this.#pending, { write, sentAt: this.#clocks.monotonicNow() }].slice(-MAX_PENDING);
  }

  /** The write landed. */
  committed(write: LeaseWrite): void {
    const pending = this.#pending.find((p) => p.write === write);
    if (pending) this.#settle(pending);
  }

  /**
   * The store refused the write: the record is no longer the one it was conditional on (for a release: no
   * longer this instance's). Whatever this instance held is gone; re-read and {@link observe} to see who
   * holds it now.
   */
  refused(write: LeaseWrite): void {
    this.#pending = this.#pending.filter((p) => p.write !== write);
    this.#held = undefined;
  }

  /**
   * The store found this instance deposed without a lease write of its own being refused (DynamoDB: a newer
   * take-over's fence on the document). Whatever it held is gone; its saves stay fenced on its epoch.
   */
  deposed(): void {
    this.#held = undefined;
  }

  /**
   * The write failed without an answer: it may or may not have landed. Held stays as the last success
   * left it (so `heldUntil` does not move); the next observation of the record settles it.
   */
  failed(_write: LeaseWrite): void {
    // Kept in #pending on purpose.
  }

  /** The lease as this instance sees `record` now. */
  status(record: LeaseRecord, holderGone: HolderGone = NEVER_GONE): LeaseStatus {
    const mono = this.#clocks.monotonicNow();
    const held = this.#held !== undefined && this.#held.recordVersion === record.recordVersion;
    const released = record.released || (!held && holderGone(record));
    const changedAt = this.#seen?.recordVersion === record.recordVersion ? this.#seen.since : mono;
    const heldUntil = held ? this.#held?.heldUntil : undefined;
    const lapsesAt = heldUntil ?? (released ? mono : changedAt + record.leaseDurationMs);
    return {
      held,
      holder: record.holder,
      host: record.host,
      pid: record.pid,
      epoch: record.epoch,
      recordVersion: record.recordVersion,
      leaseDurationMs: record.leaseDurationMs,
      released,
      renewedAt: record.renewedAt,
      ...(record.takenAt === undefined ? {} : { takenAt: record.takenAt }),
      changedAt,
      heldUntil,
      expiresAt: new Date(this.#clocks.now() + Math.max(0, lapsesAt - mono)).toISOString(),
    };
  }

  #settle(pending: PendingWrite): void {
    const { record, kind } = pending.write;
    this.#pending = [];
    this.#seen = { recordVersion: record.recordVersion, since: pending.sentAt };
    if (kind === 'release') {
      this.#held = undefined;
      return;
    }
    this.#held = {
      epoch: record.epoch,
      recordVersion: record.recordVersion,
      leaseDurationMs: record.leaseDurationMs,
      heldUntil: pending.sentAt + record.leaseDurationMs,
      takenAt: record.takenAt,
    };
    if (kind === 'take') this.#fenceEpoch = record.epoch;
  }

  #releaseOf(source: {
    epoch: number;
    recordVersion: string;
    leaseDurationMs: number;
    takenAt?: string | undefined;
  }): LeaseWrite {
    const write = this.#write('renew', source.epoch, source.leaseDurationMs, this.#held?.recordVersion, source.takenAt);
    return { kind: 'release', record: { ...write.record, released: true }, replaces: write.replaces };
  }

  #write(
    kind: 'renew' | 'take',
    epoch: number,
    leaseDurationMs: number,
    replaces: string | undefined,
    takenAt: string | undefined = kind === 'take' ? this.#wallTime() : this.#held?.takenAt,
  ): LeaseWrite {
    const record: LeaseRecord = {
      holder: this.#holder,
      token: this.token,
      host: this.#host,
      pid: this.#pid,
      epoch,
      recordVersion: randomUUID(),
      leaseDurationMs,
      renewedAt: this.#wallTime(),
      ...(takenAt === undefined ? {} : { takenAt }),
      released: false,
    };
    return { kind, record, replaces };
  }

  #wallTime(): string {
    return new Date(this.#clocks.now()).toISOString();
  }
}

/**
 * Why a fenced save must fail, or undefined when `record` still names the fence's holder at its epoch,
 * unreleased. The stores check this atomically with the version (under the file lock; in DynamoDB's
 * condition expression).
 */
export function fenceBroken(fence: { token: string; epoch: number }, record: LeaseRecord | undefined): boolean {
  return !record || record.token !== fence.token || record.epoch !== fence.epoch || record.released;
}

/** Throws a `RangeError` unless `leaseDurationMs` is a positive, finite number of milliseconds. */
export function assertLeaseDuration(leaseDurationMs: number): void {
  if (!Number.isFinite(leaseDurationMs) || leaseDurationMs <= 0) {
    throw new RangeError(`leaseDurationMs must be a positive number of milliseconds, got ${leaseDurationMs}`);
  }
}

/** The default monotonic clock: `performance.now()`, which wall-clock steps (NTP, an operator) never move. */
export const monotonicNow = (): number => performance.now();
