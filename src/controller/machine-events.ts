/** Translations from queue events to statechart events, shared by the controller, `explain` and benchmarks. */
import type { FailoverEvent } from '../../state-machines/index.ts';
import type { OperatorCommand } from '../events/types.ts';
import type { Target } from './reconciler.ts';

/** The statechart event for an operator command, stamped with the controller's clock. */
export function commandEvent(
  command: Pick<OperatorCommand, 'command' | 'reason' | 'requestedBy' | 'force'> & { now?: boolean },
  now: number,
): FailoverEvent {
  const base = { reason: command.reason, by: command.requestedBy, now };
  switch (command.command) {
    case 'failover':
      return { type: 'operator.failoverRequested', force: command.force, ...base };
    case 'failback':
      // The command's `now` is the event's `immediate`: every event's `now` is the clock reading.
      return { type: 'operator.failbackRequested', force: command.force, immediate: command.now === true, ...base };
    case 'pause':
      return { type: 'operator.pauseRequested', ...base };
    case 'resume':
      return { type: 'operator.resumeRequested', ...base };
  }
}

/** The statechart event for a split the reconciler verified at `at` (agents with telephony unless they lead). */
export function verifiedEvent(
  target: Pick<Target, 'primaryPercent' | 'agentsPrimaryPercent'>,
  at: number,
): FailoverEvent {
  const agentsPrimaryPercent = target.agentsPrimaryPercent ?? target.primaryPercent;
  return { type: 'shift.verified', primaryPercent: target.primaryPercent, agentsPrimaryPercent, at, now: at };
}
