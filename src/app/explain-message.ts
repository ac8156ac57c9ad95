/**
 * The `explain` use case: what the controller would make of one queue message, decided by the same
 * statechart from the persisted state (or from a fresh controller's), with nothing changed or sent.
 */
import { initialTransition, transition } from 'xstate';
import { createFailoverMachine, outlook, readingVerdict, restoreSnapshot } from '../../state-machines/index.ts';
import type { CommandOutcome, Decision, FailoverEvent } from '../../state-machines/index.ts';
import type { Config } from '../config/types.ts';
import { commandEvent } from '../controller/machine-events.ts';
import { matchSignal, signalRefs } from '../domain/signals.ts';
import { policyOf } from '../domain/policy.ts';
import { normalizeMessage } from '../events/normalize.ts';
import type { QueueEvent } from '../events/types.ts';
import { readPersisted } from './persisted-state.ts';
import type { ReadPersistedOptions } from './persisted-state.ts';

/** Where the machine stands: before and after the message. */
export interface ExplainedState {
  health: string;
  automation: string;
  desiredPrimaryPercent: number;
}

/** What the controller would do with a message; the `explain` output, field for field. */
export interface Explanation {
  /** The message as the controller reads it. */
  event: QueueEvent;
  /** Which state it was applied to: the persisted one, or a fresh controller's. */
  from: string;
  /** What the message is to the controller, e.g. `critical signal outage -> ALARM`, or why it changes nothing. */
  note: string;
  before: ExplainedState;
  after: ExplainedState;
  decisions: Array<Pick<Decision, 'region' | 'from' | 'to' | 'reason' | 'alarms' | 'trigger'>>;
  /** Why an automatic shift the rules call for is held back, if one is. */
  blocked: string | undefined;
  /** For an operator command: whether the machine accepted it and why. */
  command: CommandOutcome | undefined;
}

export interface ExplainOptions extends ReadPersistedOptions {
  /** The controller's clock reading to decide at. Default `Date.now()`. */
  now?: number;
}

/**
 * Explains one message body against the config's persisted state.
 * @throws MalformedMessageError when the body is not a message the controller accepts (before the store is read).
 */
export async function explainMessage(config: Config, body: string, options: ExplainOptions = {}): Promise<Explanation> {
  const event = normalizeMessage(body);
  const policy = policyOf(config);
  const machine = createFailoverMachine(policy);
  const persisted = await readPersisted(config, options);
  const now = options.now ?? Date.now();
  let snapshot = persisted ? restoreSnapshot(machine, persisted.doc.snapshot) : initialTransition(machine, { now })[0];
  const before = outlook(policy, snapshot);
  const startSeq = snapshot.context.seq;

  let machineEvent: FailoverEvent | undefined;
  let note: string;
  if (event.kind === 'ignored') {
    note = `ignored: ${event.why}`;
  } else if (event.kind === 'operator') {
    machineEvent = commandEvent(event, now);
    note = `operator command ${event.command}`;
  } else {
    const ref = matchSignal(signalRefs(config.signals, config.regions), event.alarm);
    const current = ref ? snapshot.context.signals[ref.key] : undefined;
    // The controller's own rule (duplicates, stale and future-dated readings), not a copy of it.
    const verdict = ref ? readingVerdict(current, event.stateAt, now) : undefined;
    if (!ref) note = 'alarm is not a configured signal: ignored';
    else if (verdict === 'future')
      note = `dated ${new Date(event.stateAt).toISOString()}, more than 5 minutes ahead of the clock: refused, changes nothing`;
    else if (verdict !== 'applied')
      note = `not newer than the last applied state of ${ref.key} (${new Date(current!.at).toISOString()}): changes nothing`;
    else {
      note = `${ref.role} signal ${ref.key} -> ${event.state}`;
      machineEvent = { type: 'alarm.changed', alarm: ref.key, value: event.state, at: event.stateAt, now };
    }
  }
  if (machineEvent) snapshot = transition(machine, snapshot, machineEvent)[0];
  const after = outlook(policy, snapshot);
  const decisions = snapshot.context.decisions.filter((d) => d.seq > startSeq);
  return {
    event,
    from: persisted ? 'persisted state' : 'a fresh controller (healthy, no alarm states known)',
    note,
    before: {
      health: before.health,
      automation: before.automation,
      desiredPrimaryPercent: before.desiredPrimaryPercent,
    },
    after: { health: after.health, automation: after.automation, desiredPrimaryPercent: after.desiredPrimaryPercent },
    decisions: decisions.map(({ from, to, reason, alarms, region, trigger }) => ({
      region,
      from,
      to,
      reason,
      alarms,
      trigger,
    })),
    blocked: after.blocked?.message,
    // The last command outcome belongs to this message only when this message was a command.
    command:
      snapshot.context.lastCommand && machineEvent?.type.startsWith('operator.')
        ? snapshot.context.lastCommand
        : undefined,
  };
}
