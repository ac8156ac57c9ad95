/**
 * One root error for the project; every subclass says whether retrying the same work can help.
 * Terminal errors are reported and not retried; retryable ones go back through backoff.
 *
 * This file is the bottom of the error hierarchy and imports nothing: errors that carry a layer's own
 * data live with that layer and extend these (`connect/errors.ts`: Connect calls and shifts;
 * `backtest/errors.ts`), so every module may import this one without pulling a layer in.
 */
export class ConnectFailoverError extends Error {
  /** True when the same operation may succeed later without anyone changing anything. */
  readonly retryable: boolean;

  constructor(message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
  }
}

/** One problem found in a config file: where it is and what is expected there. */
export interface ConfigIssue {
  /** Dotted key path, e.g. `timing.cooldown` or `signals.critical[0]`; empty for the whole file. */
  path: string;
  message: string;
}

/** The config cannot be used. Lists every problem at once so a user fixes them in one pass. */
export class ConfigError extends ConnectFailoverError {
  readonly issues: readonly ConfigIssue[];
  readonly file: string | undefined;

  constructor(issues: readonly ConfigIssue[], file?: string) {
    const where = file ? ` in ${file}` : '';
    const lines = issues.map((i) => `  ${i.path || '(file)'}: ${i.message}`);
    super(`invalid config${where} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.issues = issues;
    this.file = file;
  }
}

/** A queue message body that is not one of the accepted shapes. Left on the queue for its DLQ. */
export class MalformedMessageError extends ConnectFailoverError {
  /** JSON path inside the body where the problem is, e.g. `detail.state.timestamp`. */
  readonly path: string;

  constructor(message: string, path = '', options: { cause?: unknown } = {}) {
    super(path ? `${path}: ${message}` : message, options);
    this.path = path;
  }
}

/** Command-line usage mistakes: exit code 2. */
export class UsageError extends ConnectFailoverError {}

/**
 * An SQS call failed. The intake wraps each SDK error once, at its boundary, so callers see one type
 * with the SQS code, the HTTP status and whether trying again later can help.
 */
export class QueueError extends ConnectFailoverError {
  /** The SQS action that failed, e.g. `ReceiveMessage`. */
  readonly operation: string;
  /** SQS error code (`QueueDoesNotExist`, `ThrottlingException`, …) or Node network code (`ECONNREFUSED`). */
  readonly code: string;
  /** HTTP status of the failed response; undefined when no response arrived. */
  readonly status: number | undefined;

  constructor(
    operation: string,
    message: string,
    options: { code: string; status?: number | undefined; retryable?: boolean; cause?: unknown },
  ) {
    super(`${operation}: ${message}`, { retryable: options.retryable ?? false, cause: options.cause });
    this.operation = operation;
    this.code = options.code;
    this.status = options.status;
  }
}

/**
 * Root of the state store's errors. `location` is where: the store's `describe()` or the file at fault,
 * e.g. `file /var/lib/x/state.json`.
 * Plain `StoreError`s are I/O failures: retryable unless the cause needs someone to act (permissions, a path
 * that is not a directory).
 */
export class StoreError extends ConnectFailoverError {
  readonly location: string;

  constructor(message: string, location: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options);
    this.location = location;
  }
}

/**
 * The stored document cannot be used as it is (not JSON, a foreign file, a missing or wrong header field).
 * Terminal: the store never overwrites it; an operator fixes it or moves it away.
 */
export class StoreCorruptError extends StoreError {
  /** What is wrong, without the remedy, e.g. `not JSON (Unexpected end of JSON input)`. */
  readonly problem: string;

  constructor(location: string, problem: string, remedy: string, options: { cause?: unknown } = {}) {
    super(`${location}: ${problem}. ${remedy}`, location, { retryable: false, cause: options.cause });
    this.problem = problem;
  }
}

/** The stored document was written in a newer format than this version reads. A kind of unusable document. */
export class StoreFormatError extends StoreCorruptError {
  readonly foundFormatVersion: number;
  readonly supportedFormatVersion: number;

  constructor(location: string, found: number, supported: number, remedy: string) {
    super(
      location,
      `formatVersion ${found} was written by a newer connect-failover (this one reads ${supported})`,
      remedy,
    );
    this.foundFormatVersion = found;
    this.supportedFormatVersion = supported;
  }
}

/**
 * A conditional save lost: someone saved since the caller loaded. Not retryable as is: the caller reloads,
 * decides again on the newer document, and saves with the new version.
 */
export class StoreConflictError extends StoreError {
  readonly expectedVersion: number;
  readonly actualVersion: number;

  constructor(location: string, expectedVersion: number, actualVersion: number) {
    super(
      `${location}: expected version ${expectedVersion} but the store holds version ${actualVersion}; reload and decide again`,
      location,
      { retryable: false },
    );
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

/**
 * Saves kept failing (a full disk, a store that went away). The controller stops rather than act on state
 * that nobody else can see and that a restart would lose; the messages it could not save stay on the
 * queue and are applied by the next controller.
 */
export class StoreUnavailableError extends StoreError {
  readonly failures: number;

  constructor(location: string, failures: number) {
    super(
      `${location}: the state could not be saved ${failures} times in a row; stopping so that no decision is acted on unsaved ` +
        '(unsaved messages stay on the queue). Free space or restore access to the store, then start the controller again',
      location,
      { retryable: true },
    );
    this.failures = failures;
  }
}

/** The store's exclusive lock stayed held by someone else for the whole wait. Retryable. */
export class StoreLockError extends StoreError {
  /** The lock that could not be taken, e.g. the lock file's path. */
  readonly lock: string;
  /** Who holds it, as far as the lock says, e.g. `pid 4242 on host ip-10-0-0-1 (writer a)`. */
  readonly holder: string;

  constructor(location: string, lock: string, holder: string, waitedMs: number, remedy: string) {
    super(`${location}: lock ${lock} is held by ${holder}; gave up after ${waitedMs} ms. ${remedy}`, location, {
      retryable: true,
    });
    this.lock = lock;
    this.holder = holder;
  }
}

/**
 * A save (or a renewal) by a store instance that took the leader lease and no longer holds it: another
 * controller took it over (a higher epoch), or this instance released it. Terminal for this instance: it
 * must stop acting at once, write nothing more, and become a standby. Deliberately not a
 * `StoreConflictError`: reloading and saving again would be a deposed leader's write.
 */
export class LeaseLostError extends StoreError {
  /** The lease epoch this instance took. */
  readonly epoch: number;
  /** The epoch the store holds now; undefined when the lease record is gone. */
  readonly currentEpoch: number | undefined;
  /** The `writer` the lease record names now; undefined when the record is gone. */
  readonly currentHolder: string | undefined;
  /** True when the record now says released. */
  readonly released: boolean;

  constructor(
    location: string,
    lost: { epoch: number; currentEpoch?: number | undefined; currentHolder?: string | undefined; released?: boolean },
  ) {
    const now =
      lost.currentEpoch === undefined
        ? 'the lease record is gone'
        : lost.released
          ? `the lease of epoch ${lost.currentEpoch} is released`
          : `${lost.currentHolder ?? 'another controller'} holds it at epoch ${lost.currentEpoch}`;
    super(
      `${location}: this controller no longer holds the lease it took at epoch ${lost.epoch} (${now}); it must write nothing more`,
      location,
      {
        retryable: false,
      },
    );
    this.epoch = lost.epoch;
    this.currentEpoch = lost.currentEpoch;
    this.currentHolder = lost.currentHolder;
    this.released = lost.released ?? false;
  }
}

/**
 * The document is larger than the store keeps in one write (DynamoDB: 400 KB per item). Terminal: nothing
 * was written; the document has to shrink (the controller bounds its history).
 */
export class StoreDocumentTooLargeError extends StoreError {
  /** The size the store measured, in bytes (DynamoDB: the gzip-compressed JSON). */
  readonly bytes: number;
  /** The most the store accepts, in the same measure. */
  readonly limitBytes: number;

  constructor(location: string, bytes: number, limitBytes: number) {
    super(
      `${location}: the document is ${bytes} bytes compressed, more than the ${limitBytes} this store keeps; nothing was saved`,
      location,
      {
        retryable: false,
      },
    );
    this.bytes = bytes;
    this.limitBytes = limitBytes;
  }
}

/**
 * The configured DynamoDB table does not exist (or these credentials cannot see it in that Region). A
 * setup step is missing, so it is a config error (exit 2) whose message names the command that fixes it.
 */
export class StoreTableMissingError extends ConfigError {
  readonly table: string;
  readonly region: string;

  constructor(table: string, region: string, options: { cause?: unknown } = {}) {
    const message =
      `DynamoDB table "${table}" does not exist in ${region} (or these credentials cannot see it); ` +
      'create it with `connect-failover init-store -c FILE` (FILE: this config file), or point store.table and store.region at the table';
    super([{ path: 'store.table', message }]);
    // One line naming the fix, rather than ConfigError's "invalid config" heading: the config is fine.
    this.message = `store.table: ${message}`;
    if (options.cause !== undefined) this.cause = options.cause;
    this.table = table;
    this.region = region;
  }
}
