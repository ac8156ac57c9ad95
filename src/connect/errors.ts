/**
 * The errors of Connect's traffic API and of shifts, all `ConnectFailoverError`s: a failed call
 * (`ConnectApiError`, wrapped once at the adapter), a shift that did not complete (`ShiftError`), and
 * the two ways a shift's reads fail to confirm its writes (`WriteLimitError`, `UnverifiableSplitError`),
 * whose classes let a caller tell them apart while the controller reports and retries them like any other.
 */
import { ConnectFailoverError } from '../errors.ts';
import type { ConnectCall } from './traffic-port.ts';

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

type ShiftErrorDetails = ConstructorParameters<typeof ShiftError>[1];

/**
 * Connect accepted the shift's writes, `maxWrites` of them, but no read showed the target within each
 * write's settle time: reads lag, come from a stale replica, or someone else keeps changing the split.
 * Retryable: writing again at once is what made the write storm (finding 14.3), waiting may well help.
 */
export class WriteLimitError extends ShiftError {
  /** Writes Connect accepted in the shift. */
  readonly acceptedWrites: number;

  constructor(message: string, details: Omit<ShiftErrorDetails, 'retryable'> & { acceptedWrites: number }) {
    super(message, { ...details, retryable: true });
    this.acceptedWrites = details.acceptedWrites;
  }
}

/**
 * A read can never show the target, however often the split is written: GetTrafficDistribution answers
 * without AgentConfig while `traffic.shiftAgents` is on. Terminal: a person fixes the group or the config.
 */
export class UnverifiableSplitError extends ShiftError {
  /** The member of the GetTrafficDistribution answer that is missing. */
  readonly missing: 'AgentConfig';
  /** The Region whose answer lacked it. */
  readonly region: string;

  constructor(
    message: string,
    details: Omit<ShiftErrorDetails, 'retryable'> & { missing: 'AgentConfig'; region: string },
  ) {
    super(message, { ...details, retryable: false });
    this.missing = details.missing;
    this.region = details.region;
  }
}
