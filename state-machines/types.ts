/**
 * Types of the failover statechart. Pure data: no AWS, no I/O. `src/` adapts its own types to these.
 */

/** Values of a CloudWatch alarm's state. */
export type AlarmValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/**
 * Health of the primary Region as the controller has decided it (and so where traffic should be).
 * `failingBack`: on probation on the way back from `failedOver`, at one of `traffic.failbackSteps`.
 */
export type HealthState = 'healthy' | 'degraded' | 'failedOver' | 'failingBack';

/** The health states that have one configured split (`traffic.<state>`); `failingBack`'s depends on its step. */
export type SplitState = Exclude<HealthState, 'failingBack'>;

/** Whether automatic shifts may happen. */
export type AutomationState = 'active' | 'paused' | 'suspended';

/** Everything the statechart decides with. Durations in milliseconds. */
export interface FailoverPolicy {
  /** Configured alarm keys (name or ARN, as written in the config) by role. */
  signals: { degraded: string[]; critical: string[]; replicaUnhealthy: string[] };
  /** Percent of telephony traffic to the primary in each health state. */
  traffic: {
    healthy: number;
    degraded: number;
    failedOver: number;
    /**
     * The primary percentages a return from `failedOver` passes through, strictly increasing and ending
     * with `healthy`. Absent or `[healthy]`: one step, straight back to healthy.
     */
    failbackSteps?: readonly number[];
    /**
     * Percentage points the agents split runs ahead of telephony at each failback step (capped at
     * `healthy`). Absent or 0: agents move with telephony everywhere.
     */
    agentsLead?: number;
  };
  timing: {
    escalateAfterMs: number;
    recoverAfterMs: number;
    cooldownMs: number;
    maxAutomaticShifts: { count: number; perMs: number };
    /** How long each intermediate failback step is held with every primary signal OK. Absent: 2 minutes. */
    failbackStepHoldMs?: number;
  };
  failback: 'manual' | 'automatic';
}

/** The last applied state of one alarm. `at` is the alarm-state timestamp (epoch ms). */
export interface SignalReading {
  value: AlarmValue;
  at: number;
}

/** One decision of the statechart, kept so the controller can log and audit it exactly once. */
export interface Decision {
  /** Increases by one per decision, across restarts. */
  seq: number;
  region: 'health' | 'automation';
  from: string;
  to: string;
  reason: string;
  /** The alarm keys behind the decision. */
  alarms: string[];
  at: number;
  trigger: 'automatic' | 'operator' | 'hand';
  /** For operator decisions: who asked. */
  by?: string;
  /** For health decisions: the telephony percent the new state sends to the primary (a failback step's own). */
  primaryPercent?: number;
}

/** What happened to the last operator command: accepted (maybe as a no-op) or refused, and why. */
export interface CommandOutcome {
  command: OperatorCommandName;
  accepted: boolean;
  detail: string;
  by: string;
  reason: string;
  at: number;
}

export type OperatorCommandName = 'failover' | 'failback' | 'pause' | 'resume';

export interface FailoverContext {
  /**
   * The clock reading of the latest event. Follows the clock both ways: after a step back, the times below
   * that lie ahead of it are brought back to it (see `withClock` in the machine).
   */
  now: number;
  /** Last applied reading per configured alarm key. Missing: never seen (treated as not OK). */
  signals: Record<string, SignalReading>;
  /** When the current health state was entered. */
  since: number;
  /** Since when every primary signal (degraded and critical) has been OK; null while any is not. */
  okSince: number | null;
  /** When traffic was last shifted (automatic or operator). */
  lastShiftAt: number | null;
  /** Times of recent automatic shifts, for the `maxAutomaticShifts` window (oldest first, bounded). */
  automaticShifts: number[];
  /** Set by an operator failover: automatic failback must not undo it; cleared by a failback. */
  operatorHold: boolean;
  /**
   * While `failingBack`: the step (an index into `traffic.failbackSteps`), when it was decided and when
   * its shift was verified; its hold runs from the verification (or from `okSince`, if later). Null in
   * every other health state.
   */
  failbackStep: FailbackStep | null;
  /** Why automation is paused or suspended (null while active). */
  automationReason: string | null;
  /** The most recent decisions, newest last (bounded). */
  decisions: Decision[];
  /** Sequence number of the newest decision. */
  seq: number;
  lastCommand: CommandOutcome | null;
}

/** Where a staged failback is. */
export interface FailbackStep {
  /** 0-based index into `traffic.failbackSteps`; never its last entry (that one is `healthy`). */
  index: number;
  /** When this step was decided (epoch ms). */
  since: number;
  /**
   * When Connect was verified at this step's split (epoch ms): the step's hold starts here. Null until
   * then: a step is a verified shift, held only once it is in place.
   */
  verifiedAt: number | null;
}

interface Timed {
  /** The injected clock's reading when the event was delivered (epoch ms). */
  now: number;
}

interface OperatorRequest extends Timed {
  reason: string;
  by: string;
}

export type FailoverEvent =
  | ({ type: 'alarm.changed'; alarm: string; value: AlarmValue; at: number } & Timed)
  | ({ type: 'alarms.observed'; alarms: Array<{ alarm: string; value: AlarmValue; at: number }> } & Timed)
  | ({ type: 'clock.ticked' } & Timed)
  /**
   * The reconciler verified Connect at this split (telephony and agents) at `at`. During a failback it
   * starts the current step's hold, when the split is that step's.
   */
  | ({ type: 'shift.verified'; primaryPercent: number; agentsPrimaryPercent: number; at: number } & Timed)
  /** Connect was found sending `primaryPercent` to the primary, not what the state wants: someone changed it. */
  | ({ type: 'traffic.changedByHand'; primaryPercent: number } & Timed)
  | ({ type: 'operator.failoverRequested'; force: boolean } & OperatorRequest)
  /**
   * `immediate` (the command's `now`, the CLI's `--now`; not `now`, which every event uses for the clock):
   * straight to healthy, skipping the remaining failback steps. Absent: false.
   */
  | ({ type: 'operator.failbackRequested'; force: boolean; immediate?: boolean } & OperatorRequest)
  | ({ type: 'operator.pauseRequested' } & OperatorRequest)
  | ({ type: 'operator.resumeRequested' } & OperatorRequest);

/** Input to start a fresh machine. */
export interface FailoverInput {
  now: number;
}
