/**
 * The shape of the `status` report (`status --json`): the contract's fields and what operators asked for
 * on top. Built by status.ts; rendered by the CLI and judged by game days.
 */
import type { Blocked } from '../../state-machines/index.ts';
import type { ControllerLiveness } from './controller-liveness.ts';
import type { StandbyView } from './standbys.ts';

/** Where the actual split comes from: read just now from Connect, or the controller's last reading (with its age). */
export interface ActualSplit {
  source: 'live' | 'stored';
  telephonyPrimaryPercent: number;
  agentsPrimaryPercent: number | null;
  readAt: string;
  /** How old the reading is, ms (0 for a live read). */
  ageMs: number;
  /** The Region whose API answered (live reads only). */
  region: string | null;
  /**
   * The group's status at the reading (DescribeTrafficDistributionGroup): anything but `ACTIVE` means the
   * split shown is not settled (`UPDATE_IN_PROGRESS`) or the group is unusable. Null when it was not read.
   */
  status: string | null;
}

/** The last operator command the controller applied, from its history. */
export interface LastCommand {
  id: string | null;
  command: string;
  accepted: boolean;
  detail: string;
  force: boolean;
  by: string | null;
  reason: string;
  requestedAt: string | null;
  appliedAt: string;
}

/** What to do next: why, and the command line (with `-c FILE` for the caller to fill in), if any. */
export interface NextStep {
  why: string;
  command: string | null;
}

/** The `status --json` shape of the contract, plus what operators asked for on top. */
export interface StatusReport {
  state: string;
  automation: string;
  desiredPrimaryPercent: number;
  /** The actual split: live from Connect when it answered, else the controller's last reading; null when neither. */
  actualPrimaryPercent: number | null;
  /** When the health state was entered; null when no controller ever ran with this store. */
  since: string | null;
  reason: string;
  signals: Record<string, string>;
  lastShift: {
    at: string;
    primaryPercent: number;
    outcome: string;
    error?: string;
    nextAttemptAt?: string;
    attempts?: number;
  } | null;
  blocked: string | null;
  /**
   * What kind of block {@link blocked} is: `waiting` resolves by itself (a failback step's hold, recoverAfter)
   * and needs no one; the others need a signal or an operator. Null when nothing is blocked.
   */
  blockedKind: Blocked['kind'] | null;
  nextDeadline: string | null;
  automationReason: string | null;
  /** When {@link actualPrimaryPercent} was read. */
  actualReadAt: string | null;
  /** The group's status at that reading (`ACTIVE`, `UPDATE_IN_PROGRESS`, …); null when unknown. */
  actualStatus: string | null;
  store: string;
  updatedAt: string | null;
  /** The running controller that holds the lease (its name, `host:pid`), or null when none is running. */
  leader: string | null;
  /** True when no controller ever saved a state in this store: the rest is what a fresh one would start with. */
  neverRun: boolean;
  trafficDistributionGroup: string;
  regions: { primary: string; replica: string };
  /** While failing back in steps (behaviour 12): which step, its split, and until when it is held. */
  failback?: {
    step: number;
    of: number;
    primaryPercent: number;
    agentsPrimaryPercent: number;
    holdUntil: string | null;
    /** The step's shift is verified in Connect: its hold runs (false: no hold deadline until it is). */
    verified: boolean;
    frozen: boolean;
  } | null;
  /** Percent of agents the state wants on the primary (`traffic.shiftAgents`), else null. */
  desiredAgentsPrimaryPercent: number | null;
  actual: ActualSplit | null;
  /** Why Connect could not be read live, when that was tried and failed. */
  liveReadError: string | null;
  /** When automation entered its current mode (null while active since the start, or never run). */
  automationSince: string | null;
  /** Since when every primary signal has been OK (null while one is not). */
  primaryOkSince: string | null;
  controller: ControllerLiveness;
  /**
   * The controllers standing by, as they announced themselves in the store, newest first (stale ones with
   * `live: false`); null where the store keeps no announcements (the file store: one host).
   */
  standbys: StandbyView[] | null;
  lastCommand: LastCommand | null;
  /** What needs a person's attention, most urgent first; empty when nothing does. */
  attention: string[];
  next: NextStep | null;
  /** Signals with their role and Region, in config order. */
  signalDetails: Array<{
    key: string;
    name: string;
    role: string;
    region: string;
    value: string;
    since: string | null;
  }>;
  /** When this report was made (this host's clock). */
  at: string;
}
