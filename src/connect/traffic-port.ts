/**
 * The traffic port: what the controller needs from Amazon Connect, in its own terms. The AWS adapter
 * (connect-traffic.ts) implements it; the shifter (shifter.ts) drives it with retries and verification.
 */

/** Lifecycle values of a traffic distribution group, as the API reports them. */
export type TdgStatus =
  | 'CREATION_IN_PROGRESS'
  | 'ACTIVE'
  | 'CREATION_FAILED'
  | 'PENDING_DELETION'
  | 'DELETION_FAILED'
  | 'UPDATE_IN_PROGRESS';

/** The split as the controller thinks of it: percent of traffic on the primary Region. */
export interface TrafficSplit {
  telephonyPrimaryPercent: number;
  /** Absent when the TDG reports no AgentConfig. */
  agentsPrimaryPercent: number | undefined;
}

/** One call to Connect, as logged, counted and shown in game-day reports. */
export interface ConnectCall {
  operation: 'UpdateTrafficDistribution' | 'GetTrafficDistribution' | 'DescribeTrafficDistributionGroup';
  region: string;
  startedAt: number;
  durationMs: number;
  /** HTTP status, or undefined for network errors and timeouts. */
  status: number | undefined;
  /** Error name (`ThrottlingException`, `TimeoutError`, …) when it failed. */
  error: string | undefined;
}

/** What a shift produced. */
export interface ShiftResult {
  outcome: 'verified' | 'alreadyInPlace';
  /** Every Connect call made for this shift, in order. */
  calls: ConnectCall[];
  /** UpdateTrafficDistribution requests sent. */
  writes: number;
  /** Region whose API accepted the write (undefined when none was needed). */
  writtenVia: string | undefined;
  verifiedAt: number;
  split: TrafficSplit;
}
