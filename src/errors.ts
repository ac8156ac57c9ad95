/**
 * One root error for the project; every subclass says whether retrying the same work can help.
 * Terminal errors are reported and not retried; retryable ones go back through backoff.
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
    super(location, `formatVersion ${found} was written by a newer connect-failover (this one reads ${supported})`, remedy);
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

import type { ConnectCall } from './connect/traffic-port.ts';

/**
 * How a Connect traffic call failed: `throttled` 429, `conflict` 409, `server` 5xx (or an unreadable
 * answer), `timeout` and `network` (no answer), `client` 4xx other than 429/409 and missing credentials
 * (terminal: someone has to fix config or IAM), `aborted` (the caller's signal).
 */
export type ConnectApiErrorKind = 'throttled' | 'conflict' | 'server' | 'timeout' | 'network' | 'client' | 'aborted';

/**
 * One Connect traffic call failed. The adapter wraps each SDK error once, keeping the HTTP status, the
 * error name and the SDK error as `cause`.
 */
export class ConnectApiError extends ConnectFailoverError {
  readonly operation: ConnectCall['operation'];
  readonly region: string;
  /** HTTP status; undefined when no response arrived. */
  readonly status: number | undefined;
  /** Error name, e.g. `ThrottlingException`, `TimeoutError`, `ECONNRESET`. */
  readonly code: string;
  readonly kind: ConnectApiErrorKind;
  /**
   * True when an UpdateTrafficDistribution may have been applied although it failed (5xx, timeout,
   * network error, abort after sending): read before sending it again. Always false for reads.
   */
  readonly ambiguous: boolean;
  /** The `Id` the call addressed the group by: its ARN, or a bare id. */
  readonly tdgId: string;

  constructor(
    message: string,
    details: {
      operation: ConnectCall['operation'];
      region: string;
      status: number | undefined;
      code: string;
      kind: ConnectApiErrorKind;
      ambiguous: boolean;
      tdgId: string;
      cause?: unknown;
    },
  ) {
    super(`${details.operation} in ${details.region}: ${message}`, {
      retryable: details.kind !== 'client',
      cause: details.cause,
    });
    this.operation = details.operation;
    this.region = details.region;
    this.status = details.status;
    this.code = details.code;
    this.kind = details.kind;
    this.ambiguous = details.ambiguous;
    this.tdgId = details.tdgId;
  }
}

/**
 * A traffic shift (or a read of the split) did not complete. Retryable when it ran out of time on
 * errors that may pass (throttling, 5xx, outages); terminal when Connect refused it for a reason someone
 * must fix, which the message names (IAM, the TDG's ARN, its status).
 */
export class ShiftError extends ConnectFailoverError {
  /** The primary percent the shift aimed at; undefined for a read. */
  readonly targetPrimaryPercent: number | undefined;
  /** Every Connect call made, in order. */
  readonly calls: readonly ConnectCall[];
  /** The last Connect error seen, if any. */
  readonly lastError: ConnectApiError | undefined;
  /** Read-compare-write passes made. */
  readonly attempts: number;
  /** UpdateTrafficDistribution requests sent. */
  readonly writes: number;

  constructor(
    message: string,
    details: {
      retryable: boolean;
      targetPrimaryPercent?: number | undefined;
      calls: readonly ConnectCall[];
      lastError?: ConnectApiError | undefined;
      attempts: number;
      writes: number;
    },
  ) {
    super(message, { retryable: details.retryable, cause: details.lastError });
    this.targetPrimaryPercent = details.targetPrimaryPercent;
    this.calls = details.calls;
    this.lastError = details.lastError;
    this.attempts = details.attempts;
    this.writes = details.writes;
  }
}
