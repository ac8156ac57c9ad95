import { readFile } from 'node:fs/promises';
import { explainMessage } from '../app/explain-message.ts';
import type { Explanation } from '../app/explain-message.ts';
import { describeDecision } from '../controller/decision-journal.ts';
import { loadCommandConfig, noticeAdoption, print } from './common.ts';
import type { ConfigOption } from './common.ts';
import { printable, printableJson } from './printable.ts';

/**
 * `explain -c FILE [MESSAGE_FILE|-]`: normalizes one message body and shows what the controller would decide
 * from the persisted state (or from healthy when none), without changing anything.
 */
export async function explainCommand(
  file: string | undefined,
  options: ConfigOption & { json?: boolean },
): Promise<void> {
  const config = await loadCommandConfig(options);
  const body = !file || file === '-' ? await readStdin() : await readFile(file, 'utf8');
  const explanation = await explainMessage(config, body, { onAdopt: noticeAdoption });
  print(options.json ? printableJson(explanation) : renderExplanation(explanation));
}

/** For a person: times in ISO 8601, the decision in words; every text from the message escaped. */
export function renderExplanation(e: Explanation): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  const event = e.event;
  const message =
    event.kind === 'alarm'
      ? `${event.shape} alarm state change: ${event.alarm.name} (${event.alarm.region}) is ${event.state} since ${iso(event.stateAt)}`
      : event.kind === 'operator'
        ? `operator command ${event.command}${event.force ? ' --force' : ''} (id ${event.id}), by ${event.requestedBy} at ${iso(event.requestedAt)}: "${event.reason}"`
        : `${event.shape}: ${event.why}`;
  const state = (s: Explanation['before']) =>
    `${s.health}, automation ${s.automation}, ${s.desiredPrimaryPercent}% of telephony to the primary`;
  const lines = [
    `message:  ${message}`,
    `means:    ${e.note}`,
    `applied:  to ${e.from}: ${state(e.before)}`,
    ...(e.decisions.length === 0
      ? ['decides:  nothing changes']
      : e.decisions.map((d, i) => `${i === 0 ? 'decides: ' : '         '} ${describeDecision(d)}`)),
    `then:     ${state(e.after)}`,
    ...(e.command ? [`command:  ${e.command.accepted ? 'accepted' : 'refused'}: ${e.command.detail}`] : []),
    ...(e.blocked ? [`blocked:  ${e.blocked}`] : []),
  ];
  return lines.map((line) => printable(line)).join('\n');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
