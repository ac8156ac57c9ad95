/**
 * What a game day records while it runs: the game day's own actions (alarm changes, faults, commands),
 * what it observed (the controller's state from its store, the split Connect reports), and, on the local
 * stack, the controller's inside view through `runController`'s hooks and logs. Plain data: the report
 * builders read it, and `report.json` is this object.
 */
import type { AlarmValue } from '../config/types.ts';
import type { ConnectCall } from '../connect/traffic-port.ts';
import type { RunMetadata } from './run-metadata.ts';
import type { GameDayMode } from './scenario-check.ts';
import type { FaultSpec } from './scenario-types.ts';

export interface RecordedAlarm {
  key: string;
  name: string;
  role: 'degraded' | 'critical' | 'replicaUnhealthy';
  region: string;
  /** As DescribeAlarms reported it when the game day started; undefined when it could not be read. */
  initial: AlarmValue | undefined;
}

/** One SetAlarmState made by the game day. */
export interface AlarmChange {
  at: number;
  alarm: string;
  state: AlarmValue;
  step: string;
}

/** One reading of the controller's state (its store) and of the split (Connect). Recorded when it changes. */
export interface Sample {
  at: number;
  health: string | undefined;
  automation: string | undefined;
  desiredPrimaryPercent: number | undefined;
  /** The telephony split on the primary as Connect reports it; undefined when it could not be read. */
  actualPrimaryPercent: number | undefined;
  tdgStatus: string | undefined;
  lastShift: string | undefined;
}

/** A decision of the statechart (hooks on the local stack, the store's history against AWS). */
export interface RecordedDecision {
  at: number;
  region: string;
  from: string;
  to: string;
  reason: string;
  trigger: string;
  alarms: string[];
  by?: string;
  /** For health decisions: the telephony percent decided (each failback step its own). */
  primaryPercent?: number;
}

/** The controller took a message from the queue (local stack only: from its logs). */
export interface RecordedReceipt {
  at: number;
  kind: 'alarm' | 'command';
  /** The alarm key, or the command name. */
  subject: string;
  state?: string;
  outcome: string;
}

/** A reconcile outcome (local: hooks; AWS: the store's history, which has `verified` and `failed`). */
export interface RecordedShiftOutcome {
  at: number;
  kind: 'started' | 'verified' | 'failed' | 'observed';
  targetPrimaryPercent: number;
  attempt?: number;
  error?: string;
}

export interface RecordedCommand {
  at: number;
  command: string;
  reason: string;
  id: string;
  step: string;
}

export interface RecordedFault {
  at: number;
  description: string;
  step: string;
  /** The fault as injected, so the report can tell the errors it caused (expected) from others. */
  fault?: FaultSpec;
}

export type StepStatus = 'done' | 'passed' | 'failed' | 'skipped' | 'error';

export interface StepRecord {
  path: string;
  label: string;
  action: string;
  startedAt: number | undefined;
  endedAt: number | undefined;
  status: StepStatus;
  detail?: string;
}

/** One pass/fail verdict: a `waitFor` (reached in time?), an `assert`, or the RTO target. */
export interface Check {
  kind: 'wait' | 'assert' | 'rto';
  step: string | undefined;
  description: string;
  passed: boolean;
  detail: string;
}

/** A failure of the game day's own observation (a read of the store or of Connect). */
export interface ObserverError {
  at: number;
  what: string;
  message: string;
}

/** A controller log line at warn level or above (local stack only). */
export interface RecordedLog {
  at: number;
  level: string;
  msg: string;
  detail: string;
}

export interface Recording {
  scenario: {
    name: string;
    description: string | undefined;
    file: string | undefined;
    rtoTargetMs: number | undefined;
    rtoFrom: string | undefined;
  };
  mode: GameDayMode;
  startedAt: number;
  endedAt: number;
  config: {
    tdg: string;
    regions: { primary: string; replica: string };
    traffic: { healthy: number; degraded: number; failedOver: number };
    timing: { escalateAfterMs: number; recoverAfterMs: number; cooldownMs: number };
    failback: string;
    dryRun: boolean;
  };
  alarms: RecordedAlarm[];
  alarmChanges: AlarmChange[];
  samples: Sample[];
  decisions: RecordedDecision[];
  receipts: RecordedReceipt[];
  connectCalls: ConnectCall[];
  shiftOutcomes: RecordedShiftOutcome[];
  commands: RecordedCommand[];
  faults: RecordedFault[];
  steps: StepRecord[];
  checks: Check[];
  observerErrors: ObserverError[];
  logs: RecordedLog[];
  /** True when the inside view (hooks, logs, Connect calls) was recorded: the local stack. */
  insideView: boolean;
  /** Version, commit, operator, account, hashes: filled in by the `gameday` command (absent in older reports). */
  metadata?: RunMetadata;
}

/** An empty recording for a scenario run; the runner and the local session fill it in. */
export function newRecording(
  init: Pick<Recording, 'scenario' | 'mode' | 'config' | 'insideView'> & { startedAt: number },
): Recording {
  return {
    ...init,
    endedAt: init.startedAt,
    alarms: [],
    alarmChanges: [],
    samples: [],
    decisions: [],
    receipts: [],
    connectCalls: [],
    shiftOutcomes: [],
    commands: [],
    faults: [],
    steps: [],
    checks: [],
    observerErrors: [],
    logs: [],
  };
}
