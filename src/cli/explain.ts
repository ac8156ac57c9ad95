import { readFile } from 'node:fs/promises';
import { initialTransition, transition } from 'xstate';
import { createFailoverMachine, outlook, restoreSnapshot } from '../../state-machines/index.ts';
import type { FailoverEvent } from '../../state-machines/index.ts';
import { policyOf } from '../controller/controller.ts';
import { commandEvent } from '../controller/machine-events.ts';
import { matchSignal, signalRefs } from '../controller/signal-map.ts';
import { normalizeMessage } from '../events/normalize.ts';
import { loadCommandConfig, print, readPersisted } from './common.ts';
import { printableJson } from './printable.ts';
import type { ConfigOption } from './common.ts';

/**
 * `explain -c FILE [MESSAGE_FILE|-]`: normalizes one message body and shows what the controller would decide
 * from the persisted state (or from healthy when none), without changing anything.
 */
export async function explainCommand(file: string | undefined, options: ConfigOption): Promise<void> {
  const config = await loadCommandConfig(options);
  const body = !file || file === '-' ? await readStdin() : await readFile(file, 'utf8');
  const event = normalizeMessage(body);
  const policy = policyOf(config);
  const machine = createFailoverMachine(policy);
  const persisted = await readPersisted(config);
  const now = Date.now();
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
    if (!ref) note = 'alarm is not a configured signal: ignored';
    else if (current && event.stateAt <= current.at) note = `not newer than the last applied state of ${ref.key} (${new Date(current.at).toISOString()}): changes nothing`;
    else {
      note = `${ref.role} signal ${ref.key} -> ${event.state}`;
      machineEvent = { type: 'alarm.changed', alarm: ref.key, value: event.state, at: event.stateAt, now };
    }
  }
  if (machineEvent) snapshot = transition(machine, snapshot, machineEvent)[0];
  const after = outlook(policy, snapshot);
  const decisions = snapshot.context.decisions.filter((d) => d.seq > startSeq);
  print(
    printableJson(
      {
        event,
        from: persisted ? 'persisted state' : 'a fresh controller (healthy, no alarm states known)',
        note,
        before: { health: before.health, automation: before.automation, desiredPrimaryPercent: before.desiredPrimaryPercent },
        after: { health: after.health, automation: after.automation, desiredPrimaryPercent: after.desiredPrimaryPercent },
        decisions: decisions.map(({ from, to, reason, alarms, region, trigger }) => ({ region, from, to, reason, alarms, trigger })),
        blocked: after.blocked?.message,
        command: snapshot.context.lastCommand && machineEvent?.type.startsWith('operator.') ? snapshot.context.lastCommand : undefined,
      },
    ),
  );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
