/**
 * The state store port: one versioned document per traffic distribution group, conditional saves, and a
 * leader lease with a fencing epoch.
 *
 * The lease follows the AWS DynamoDB Lock Client's rule and trusts no clock across hosts: every write of
 * the lease record gets a new `recordVersion`; a standby takes a lease held by someone else only after it
 * has seen the same `recordVersion` unchanged for the holder's whole `leaseDurationMs` by its OWN
 * monotonic clock (or at once when the record says released). The holder, in turn, may act only until
 * `heldUntil`: the moment it *sent* its last successful write plus the duration, by its own monotonic
 * clock. A standby starts counting only after it *received* that record, which is after the holder sent
 * it, so the holder's `heldUntil` comes before any standby's take-over (clock rates assumed equal; keep
 * a margin for drift).
 *
 * Fencing: each take-over increments `epoch`. A store instance that has taken the lease makes every
 * `save` conditional on the document version AND on the lease record still naming this instance at that
 * epoch, unreleased; a deposed (or released) holder's save throws `LeaseLostError`. The check is made by
 * the store in the same atomic write as the version check (one conditional write in DynamoDB; under the
 * file lock in the file store), so it holds however late a paused process wakes up.
 */

/** What the store keeps. `data` is the controller's own document; the store never looks inside it. */
export interface StoredDocument<T = unknown> {
  /** 1 for the first save, +1 for each save after it. 0 is never stored: it means "nothing saved yet". */
  version: number;
  /** ISO 8601 time of the save, from the saving store's clock. */
  updatedAt: string;
  /** The `writer` of the store that saved it (a host, pid or controller name). */
  writer: string;
  data: T;
}

/** The lease duration when the config does not say (`store.leaseDuration`): 15 s. */
export const DEFAULT_LEASE_DURATION_MS = 15_000;

/**
 * The lease as one store instance sees it after a read or a claim. Times named `…At` are ISO 8601 wall
 * clock times for people; decisions use the monotonic ones (`changedAt`, `heldUntil`), which are
 * milliseconds of THIS instance's monotonic clock (`performance.now()` unless injected) and mean nothing
 * in another process.
 */
export interface LeaseStatus {
  /**
   * True when this store instance holds the lease: its last claim succeeded and the record still names it
   * (as of this call). Act only while `held` and before {@link heldUntil}.
   */
  held: boolean;
  /** The `writer` of the holder; after a release, of the last holder. */
  holder: string;
  /** Host name of the holder's process, when recorded. */
  host: string | undefined;
  /** Pid of the holder's process, when recorded. */
  pid: number | undefined;
  /**
   * The fencing epoch: 1 for the first take-over of a store, +1 for every take-over after it (a release and
   * a re-take count as one), unchanged by renewals and by the release.
   */
  epoch: number;
  /** Opaque; new on every write of the lease record (take-over, renewal, release). */
  recordVersion: string;
  /** How long the holder promised the lease lasts without a renewal, as the holder wrote it. */
  leaseDurationMs: number;
  /**
   * True when a claimant may take the lease at once: its holder released it (graceful stop), or (file
   * store only) the holder was a process on this host that no longer runs. Nobody acts on a released lease.
   */
  released: boolean;
  /** The holder's wall clock when it last wrote the record. For people only: never used to decide. */
  renewedAt: string;
  /**
   * The holder's wall clock when it took the lease at this epoch (renewals keep it), when recorded (records
   * written by releases before it was kept have none). For people only.
   */
  takenAt?: string | undefined;
  /**
   * The other controllers that stood by recently, as they announced themselves (newest first), where the
   * store keeps such announcements (DynamoDB); undefined where it does not (file and memory stores: one host).
   * Stale entries are included with their `lastSeen`: the reader decides what counts as gone.
   */
  standbys?: StandbyPresence[] | undefined;
  /**
   * When this instance first saw `recordVersion` (its monotonic clock; for a record it wrote itself, when
   * it sent that write): the record has not changed since, as far as this instance knows. A claim by
   * this instance takes someone else's lease once `changedAt + leaseDurationMs` has passed.
   */
  changedAt: number;
  /**
   * Only when `held`: the moment (this instance's monotonic clock) until which no other instance can take
   * the lease: when this instance sent its last successful claim, plus the duration. Undefined otherwise.
   */
  heldUntil: number | undefined;
  /**
   * For people, by this instance's wall clock: when the lease lapses unless renewed (held: `heldUntil`;
   * otherwise when this instance could take it; released: now).
   */
  expiresAt: string;
}

/**
 * A standby's announcement: a store instance that claims the lease without holding it writes one at most
 * once per lease duration while it waits (DynamoDB store), and removes it when it stops or takes the lease.
 */
export interface StandbyPresence {
  /** The standby's `writer` (`host:pid` for a controller). */
  writer: string;
  host: string;
  pid: number;
  /** The connect-failover version it runs. */
  version: string;
  /** Its wall clock at the announcement (ISO 8601): its age is a cross-host clock comparison, for people only. */
  lastSeen: string;
  /** The lease duration it claims with: it announces itself at least once per this. */
  leaseDurationMs: number;
}

export interface StateStore {
  /**
   * The saved document, or undefined when nothing was ever saved. Throws `StoreCorruptError` (or its
   * subclass `StoreFormatError`) for a document that cannot be used as it is: never a silent reset.
   */
  load(signal?: AbortSignal): Promise<StoredDocument | undefined>;

  /**
   * Saves `data` only if the stored version is still `expectedVersion` (0 = nothing stored yet) and returns
   * the new version (`expectedVersion + 1`). `data` must survive `JSON.stringify` (it is stored as JSON;
   * `undefined` is refused).
   *
   * Fenced: once this instance has taken the lease, the save also requires the lease record to name this
   * instance at the epoch it took, unreleased, checked atomically with the version. Throws:
   * - `LeaseLostError` when another instance took the lease over, or this one released it (even if the
   *   version matched too). Terminal: stop acting; never reload and retry.
   * - `StoreConflictError` when someone saved in between; the caller reloads and decides again.
   * - `StoreDocumentTooLargeError` when the store cannot keep a document this large (DynamoDB: 350 KiB of
   *   gzip-compressed JSON); nothing is written.
   * A save that throws anything else may or may not have happened: reload before deciding again.
   *
   * An instance that never took the lease saves with the version check alone (tools, tests, migrations):
   * a controller takes the lease before its first save.
   */
  save(data: unknown, expectedVersion: number, signal?: AbortSignal): Promise<number>;

  /**
   * Takes the lease, or renews it when this instance holds it, and returns the lease as it stands after
   * the call. This instance gets it when:
   * - it holds it (a renewal: same epoch, new `recordVersion`, conditional on the record version it last
   *   wrote);
   * - nobody ever held it, or the record says released, or (file store) the holder's process on this host
   *   is gone: at once, epoch + 1;
   * - this instance has seen the same `recordVersion` unchanged for the record's `leaseDurationMs` by its
   *   own monotonic clock: epoch + 1. A first call only starts that count; poll to complete it.
   * Otherwise `held` is false and nothing is written. Of several instances claiming at once, exactly one
   * wins (each take-over is conditional on the record version it saw).
   *
   * The holder renews well inside `leaseDurationMs` (every third of it) and acts only before `heldUntil`.
   * A renewal that finds the record taken returns `held: false`; one that throws leaves `heldUntil` where
   * the last successful claim put it.
   *
   * @param leaseDurationMs how long the lease lasts without a renewal, recorded for claimants to wait out
   *   (`store.leaseDuration`, default {@link DEFAULT_LEASE_DURATION_MS}). Throws `RangeError` unless a
   *   positive number of milliseconds.
   */
  acquireLease(leaseDurationMs: number, signal?: AbortSignal): Promise<LeaseStatus>;

  /**
   * Gives the lease up if this instance holds it: marks the record released (epoch kept, new record
   * version), so a standby takes it at once (a graceful stop or rolling deploy does not wait a lease out).
   * Saves by this instance fail with `LeaseLostError` afterwards. Does nothing when it holds nothing.
   */
  releaseLease(signal?: AbortSignal): Promise<void>;

  /**
   * The lease record as this instance sees it, or undefined when no lease was ever taken in this store.
   * Never takes it (for `status`, and for a standby's watch: each read counts towards the unchanged-for-a-
   * full-duration rule). Check `released` before naming the holder as the acting controller.
   */
  readLease(signal?: AbortSignal): Promise<LeaseStatus | undefined>;

  /** A human description for logs and status, e.g. `file /var/lib/x/state.json`. */
  describe(): string;

  /**
   * Checks the store can be read and written now, without changing the document or the lease (for
   * readiness and preflight). Throws the error a load or save would meet.
   */
  probe(signal?: AbortSignal): Promise<void>;

  /** Waits for operations in flight, then refuses new ones. Does not release the lease. */
  close(): Promise<void>;
}

/** The part of a logger the store uses; a pino logger fits. */
export interface StoreLogger {
  warn(details: Record<string, unknown>, message: string): void;
}
