/**
 * The controller's persisted document: the statechart snapshot plus what the statechart does not hold
 * (applied operator commands, the shift record, the last reading of Connect, the decision history).
 * Bounded in size: a long-running controller's file does not grow without limit. Every field is checked
 * when read back (document-schema.ts), and the document names the group and Regions it belongs to.
 */
import { MACHINE_VERSION } from '../../state-machines/index.ts';
import type { Config } from '../config/types.ts';
import { ConfigError, ConnectFailoverError } from '../errors.ts';
import type { StateStore } from '../store/store.ts';
import { ControllerDocumentError, parseDocumentData, showValue } from './document-schema.ts';
import type { ControllerDocument, DocumentOwner, HistoryEntry } from './document-types.ts';

export { ControllerDocumentError } from './document-schema.ts';
export type { DocumentIssue } from './document-schema.ts';
export type {
  ActualTraffic,
  ControllerDocument,
  DocumentOwner,
  HistoryEntry,
  HistoryKind,
  ShiftRecord,
  ShiftStatus,
} from './document-types.ts';

/** Entries kept in the decision history (newest last). */
export const HISTORY_LIMIT = 1000;
/** Operator command ids remembered for deduplication. */
export const COMMAND_IDS_LIMIT = 500;

/**
 * Older machine versions whose snapshots this one reads. Version 1 lacks only what version 2 added (the
 * `failingBack` state and `context.failbackStep`, read as null), and version 2 only what version 3 added
 * (`failbackStep.verifiedAt`, see {@link migrateFailbackStep}), so an upgrade keeps a failed-over state or
 * a failback under way instead of asking for the state file to be moved away. The next save writes the
 * current version.
 */
const READABLE_OLDER_VERSIONS: readonly number[] = [1, 2];

/** What of the config says whose a document is, and where the store is configured (for the error). */
export type OwnerConfig = Pick<Config, 'trafficDistributionGroup' | 'regions' | 'store'>;

/** The persisted snapshot belongs to another machine version: refuse rather than guess. */
export class MachineVersionError extends ConnectFailoverError {
  constructor(found: unknown, location: string) {
    super(
      `${location} holds a statechart snapshot of version ${String(found)}, this controller runs version ${MACHINE_VERSION}; ` +
        'run the matching release, or move the state file away to start from the alarms as they are now',
    );
  }
}

/**
 * The store holds the state of another traffic distribution group (or of the same group with other
 * Regions). A config error (exit 2): the config points at a store that is not its own, and the fix is
 * in the config.
 */
export class StoreOwnerError extends ConfigError {
  readonly location: string;
  /** Whose the document is. */
  readonly stored: DocumentOwner;
  /** Whose the config says it should be. */
  readonly configured: DocumentOwner;

  constructor(location: string, stored: DocumentOwner, configured: DocumentOwner, storeKey: string) {
    super([
      {
        path: storeKey,
        message:
          `${location} holds the state of traffic distribution group ${describeOwner(stored)}, ` +
          `not of this config's ${describeOwner(configured)}. One store holds one group's state: ` +
          `point ${storeKey} at a store of this group's own`,
      },
    ]);
    this.location = location;
    this.stored = stored;
    this.configured = configured;
  }
}

export function describeOwner(owner: DocumentOwner): string {
  return `${owner.trafficDistributionGroup} (primary ${owner.regions.primary}, replica ${owner.regions.replica})`;
}

/** The owner a config gives a document: the group's ARN when configured (else its id) and both Regions. */
export function ownerOf(config: Pick<Config, 'trafficDistributionGroup' | 'regions'>): DocumentOwner {
  const tdg = config.trafficDistributionGroup;
  return {
    trafficDistributionGroup: tdg.arn ?? tdg.id,
    regions: { primary: config.regions.primary, replica: config.regions.replica },
  };
}

/**
 * A fresh document. `config` names its owner; the controller always gives it (a document without one is
 * adopted by the first controller that reads it).
 */
export function emptyDocument(
  snapshot: unknown,
  config?: Pick<Config, 'trafficDistributionGroup' | 'regions'>,
): ControllerDocument {
  return {
    kind: 'connect-failover/controller',
    machineVersion: MACHINE_VERSION,
    owner: config ? ownerOf(config) : undefined,
    snapshot,
    commandIds: [],
    shift: undefined,
    actual: undefined,
    history: [],
  };
}

export interface DocumentExpectation {
  /** The config in use: a document of another group or other Regions is refused with `StoreOwnerError`. */
  config: OwnerConfig;
  /**
   * Told when the document names no owner (written before documents did) and is taken as this config's.
   * The owner is in the returned document, so the next save records it.
   */
  onAdopt?(owner: DocumentOwner): void;
}

/**
 * Checks a loaded document is ours, of this machine version and well-formed in every field, and, given
 * `expected`, that it belongs to the config's group and Regions. Throws `ControllerDocumentError` (a
 * `StoreCorruptError`) naming each bad field, `MachineVersionError`, or `StoreOwnerError`.
 */
export function readDocument(data: unknown, location: string, expected?: DocumentExpectation): ControllerDocument {
  const header =
    typeof data === 'object' && data !== null && !Array.isArray(data)
      ? (data as { kind?: unknown; machineVersion?: unknown })
      : undefined;
  if (header?.kind !== 'connect-failover/controller') {
    const issue = {
      path: header ? 'data.kind' : 'data',
      message: `not a connect-failover controller document (found ${showValue(header ? header.kind : data)})`,
    };
    throw new ControllerDocumentError(location, [issue], 'Move it away, or point store.path elsewhere');
  }
  const older = typeof header.machineVersion === 'number' && READABLE_OLDER_VERSIONS.includes(header.machineVersion);
  if (header.machineVersion !== MACHINE_VERSION && !older)
    throw new MachineVersionError(header.machineVersion, location);
  const doc = parseDocumentData(data, location);
  migrateFailbackStep(doc);
  doc.machineVersion = MACHINE_VERSION;
  if (!expected) return doc;
  const configured = ownerOf(expected.config);
  if (!doc.owner) {
    doc.owner = configured;
    expected.onAdopt?.(configured);
    return doc;
  }
  if (!sameOwner(doc.owner, expected.config)) {
    const storeKey = expected.config.store.type === 'file' ? 'store.path' : 'store.table';
    throw new StoreOwnerError(location, doc.owner, configured, storeKey);
  }
  // Same group: keep the ARN once either side knows it (a config may go from a bare id to the ARN).
  if (!isArn(doc.owner.trafficDistributionGroup)) doc.owner = configured;
  return doc;
}

/**
 * Refuses, before anything waits on it (a standby waiting for the lease would wait for ever), a store
 * whose document belongs to another group (`StoreOwnerError`) or cannot be used. Nothing saved: passes.
 * Returns quietly when `signal` aborts, so the caller's own wait sees the stop.
 */
export async function assertStoreBelongsTo(store: StateStore, config: OwnerConfig, signal: AbortSignal): Promise<void> {
  try {
    const stored = await store.load(signal);
    if (stored) readDocument(stored.data, store.describe(), { config });
  } catch (error) {
    if (signal.aborted) return;
    throw error;
  }
}

/**
 * Version 2 held a failback step from its decision and kept no verification time: such a step keeps the
 * hold it had (verified as of its decision), so an upgrade neither restarts nor stretches a step under way.
 */
function migrateFailbackStep(doc: ControllerDocument): void {
  const context = (
    doc.snapshot as { context?: { failbackStep?: { since: number; verifiedAt?: number | null } | null } }
  ).context;
  const step = context?.failbackStep;
  if (step && step.verifiedAt === undefined) step.verifiedAt = step.since;
}

function sameOwner(owner: DocumentOwner, config: Pick<Config, 'trafficDistributionGroup' | 'regions'>): boolean {
  const tdg = config.trafficDistributionGroup;
  const stored = owner.trafficDistributionGroup;
  // The id is the ARN's last segment; a bare id on either side is compared by id alone.
  if (stored.slice(stored.lastIndexOf('/') + 1) !== tdg.id) return false;
  // The same id under another account or partition is another group: two ARNs must agree in full.
  if (isArn(stored) && tdg.arn !== undefined && stored !== tdg.arn) return false;
  return owner.regions.primary === config.regions.primary && owner.regions.replica === config.regions.replica;
}

function isArn(value: string): boolean {
  return value.startsWith('arn:');
}

export function appendHistory(doc: ControllerDocument, ...entries: HistoryEntry[]): void {
  doc.history.push(...entries);
  if (doc.history.length > HISTORY_LIMIT) doc.history.splice(0, doc.history.length - HISTORY_LIMIT);
}

export function rememberCommand(doc: ControllerDocument, id: string): void {
  doc.commandIds.push(id);
  if (doc.commandIds.length > COMMAND_IDS_LIMIT) doc.commandIds.splice(0, doc.commandIds.length - COMMAND_IDS_LIMIT);
}
