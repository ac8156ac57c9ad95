/** The shape of the controller's persisted document (validated by document-schema.ts). */

export type ShiftStatus = 'pending' | 'verified' | 'failed' | 'dryRun';

/** The shift toward the current desired split, and how it went. */
export interface ShiftRecord {
  targetPrimaryPercent: number;
  /** Decision sequence number that set this target (0 for start-up). */
  decidedSeq: number;
  decidedAt: string;
  status: ShiftStatus;
  attempts: number;
  writes: number;
  lastError: string | undefined;
  updatedAt: string;
  /** When the next try is due after a failure. */
  nextAttemptAt: string | undefined;
  verifiedAt: string | undefined;
}

export interface ActualTraffic {
  telephonyPrimaryPercent: number;
  agentsPrimaryPercent: number | undefined;
  status: string | undefined;
  readAt: string;
}

/**
 * `disputed`: an alarm event CloudWatch contradicted; `unconfirmed`: one acted on while CloudWatch did not
 * answer; `forged`: one whose sender `queue.alarmSenders` refuses.
 */
export type HistoryKind =
  'transition' | 'command' | 'shift' | 'drift' | 'blocked' | 'startup' | 'disputed' | 'unconfirmed' | 'forged';

/** One line of the decision log (`history`). */
export interface HistoryEntry {
  at: string;
  kind: HistoryKind;
  /** For transitions: the region that changed (`health` or `automation`). */
  region?: string;
  from?: string;
  to?: string;
  reason: string;
  alarms?: string[];
  trigger?: 'automatic' | 'operator' | 'hand';
  /** Who asked, as the command says (`--by`, default user@host). */
  by?: string;
  /** For commands: the IAM principal SQS says sent the message (not forgeable by the sender). */
  sender?: string;
  /** For commands: the command's id (the CLI waits for the outcome of its own command by it). */
  commandId?: string;
  /** For commands: the command name (`failover`, `failback`, `pause`, `resume`) and whether it was forced. */
  command?: string;
  force?: boolean;
  /** For commands: when the operator issued it (the entry's `at` is when it was applied). */
  requestedAt?: string;
  /** For commands: accepted or refused, with the statechart's detail (`detail`). */
  accepted?: boolean;
  detail?: string;
  /** Command accepted/refused, shift verified/failed, … */
  outcome?: string;
  primaryPercent?: number;
}

/**
 * The traffic distribution group and Regions a document belongs to. A state is only meaningful for the
 * group it was decided for: `failedOver` of one group restored for another would shift that group's
 * traffic on someone else's alarms.
 */
export interface DocumentOwner {
  /** The group's ARN, or its id when the config gives only an id. */
  trafficDistributionGroup: string;
  regions: { primary: string; replica: string };
}

export interface ControllerDocument {
  kind: 'connect-failover/controller';
  machineVersion: number;
  /** Undefined only in a document written before documents named their owner (adopted when read). */
  owner: DocumentOwner | undefined;
  snapshot: unknown;
  commandIds: string[];
  shift: ShiftRecord | undefined;
  actual: ActualTraffic | undefined;
  history: HistoryEntry[];
}
