/**
 * The two ways a shift stops because its reads do not confirm its writes. Both are ShiftErrors (the
 * controller reports and retries them like any other); their classes let a caller tell them apart.
 */
import { ShiftError } from '../errors.ts';

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

  constructor(message: string, details: Omit<ShiftErrorDetails, 'retryable'> & { missing: 'AgentConfig'; region: string }) {
    super(message, { ...details, retryable: false });
    this.missing = details.missing;
    this.region = details.region;
  }
}
