/** The game-day scenario as validated: its steps, their actions and the conditions they wait for. */
import type { AlarmValue, HealthState, SplitState } from '../config/types.ts';
import type { SignalRole } from '../domain/signals.ts';
import type { AutomationState } from '../domain/states.ts';
import type { ConnectTrafficOperation } from '../local/connect-faults.ts';

export const SHIFT_OUTCOMES = ['pending', 'verified', 'failed', 'dryRun'] as const;
export const OPERATOR_COMMANDS = ['failover', 'failback', 'pause', 'resume'] as const;
/** Faults that hit the next `count` requests of one operation. */
export const REQUEST_FAULTS = ['throttle', 'conflict', 'internal', 'appliedThen500', 'reset', 'hang'] as const;
export const ACTION_KEYS = ['setAlarm', 'fault', 'operator', 'waitFor', 'hold', 'assert'] as const;

export type ActionKey = (typeof ACTION_KEYS)[number];
export type RequestFault = (typeof REQUEST_FAULTS)[number];

/** Default deadline of a `waitFor` step: 60 s. */
export const DEFAULT_WAIT_TIMEOUT_MS = 60_000;
/** Default `reason` of `setAlarm` and `operator` steps. */
export const DEFAULT_REASON = 'connect-failover game day';

/**
 * What `waitFor` waits for and `assert` checks. Every given key must hold at once.
 * - `state`, `automation`, `lastShift`, `signals`: the controller's view, from its store (as `status` shows it);
 * - `primaryPercent`: the telephony split Connect reports (GetTrafficDistribution);
 * - `split`: the same, compared with the config's `traffic.<state>` percent (failingBack has no one split:
 *   wait for `state: failingBack` with a `primaryPercent` instead).
 */
export interface Condition {
  state?: HealthState;
  automation?: AutomationState;
  primaryPercent?: number;
  split?: SplitState;
  lastShift?: (typeof SHIFT_OUTCOMES)[number];
  /** Alarm name or signal role (every alarm of that role) → the value the controller holds for it. */
  signals?: Record<string, AlarmValue>;
}

/** A Connect fault for the local simulator. */
export type FaultSpec =
  | { kind: RequestFault; operation: ConnectTrafficOperation; region: string | undefined; count: number }
  | { kind: 'regionDown' | 'regionUp'; region: string }
  | {
      kind: 'random';
      seed: number;
      rates: Partial<Record<RequestFault, number>>;
      operations: ConnectTrafficOperation[] | undefined;
    }
  | { kind: 'clear' };

export type StepAction =
  | { kind: 'setAlarm'; alarm: string | undefined; signal: SignalRole | undefined; state: AlarmValue; reason: string }
  | { kind: 'fault'; fault: FaultSpec }
  | { kind: 'operator'; command: (typeof OPERATOR_COMMANDS)[number]; reason: string; force: boolean }
  | { kind: 'waitFor'; condition: Condition; timeoutMs: number }
  | { kind: 'hold'; ms: number }
  | { kind: 'assert'; condition: Condition };

/** Runs the step only when every given key matches (the config's `failback`, the run's mode). */
export interface StepGuard {
  failback?: 'manual' | 'automatic';
  mode?: 'local' | 'aws';
}

export interface ScenarioStep {
  /** Where the step is in the file, e.g. `steps[3]` or `cleanup[0]`: errors and reports name it so. */
  path: string;
  name: string | undefined;
  when: StepGuard | undefined;
  action: StepAction;
}

export interface Scenario {
  name: string;
  description: string | undefined;
  /** Recovery-time target: from `from` (a step's name; default the first step that puts a critical alarm in ALARM) to traffic verified on the replica. */
  rto: { targetMs: number; from: string | undefined } | undefined;
  /** Only for `--local`: merged over the local stack's config at the top level, then validated as a config. */
  local: { config: Record<string, unknown> } | undefined;
  steps: ScenarioStep[];
  /** Run after the steps, always (also when a step failed): put alarms back, clear faults. */
  cleanup: ScenarioStep[];
  /** The file it came from; undefined for the built-in scenario. */
  file: string | undefined;
}
