import { createInterface } from 'node:readline/promises';
import { awaitCommandOutcome } from '../app/await-command.ts';
import type { AwaitedOutcome } from '../app/await-command.ts';
import { livenessOf } from '../app/controller-liveness.ts';
import type { ControllerLiveness } from '../app/controller-liveness.ts';
import { defaultRequester, sendOperatorCommand } from '../app/operator-commands.ts';
import type { SentCommand } from '../app/operator-commands.ts';
import { previewCommand } from '../app/operator-preview.ts';
import type { CommandPreview } from '../app/operator-preview.ts';
import { readStoreView } from '../app/persisted-state.ts';
import { splitText } from '../app/status.ts';
import type { Config } from '../config/types.ts';
import { MAX_REASON_LENGTH, MAX_REQUESTED_BY_LENGTH } from '../events/operator-command.ts';
import type { OperatorCommandName } from '../events/types.ts';
import { MalformedMessageError, UsageError } from '../errors.ts';
import { configArgument, loadCommandConfig, print } from './common.ts';
import type { ConfigOption } from './common.ts';
import { firstUnsafeCharacter, printable, printableLines } from './printable.ts';
import { ProgressLine } from './progress-line.ts';
import { table } from './render.ts';
import { span } from './time-args.ts';

export interface OperatorOptions extends ConfigOption {
  reason?: string;
  force?: boolean;
  /** `failback --now`: skip the remaining failback steps. */
  now?: boolean;
  by?: string;
  /** `--yes`: no confirmation prompt. */
  yes?: boolean;
  /** False with `--no-wait`. */
  wait?: boolean;
  /** `--timeout`, default `2m`. */
  timeout?: string;
}

/** Where the command talks to the user; the process's streams by default (tests drive a real terminal instead). */
export interface OperatorIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

const WHAT: Readonly<Record<OperatorCommandName, string>> = {
  failover: 'move traffic to the replica now',
  failback: 'move traffic back to the primary now',
  pause: 'stop automatic shifts (signals are still tracked; operator commands still work)',
  resume: 'restart automatic shifts and re-evaluate at once',
};

/**
 * `failover|failback|pause|resume`: sends the command through the controller's own queue, so it is
 * ordered with the alarm events, survives a controller restart, and is governed by the queue's policy
 * (who may `sqs:SendMessage`). On a terminal it first shows what will happen and asks; without one it
 * needs `--yes`, so a script never moves traffic by accident of a missing flag. Then it waits for the
 * outcome (unless `--no-wait`): 0 when applied and, for a shift, verified; 1 when refused, failed, not
 * confirmed, not sent or not done within `--timeout`. Usage problems throw UsageError (exit 2) before
 * anything is read or sent.
 */
export async function operatorCommand(
  command: OperatorCommandName,
  options: OperatorOptions,
  io: OperatorIo = process,
): Promise<number> {
  if (!options.reason || options.reason.trim() === '')
    throw new UsageError(`${command}: --reason TEXT is required (it goes into the audit history)`);
  checkRecordedText(command, '--reason', options.reason, MAX_REASON_LENGTH);
  if (options.by !== undefined) {
    if (options.by.trim() === '')
      throw new UsageError(`${command}: --by must name someone (or leave it out for user@host)`);
    checkRecordedText(command, '--by', options.by, MAX_REQUESTED_BY_LENGTH);
  }
  const timeoutMs = span(options.timeout ?? '2m', '--timeout');
  if (timeoutMs <= 0) throw new UsageError(`${command}: --timeout must be longer than 0s (or pass --no-wait)`);
  const config = await loadCommandConfig(options);
  const force = Boolean(options.force);
  const by = options.by ?? defaultRequester();
  const check = `Check with: connect-failover status ${configArgument(options)}`;

  if (!options.yes) {
    if (!io.stdin.isTTY) {
      throw new UsageError(
        `${command} NOT sent: it asks for confirmation, and there is no terminal to ask on; pass --yes to send it without asking (scripts)`,
      );
    }
    const preview = await previewCommand(config, { command, force, by, reason: options.reason });
    io.stderr.write(`${renderPreview(preview, config, options.reason, by)}\n`);
    if (!(await askYesNo(`Send ${command}? [y/N] `, io))) {
      io.stderr.write(`${command} NOT sent: not confirmed; nothing changed\n`);
      return 1;
    }
  }

  let sent: SentCommand;
  try {
    sent = await sendOperatorCommand(config, { command, reason: options.reason, force, by, now: Boolean(options.now) });
  } catch (error) {
    if (error instanceof MalformedMessageError)
      throw new UsageError(`${command} NOT sent; nothing changed: ${error.message}`);
    io.stderr.write(`${printableLines(`${command} NOT sent; nothing changed: ${messageOf(error)}`)}\n`);
    return 1;
  }
  const sentLine = `${command} sent (command ${sent.id}, message ${printable(sent.messageId ?? '?')})`;

  if (options.wait === false) {
    const controller = await controllerNow(config);
    print(`${sentLine}. ${whoApplies(controller)} ${check}`);
    return 0;
  }

  print(
    `${sentLine}; waiting up to ${options.timeout ?? '2m'} for the outcome (Ctrl-C stops waiting, not the command)`,
  );
  const progress = new ProgressLine(io.stderr, command);
  const stop = new AbortController();
  const onSigint = () => stop.abort(new Error('SIGINT'));
  process.once('SIGINT', onSigint);
  let outcome: AwaitedOutcome;
  try {
    outcome = await awaitCommandOutcome(config, sent.id, {
      timeoutMs,
      signal: stop.signal,
      onProgress: (p) => progress.update(p.text),
    });
  } catch (error) {
    progress.close();
    if (stop.signal.aborted) {
      io.stderr.write(
        `stopped waiting; ${command} was sent (command ${sent.id}) and the controller applies it regardless. ${check}\n`,
      );
      return 1;
    }
    io.stderr.write(
      `${printableLines(`${command} was sent (command ${sent.id}), but its outcome cannot be read: ${messageOf(error)}`)}\n${check}\n`,
    );
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
  progress.close();
  const text = printableLines(outcome.message);
  if (outcome.kind === 'applied') {
    print(`${text}\n${check}`);
    return 0;
  }
  io.stderr.write(`${text}\n${check}\n`);
  return 1;
}

/** What the confirmation shows: the split now and after, Regions with roles, group, signals, the gate, who applies it. */
export function renderPreview(preview: CommandPreview, config: Config, reason: string, by: string): string {
  const s = preview.status;
  const p = preview.predicted;
  const rows: Array<[string, string]> = [];
  rows.push(['group', s.trafficDistributionGroup]);
  rows.push(['regions', `${s.regions.primary} (primary), ${s.regions.replica} (replica)`]);
  const actual = s.actual;
  const now = actual
    ? `${splitText(actual.telephonyPrimaryPercent, s.regions)} (${actual.source === 'live' ? `read live from ${actual.region ?? '?'}` : `as last read ${ago(actual.ageMs)}; Connect could not be read now`})`
    : 'unknown (Connect could not be read, and no reading is stored)';
  rows.push(['traffic now', now]);
  const moves = actual === null || actual.telephonyPrimaryPercent !== p.desiredPrimaryPercent;
  const agents = config.traffic.shiftAgents
    ? 'agents move with the calls (traffic.shiftAgents)'
    : 'agents stay where they are (traffic.shiftAgents: false)';
  if (preview.command === 'failover' || preview.command === 'failback' || moves) {
    rows.push([
      'after',
      p.accepted
        ? `${splitText(p.desiredPrimaryPercent, s.regions)}${moves ? `; ${agents}` : ' (no change)'}`
        : 'no change: the controller will refuse it',
    ]);
  }
  rows.push([
    'state',
    `${s.state}, automation ${s.automation} -> ${p.accepted ? `${p.health}, automation ${p.automation}` : 'unchanged'}`,
  ]);
  rows.push([
    'expected',
    `${p.accepted ? 'accepted' : 'REFUSED'}: ${p.detail} (judged on the state as last saved; the controller decides again when it applies it)`,
  ]);
  rows.push([
    'signals',
    s.signalDetails.map((sig) => `${sig.name} ${sig.value} (${sig.role}, ${sig.region})`).join('; '),
  ]);
  if (preview.gate) {
    const g = preview.gate;
    const closed =
      g.closedBy.length > 0 ? `closed now: ${g.closedBy.join(', ')} in ALARM` : 'open now: no such alarm is in ALARM';
    rows.push(['gate', `${g.rule}; ${closed}`]);
    rows.push([
      '--force',
      preview.force
        ? `GIVEN: overrides this gate${g.closedBy.length > 0 ? ', so the command goes ahead despite the alarm' : ' (it changes nothing now)'}${g.alsoForced ? `; ${g.alsoForced}` : ''}`
        : `not given${g.closedBy.length > 0 ? ': the controller will refuse the command; --force overrides the gate' : ' (needed only while the gate is closed)'}`,
    ]);
  }
  rows.push([
    'controller',
    s.controller.running
      ? `${s.controller.summary}: it applies the command within seconds`
      : `NOT RUNNING (${s.controller.summary}): the command waits in the queue until a controller starts`,
  ]);
  rows.push(['reason', `${reason} (by ${by})`]);
  return `${preview.command}: ${WHAT[preview.command]}\n${table(rows, '  ')}`;
}

async function askYesNo(question: string, io: OperatorIo): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    // Input closed (Ctrl-D) before an answer: not confirmed.
    return false;
  } finally {
    rl.close();
  }
}

/** The controller as the lease shows it now; a store that cannot be read is said so, not fatal (the command is sent). */
async function controllerNow(config: Config): Promise<ControllerLiveness | string> {
  try {
    return livenessOf((await readStoreView(config)).lease, Date.now());
  } catch (error) {
    return messageOf(error);
  }
}

function whoApplies(controller: ControllerLiveness | string): string {
  if (typeof controller === 'string')
    return `Whether a controller runs is unknown (the store cannot be read: ${printable(controller)}).`;
  return controller.running
    ? `Controller ${printable(controller.holder ?? '?')} is running: it applies the command within seconds.`
    : `No controller is running (${printable(controller.summary)}): the command waits in the queue until one starts.`;
}

function ago(ms: number): string {
  return ms < 1000
    ? 'just now'
    : `${Math.round(ms / 1000) < 120 ? `${Math.round(ms / 1000)}s` : `${Math.round(ms / 60_000)} min`} ago`;
}

/**
 * Refuses, before anything is sent, text the controller would refuse (too long) or that would reach
 * other operators' terminals through `status` and `history` (escape sequences, bidi overrides, line
 * breaks). The outputs escape such text anyway, since the queue also takes messages not sent by this CLI.
 */
function checkRecordedText(command: OperatorCommandName, option: string, text: string, maxLength: number): void {
  // The controller counts UTF-16 code units (String.length), so the door counts the same way.
  if (text.length > maxLength) {
    throw new UsageError(`${command}: ${option} is ${text.length} characters long; at most ${maxLength} are allowed`);
  }
  const unsafe = firstUnsafeCharacter(text);
  if (unsafe) {
    throw new UsageError(
      `${command}: ${option} has ${unsafe.kind} (${unsafe.codePoint}) at character ${unsafe.position}; ` +
        'control and formatting characters (escape sequences, bidirectional overrides, line breaks) are not accepted in the audit history',
    );
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
