/**
 * Types of the failover statechart. Pure data: no AWS, no I/O. `src/` adapts its own types to these.
 */

/** Values of a CloudWatch alarm's state. */
export type AlarmValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** Health of the primary Region as the controller has decided it (and so where traffic should be). */
export type HealthState = 'healthy' | 'degraded' | 'failedOver';

/** Whether automatic shifts may happen. */
export type AutomationState = 'active' | 'paused' | 'suspended';

/** Everything the statechart decides with. Durations in milliseconds. */
export interface FailoverPolicy {
  /** Configured alarm keys (name or ARN, as written in the config) by role. */
  signals: { degraded: string[]; critical: string[]; replicaUnhealthy: string[] };
  /** Percent of telephony traffic to the primary in each health state. */
  traffic: { healthy: number; degraded: number; failedOver: number };
  timing: {
    escalateAfterMs: number;
    recoverAfterMs: number;
    cooldownMs: number;
    maxAutomaticShifts: { count: number; perMs: number };
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
  trigger: 'automatic' | 'operator';
  /** For operator decisions: who asked. */
  by?: string;
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
  /** Why automation is paused or suspended (null while active). */
  automationReason: string | null;
  /** The most recent decisions, newest last (bounded). */
  decisions: Decision[];
  /** Sequence number of the newest decision. */
  seq: number;
  lastCommand: CommandOutcome | null;
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
  | ({ type: 'operator.failoverRequested'; force: boolean } & OperatorRequest)
  | ({ type: 'operator.failbackRequested'; force: boolean } & OperatorRequest)
  | ({ type: 'operator.pauseRequested' } & OperatorRequest)
  | ({ type: 'operator.resumeRequested' } & OperatorRequest);

/** Input to start a fresh machine. */
export interface FailoverInput {
  now: number;
}
