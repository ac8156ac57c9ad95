/**
 * The audit side of the controller: every decision of the statechart logged once and kept in the
 * history, blocked shifts noted when they start (not on every event), and operator commands recorded
 * before the transitions they cause, with their outcome.
 */
import { outlook, primaryPercentFor } from '../../state-machines/index.ts';
import type {
  CommandOutcome,
  Decision,
  FailoverPolicy,
  FailoverSnapshot,
  HealthState,
} from '../../state-machines/index.ts';
import type { Clock } from '../clock.ts';
import type { InboundMessage, ControllerHooks } from './controller-types.ts';
import { iso } from './controller-types.ts';
import { appendHistory } from './document.ts';
import type { ControllerDocument, HistoryEntry } from './document.ts';
import type { OperatorCommand } from '../events/types.ts';
import type { ForgedMessage } from './message-classifier.ts';
import type { Logger } from '../observability/logger.ts';

export class DecisionJournal {
  private loggedSeq = 0;
  private lastBlocked: string | undefined;

  constructor(
    private readonly policy: FailoverPolicy,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly hooks: ControllerHooks = {},
  ) {}

  /**
   * Keeps each refused alarm event (first time this process saw it) in the history, with the disputed
   * ones: someone who may send to the queue tried to pass as CloudWatch. True when anything was added.
   */
  forgedReceived(doc: ControllerDocument, forged: readonly ForgedMessage[]): boolean {
    const fresh = forged.filter((f) => f.first);
    for (const refused of fresh) {
      appendHistory(doc, {
        at: iso(this.clock.now()),
        kind: 'forged',
        reason: `alarm event refused (message ${refused.messageId}): ${refused.why}`,
        ...(refused.senderId === undefined ? {} : { sender: refused.senderId }),
      });
    }
    return fresh.length > 0;
  }

  /** Decisions up to `seq` were logged before (a restored snapshot): only newer ones are news. */
  resumeAfter(seq: number): void {
    this.loggedSeq = seq;
  }

  /** Logs and records the decisions made since the last call; the blocked note when it changes. */
  note(snapshot: FailoverSnapshot, doc: ControllerDocument): void {
    for (const d of snapshot.context.decisions.filter((x) => x.seq > this.loggedSeq)) {
      this.loggedSeq = d.seq;
      appendHistory(doc, {
        at: iso(d.at),
        kind: 'transition',
        region: d.region,
        from: d.from,
        to: d.to,
        reason: d.reason,
        alarms: d.alarms,
        trigger: d.trigger,
        ...(d.by ? { by: d.by } : {}),
        // The decision's own percent (a failback step's); a decision restored from an older snapshot lacks it.
        ...(d.region === 'health'
          ? { primaryPercent: d.primaryPercent ?? primaryPercentFor(this.policy, d.to as HealthState) }
          : {}),
      });
      // One line per decision that reads on its own; an automatic failover is a warning (someone should look).
      const line = {
        kind: 'decision',
        decision: d.seq,
        machineRegion: d.region,
        from: d.from,
        to: d.to,
        reason: d.reason,
        alarms: d.alarms,
        trigger: d.trigger,
        by: d.by,
      };
      const failover = d.region === 'health' && d.to === 'failedOver' && d.trigger === 'automatic';
      this.logger[failover ? 'warn' : 'info'](line, describeDecision(d));
      this.hooks.decision?.(d);
    }
    const view = outlook(this.policy, snapshot);
    const blocked = view.blocked && view.blocked.kind !== 'waiting' ? view.blocked.message : undefined;
    if (blocked === this.lastBlocked) return;
    this.lastBlocked = blocked;
    if (!blocked) return;
    this.logger.warn({ blocked: view.blocked?.kind, alarms: view.blocked?.wanted.alarms }, blocked);
    appendHistory(doc, {
      at: iso(this.clock.now()),
      kind: 'blocked',
      reason: blocked,
      alarms: view.blocked?.wanted.alarms ?? [],
    });
  }

  /** The history entry of a command, appended before the transitions it causes; `commandDone` fills in the outcome. */
  commandReceived(doc: ControllerDocument, message: InboundMessage, command: OperatorCommand): HistoryEntry {
    const entry: HistoryEntry = {
      at: iso(this.clock.now()),
      kind: 'command',
      reason: command.reason,
      by: command.requestedBy,
      commandId: command.id,
      command: command.command,
      force: command.force,
      requestedAt: iso(command.requestedAt),
      ...(message.senderId ? { sender: message.senderId } : {}),
    };
    appendHistory(doc, entry);
    return entry;
  }

  commandDone(
    entry: HistoryEntry,
    message: InboundMessage,
    command: OperatorCommand,
    result: CommandOutcome | null,
  ): void {
    const outcome = result?.accepted ? 'accepted' : 'refused';
    entry.outcome = `${command.command} ${outcome}: ${result?.detail ?? ''}`;
    entry.accepted = Boolean(result?.accepted);
    entry.detail = result?.detail ?? '';
    // A refused command is a warning: the operator asked for something that did not happen.
    this.logger[result?.accepted ? 'info' : 'warn'](
      {
        commandId: command.id,
        command: command.command,
        force: command.force,
        by: command.requestedBy,
        sender: message.senderId,
        reason: command.reason,
        outcome,
        detail: result?.detail,
      },
      'operator command',
    );
  }
}

/** `failover: healthy → failedOver (critical alarm in ALARM: connect-primary-outage)` and the like. */
export function describeDecision(d: Pick<Decision, 'region' | 'from' | 'to' | 'reason' | 'alarms'>): string {
  const what =
    d.region === 'automation'
      ? 'automation'
      : d.to === 'failedOver'
        ? 'failover'
        : d.to === 'degraded'
          ? 'shift to degraded'
          : d.from === 'degraded'
            ? 'recovery'
            : d.from === 'failingBack'
              ? 'failback step'
              : 'failback';
  const alarms =
    d.alarms.length > 0 && d.region === 'health' && (d.to === 'failedOver' || d.to === 'degraded')
      ? `: ${d.alarms.join(', ')}`
      : '';
  return `${what}: ${d.from} → ${d.to} (${d.reason}${alarms})`;
}
