/**
 * The state store port: one versioned document, conditional saves, and an advisory leader lease.
 *
 * Shaped so a shared DynamoDB store fits without touching the controller: `save` maps to one conditional
 * PutItem (`attribute_not_exists(pk)` for version 0, else `version = :expected`), and the lease to one
 * conditional write on a second item (`attribute_not_exists(pk) OR expiresAt < :now OR token = :mine`).
 */

/** What the store keeps. `data` is the controller's own document; the store never looks inside it. */
export interface StoredDocument<T = unknown> {
  /** 1 for the first save, +1 for each save after it. 0 is never stored: it means "nothing saved yet". */
  version: number;
  /** ISO 8601 time of the save, from the store's clock. */
  updatedAt: string;
  /** The `writer` of the store that saved it (a host, pid or controller name). */
  writer: string;
  data: T;
}

/** Who leads, as the store sees it. */
export interface LeaseStatus {
  /** True when this store instance holds the lease. */
  held: boolean;
  /** The `writer` of the holder. */
  holder: string;
  /** ISO 8601 time at which the lease lapses unless its holder renews it. */
  expiresAt: string;
}

export interface StateStore {
  /**
   * The saved document, or undefined when nothing was ever saved. Throws `StoreCorruptError` (or its
   * subclass `StoreFormatError`) for a document that cannot be used as it is: never a silent reset.
   */
  load(signal?: AbortSignal): Promise<StoredDocument | undefined>;

  /**
   * Saves `data` only if the stored version is still `expectedVersion` (0 = nothing stored yet) and returns
   * the new version (`expectedVersion + 1`). Throws `StoreConflictError` when someone saved in between; the
   * caller then reloads. `data` must survive `JSON.stringify` (it is stored as JSON; `undefined` is refused).
   * A save that throws anything else may or may not have happened: reload before deciding again.
   */
  save(data: unknown, expectedVersion: number, signal?: AbortSignal): Promise<number>;

  /**
   * Takes the lease, or renews it when this instance already holds it; lets it go to nobody else while
   * unexpired. Returns the lease as it stands after the call. Advisory: it elects which controller acts,
   * `save` does not check it (operator commands and a lagging ex-leader still meet the version check).
   * The holder renews well before `ttlMs` runs out (e.g. every third of it).
   */
  acquireLease(ttlMs: number, signal?: AbortSignal): Promise<LeaseStatus>;

  /** Gives the lease up if this instance holds it, so a standby can take over at once. */
  releaseLease(signal?: AbortSignal): Promise<void>;

  /** The unexpired lease, or undefined when nobody holds one. Never takes it (for `status`). */
  readLease(signal?: AbortSignal): Promise<LeaseStatus | undefined>;

  /** A human description for logs and status, e.g. `file /var/lib/x/state.json`. */
  describe(): string;

  /**
   * Checks the store can be read and written now, without changing the document (for readiness and
   * preflight). Throws the error a load or save would meet.
   */
  probe(signal?: AbortSignal): Promise<void>;

  /** Waits for operations in flight, then refuses new ones. Does not release the lease. */
  close(): Promise<void>;
}

/** The part of a logger the store uses; a pino logger fits. */
export interface StoreLogger {
  warn(details: Record<string, unknown>, message: string): void;
}
