/**
 * Operator commands from the queue, applied exactly once: a command is known by its id, so a redelivery,
 * or the same command sent twice, changes nothing. Each is recorded in the history before the transitions
 * it causes, and its outcome (accepted, or refused and why) after.
 */
import type { CommandOutcome, FailoverEvent } from '../../state-machines/index.ts';
import type { Clock } from '../clock.ts';
import type { OperatorCommand } from '../events/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { ControllerHooks, InboundMessage } from './controller-types.ts';
import type { DecisionJournal } from './decision-journal.ts';
import { rememberCommand } from './document.ts';
import type { ControllerDocument } from './document.ts';
import { commandEvent } from './machine-events.ts';

export interface CommandIntakeOptions {
  journal: DecisionJournal;
  clock: Clock;
  logger: Logger;
  hooks: ControllerHooks;
}

/** Where a command goes: `send` hands its event to the statechart, `outcome` reads what it made of it. */
export interface CommandTarget {
  send(event: FailoverEvent): void;
  outcome(): CommandOutcome | null;
}

export class CommandIntake {
  constructor(private readonly options: CommandIntakeOptions) {}

  /** Applies `command` unless it was applied before; true when it changed the document. */
  apply(doc: ControllerDocument, message: InboundMessage, command: OperatorCommand, target: CommandTarget): boolean {
    const { journal, clock, logger, hooks } = this.options;
    hooks.message?.('command', command.shape);
    if (doc.commandIds.includes(command.id)) {
      logger.info({ messageId: message.messageId, commandId: command.id }, 'operator command already applied');
      return false;
    }
    rememberCommand(doc, command.id);
    const entry = journal.commandReceived(doc, message, command);
    target.send(commandEvent(command, clock.now()));
    journal.commandDone(entry, message, command, target.outcome());
    return true;
  }
}
