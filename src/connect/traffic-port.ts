/**
 * The traffic port: what the controller needs from Amazon Connect, in its own terms. The AWS adapter
 * (connect-traffic.ts) implements it; the shifter (shifter.ts) drives it with retries and verification.
 */

/** Lifecycle values of a traffic distribution group, as the API reports them. */
export type TdgStatus =
  'CREATION_IN_PROGRESS' | 'ACTIVE' | 'CREATION_FAILED' | 'PENDING_DELETION' | 'DELETION_FAILED' | 'UPDATE_IN_PROGRESS';

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
  /** The split sent (UpdateTrafficDistribution) or read (GetTrafficDistribution); absent otherwise. */
  split?: TrafficSplit;
}

/** Receives each {@link ConnectCall} once it has finished, succeeded or not. */
export type ConnectCallObserver = (call: ConnectCall) => void;

/**
 * Connect's traffic API for one traffic distribution group, callable in either of its two Regions.
 * Implemented by `ConnectTrafficApi`; the shifter adds retries, Region choice and verification on top.
 * Each method makes exactly one request and rejects with a `ConnectApiError` (or the signal's reason).
 */
export interface TrafficApi {
  readonly regions: { readonly primary: string; readonly replica: string };
  /** GetTrafficDistribution in `region`. */
  get(region: string, signal: AbortSignal, onCall?: ConnectCallObserver): Promise<TrafficSplit>;
  /** DescribeTrafficDistributionGroup in `region`: the group's status. */
  describe(region: string, signal: AbortSignal, onCall?: ConnectCallObserver): Promise<TdgStatus>;
  /** UpdateTrafficDistribution in `region`, with the complete split for both Regions. */
  update(region: string, split: TrafficSplit, signal: AbortSignal, onCall?: ConnectCallObserver): Promise<void>;
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

/**
 * A split to reach when the agents' part differs from telephony's (a failback step with
 * `traffic.agentsLead`); both are percent on the primary, 0–100 in steps of 10.
 */
export interface ShiftTarget {
  telephonyPrimaryPercent: number;
  /** Written and verified only while agents are shifted (`traffic.shiftAgents`). */
  agentsPrimaryPercent: number;
}

/** What the controller needs to move and read traffic; the shifter implements it over the Connect API. */
export interface TrafficControl {
  /**
   * One logical shift, verified; rejects with the signal's reason when superseded. A number is the percent
   * for telephony and agents alike.
   */
  shift(target: number | ShiftTarget, signal: AbortSignal, labels?: Record<string, unknown>): Promise<ShiftResult>;
  /** The split and status now, from whichever Region answers. */
  read(signal: AbortSignal): Promise<{ split: TrafficSplit; status: TdgStatus; region: string }>;
}
