/**
 * The Connect simulator's public shapes: its options, what it records, and the running simulator. Kept
 * apart from the server so the admin API (connect-simulator-admin.ts) can name the simulator without
 * importing the module that imports it.
 */
import type { ContactFlowDirectory } from './connect-contact-flows.ts';
import type { ConnectFaults, FaultKind, FaultPlan } from './connect-faults.ts';
import type { ConnectOperation } from './connect-rest-json.ts';
import type { TdgStatus, TrafficState } from './connect-traffic-group.ts';
import type { Split } from './connect-traffic-rules.ts';

/** Options of `startConnectSimulator`. */
export interface ConnectSimulatorOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** 12 digits; the account in every ARN. */
  accountId: string;
  /** UUID of the simulated traffic distribution group. */
  tdgId: string;
  /** The Region the group (and the primary instance) was created in; bare ids resolve only here. */
  homeRegion: string;
  /** The replica Region. */
  otherRegion: string;
  /** UUID of the Connect instance; default `c0ffee00-1c0a-4e5e-9d1b-5a1e5e55e001`. */
  instanceId?: string;
  /** Group name; default `connect-failover`. */
  name?: string;
  /** Group tags; default none. */
  tags?: Record<string, string>;
  /**
   * Whether the simulated group is the instance's default group (the only kind whose SignInConfig may
   * change). Default false; then the instance's default group (which Connect creates on replication)
   * is simulated beside it, with id `defaultTdgId`, and is listed first.
   */
  isDefault?: boolean;
  /** Default `defa0170-0000-4000-8000-000000000000`. */
  defaultTdgId?: string;
  initial?: {
    /** Telephony percent in the home Region; default 100. */
    primaryPercent?: number;
    /** Agent percent in the home Region; default `primaryPercent`. */
    agentsPrimaryPercent?: number;
    /** Default ACTIVE. */
    status?: TdgStatus;
  };
  /** How long an accepted update keeps the group UPDATE_IN_PROGRESS, by `now`; default 0 (none). */
  updateWindowMs?: number;
  /** Clock in epoch milliseconds; default `Date.now`. */
  now?: () => number;
  /** Faults armed from the start; default none. */
  faults?: FaultPlan;
  /**
   * What the instance holds in each Region at the start: `default` (the set of connect-flow-defaults.ts,
   * each Region's flows naming only that Region's resources: a ready replica) or `empty`. Default `default`.
   */
  contactFlows?: 'default' | 'empty';
}

/** One request to the Connect API, recorded when it arrived and completed when answered. */
export interface RecordedRequest {
  /** Arrival time by the simulator's clock. */
  at: number;
  operation: ConnectOperation | 'Unknown';
  /** From the SigV4 credential scope; `undefined` when unsigned. */
  region: string | undefined;
  /** The percent-decoded path id (UUID or ARN) of the three per-group operations, and of a flow or module described. */
  id: string | undefined;
  /** Parsed JSON body (the text when not JSON); absent when empty. */
  body?: unknown;
  /** HTTP status answered; absent when nothing was answered (reset, hang, region down) or not yet. */
  status?: number;
  /** The `x-amzn-errortype` answered, for errors. */
  errorType?: string;
  /** The injected fault that hit this request. */
  fault?: FaultKind | 'regionDown';
  /** The `user-agent` header: which controller sent it (split-brain checkers attribute writes by it). */
  userAgent?: string;
}

/** One UpdateTrafficDistribution that was applied (including under `appliedThen500`). */
export interface AppliedWrite {
  at: number;
  /** The Region the update was sent to. */
  region: string;
  tdgId: string;
  /** The `user-agent` of the request that made it. */
  userAgent?: string;
  telephony: Split;
  agents?: Split;
  signIn?: Record<string, boolean>;
}

/** A split changed "by hand": either part, or both; each is checked like an API update. */
export interface SplitInput {
  telephony?: Split;
  agents?: Split;
}

/** A running simulator; see `startConnectSimulator`. */
export interface ConnectSimulator {
  /** `http://<host>:<port>`: pass as `endpoint` to a `ConnectClient`. */
  readonly endpoint: string;
  readonly port: number;
  readonly accountId: string;
  readonly homeRegion: string;
  readonly otherRegion: string;
  readonly tdgId: string;
  readonly tdgArn: string;
  /** ARN of the primary instance (home Region). */
  readonly instanceArn: string;
  /** Every API request in arrival order (admin requests are not recorded). */
  readonly requests: readonly RecordedRequest[];
  /** Every update applied to any group, in order. */
  readonly writes: readonly AppliedWrite[];
  readonly faults: ConnectFaults;
  /** The instance's flows, modules and integrations in each Region: `load` them, `deny` their reads. */
  readonly contactFlows: ContactFlowDirectory;
  /** Status and split of the simulated group now. */
  state(): TrafficState;
  /** Changes the simulated group's split out of band (drift); no write is recorded. */
  setSplit(split: SplitInput): void;
  /** Sets the simulated group's status until changed again. */
  setStatus(status: TdgStatus): void;
  /** Closes the server and every connection, hung ones included. Idempotent. */
  stop(): Promise<void>;
}
