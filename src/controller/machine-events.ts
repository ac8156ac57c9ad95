/** Translations from queue events to statechart events, shared by the controller, `explain` and benchmarks. */
import type { FailoverEvent } from '../../state-machines/index.ts';
import type { OperatorCommand } from '../events/types.ts';

/** The statechart event for an operator command, stamped with the controller's clock. */
export function commandEvent(command: Pick<OperatorCommand, 'command' | 'reason' | 'requestedBy' | 'force'>, now: number): FailoverEvent {
  const base = { reason: command.reason, by: command.requestedBy, now };
  switch (command.command) {
    case 'failover':
      return { type: 'operator.failoverRequested', force: command.force, ...base };
    case 'failback':
      return { type: 'operator.failbackRequested', force: command.force, ...base };
    case 'pause':
      return { type: 'operator.pauseRequested', ...base };
    case 'resume':
      return { type: 'operator.resumeRequested', ...base };
  }
}
