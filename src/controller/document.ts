/**
 * The controller's persisted document: the statechart snapshot plus what the statechart does not hold
 * (applied operator commands, the shift record, the last reading of Connect, the decision history).
 * Bounded in size: a long-running controller's file does not grow without limit.
 */
import { MACHINE_VERSION } from '../../state-machines/index.ts';
import { ConnectFailoverError } from '../errors.ts';

/** Entries kept in the decision history (newest last). */
export const HISTORY_LIMIT = 1000;
/** Operator command ids remembered for deduplication. */
export const COMMAND_IDS_LIMIT = 500;

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

export type HistoryKind = 'transition' | 'command' | 'shift' | 'drift' | 'blocked' | 'startup';

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
  trigger?: 'automatic' | 'operator';
  /** Who asked, as the command says (`--by`, default user@host). */
  by?: string;
  /** For commands: the IAM principal SQS says sent the message (not forgeable by the sender). */
  sender?: string;
  /** Command accepted/refused, shift verified/failed, … */
  outcome?: string;
  primaryPercent?: number;
}

export interface ControllerDocument {
  kind: 'connect-failover/controller';
  machineVersion: number;
  snapshot: unknown;
  commandIds: string[];
  shift: ShiftRecord | undefined;
  actual: ActualTraffic | undefined;
  history: HistoryEntry[];
}

/** The persisted snapshot belongs to another machine version: refuse rather than guess. */
export class MachineVersionError extends ConnectFailoverError {
  constructor(found: unknown, location: string) {
    super(
      `${location} holds a statechart snapshot of version ${String(found)}, this controller runs version ${MACHINE_VERSION}; ` +
        'run the matching release, or move the state file away to start from the alarms as they are now',
    );
  }
}

export function emptyDocument(snapshot: unknown): ControllerDocument {
  return {
    kind: 'connect-failover/controller',
    machineVersion: MACHINE_VERSION,
    snapshot,
    commandIds: [],
    shift: undefined,
    actual: undefined,
    history: [],
  };
}

/** Checks a loaded document is ours and of this machine version. */
export function readDocument(data: unknown, location: string): ControllerDocument {
  const doc = data as Partial<ControllerDocument> | null;
  if (!doc || typeof doc !== 'object' || doc.kind !== 'connect-failover/controller') {
    throw new ConnectFailoverError(`${location} does not hold a connect-failover controller document; move it away or point store.path elsewhere`);
  }
  if (doc.machineVersion !== MACHINE_VERSION) throw new MachineVersionError(doc.machineVersion, location);
  return {
    ...emptyDocument(doc.snapshot),
    ...doc,
    commandIds: doc.commandIds ?? [],
    history: doc.history ?? [],
  } as ControllerDocument;
}

export function appendHistory(doc: ControllerDocument, ...entries: HistoryEntry[]): void {
  doc.history.push(...entries);
  if (doc.history.length > HISTORY_LIMIT) doc.history.splice(0, doc.history.length - HISTORY_LIMIT);
}

export function rememberCommand(doc: ControllerDocument, id: string): void {
  doc.commandIds.push(id);
  if (doc.commandIds.length > COMMAND_IDS_LIMIT) doc.commandIds.splice(0, doc.commandIds.length - COMMAND_IDS_LIMIT);
}
