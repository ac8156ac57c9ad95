/**
 * Waiting for an operator command's outcome (the contract: `failover`, `failback`, `pause` and `resume`
 * wait by default). Only the store is read, so it works from any host that can read it: the controller
 * records the command in its history under the id the sender chose, then the transitions it caused, and
 * keeps the shift record (`doc.shift`) of the split it is moving to.
 *
 * The command is done when the controller applied it and, when it caused a shift, the shift record for
 * that target was verified at or after the decision. It failed when the controller refused it, the shift
 * failed (the controller keeps retrying it; the caller is told so), or a later decision took the split
 * elsewhere before it was verified.
 */
import { createFailoverMachine, outlook, restoreSnapshot } from '../../state-machines/index.ts';
import type { Config } from '../config/types.ts';
import type { ControllerDocument, HistoryEntry, ShiftRecord } from '../controller/document.ts';
import { policyOf } from '../domain/policy.ts';
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import { formatAge, livenessOf } from './controller-liveness.ts';
import type { ControllerLiveness } from './controller-liveness.ts';
import { readStoreView } from './persisted-state.ts';
import { plainDetail, splitText } from './status.ts';

/** Default `--timeout`: 2 minutes (the contract). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;
/** A command's own transitions are stamped within this of the command's entry (the same synchronous step). */
const SAME_STEP_MS = 1000;
/** How often the store is read while waiting. */
export const COMMAND_POLL_MS = 250;

export type AwaitedKind = 'applied' | 'refused' | 'shiftFailed' | 'superseded' | 'dryRun' | 'timeout';

export interface AwaitedOutcome {
  kind: AwaitedKind;
  /** One or two sentences for people: what happened, and for a failure why and what the controller does now. */
  message: string;
  /** The command's history entry, once the controller recorded it. */
  entry: HistoryEntry | undefined;
  /** The split the command moved traffic to, when it caused a shift. */
  targetPrimaryPercent: number | undefined;
  shift: ShiftRecord | undefined;
  /** The controller as last seen. */
  controller: ControllerLiveness;
}

/** Where the wait stands, for a progress line. */
export interface WaitProgress {
  phase: 'queued' | 'shifting';
  text: string;
  controller: ControllerLiveness;
}

export interface AwaitCommandOptions {
  /** Default {@link DEFAULT_COMMAND_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Default {@link COMMAND_POLL_MS}. */
  pollMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: WaitProgress) => void;
  clock?: Clock;
}

/** Reads the store until the command with `commandId` has an outcome, or the timeout passes. */
export async function awaitCommandOutcome(
  config: Config,
  commandId: string,
  options: AwaitCommandOptions = {},
): Promise<AwaitedOutcome> {
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + (options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
  const policy = policyOf(config);
  const machine = createFailoverMachine(policy);
  for (;;) {
    const view = await readStoreView(config, options.signal ? { signal: options.signal } : {});
    const controller = livenessOf(view.lease, clock.now());
    const doc = view.persisted?.doc;
    const index = doc ? doc.history.findIndex((e) => e.kind === 'command' && e.commandId === commandId) : -1;
    const entry = doc && index >= 0 ? doc.history[index] : undefined;
    const last: WaitState = { controller, entry, target: undefined, shift: doc?.shift };
    if (doc && entry) {
      const desired = outlook(policy, restoreSnapshot(machine, doc.snapshot)).desiredPrimaryPercent;
      const verdict = judge(doc, index, entry, desired, config);
      last.target = verdict.target;
      if (verdict.outcome)
        return { ...verdict.outcome, entry, targetPrimaryPercent: verdict.target, shift: doc.shift, controller };
      options.onProgress?.({ phase: 'shifting', text: verdict.progress, controller });
    } else {
      options.onProgress?.({
        phase: 'queued',
        text: controller.running
          ? `in the queue; controller ${controller.holder ?? ''} applies it within seconds`
          : `waiting in the queue: no controller is running (${controller.summary})`,
        controller,
      });
    }
    const left = deadline - clock.now();
    if (left <= 0) return timedOut(last, options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, config);
    await clock.sleep(Math.min(options.pollMs ?? COMMAND_POLL_MS, left), options.signal);
  }
}

interface WaitState {
  controller: ControllerLiveness;
  entry: HistoryEntry | undefined;
  target: number | undefined;
  shift: ShiftRecord | undefined;
}

type Verdict = {
  outcome: Omit<AwaitedOutcome, 'entry' | 'targetPrimaryPercent' | 'shift' | 'controller'> | undefined;
  target: number | undefined;
  progress: string;
};

/** The command's outcome from the document, or what it still waits for. */
function judge(doc: ControllerDocument, index: number, entry: HistoryEntry, desired: number, config: Config): Verdict {
  const name = entry.command ?? 'command';
  const accepted = entry.accepted ?? !/ refused:/.test(entry.outcome ?? '');
  const detail = plainDetail(entry.detail ?? entry.outcome?.replace(/^\S+ (accepted|refused): /, '') ?? '');
  if (!accepted) {
    return {
      outcome: { kind: 'refused', message: `${name} REFUSED by the controller at ${entry.at}: ${detail}` },
      target: undefined,
      progress: '',
    };
  }
  // The transitions a command causes are recorded right after it, in the same step, stamped with the same
  // clock reading; a later event's transitions (an alarm in the same batch, say) follow with their own.
  const run: HistoryEntry[] = [];
  for (const next of doc.history.slice(index + 1)) {
    if (next.kind !== 'transition' && next.kind !== 'blocked') break;
    run.push(next);
  }
  const first = run.find((e) => e.kind === 'transition');
  const step =
    first && Date.parse(first.at) - Date.parse(entry.at) <= SAME_STEP_MS
      ? run.filter((e) => e.kind === 'transition' && e.at === first.at && e.region === 'health')
      : [];
  // resume re-evaluates at once: the health decision it causes is automatic. Others decide as the operator.
  const health = name === 'resume' ? step.at(-1) : step.find((e) => e.trigger === 'operator');
  const applied = `${name} applied at ${entry.at}: ${detail}`;
  if (!health) {
    // No state change (already failed over, say): the controller makes no shift for it, so there is nothing
    // to wait for; the split as last read tells whether traffic is where the state wants it.
    const actual = doc.actual?.telephonyPrimaryPercent;
    const where =
      actual === undefined
        ? ''
        : actual === desired
          ? `; traffic is at ${splitText(actual, config.regions)} as the state wants (read ${doc.actual?.readAt ?? '?'})`
          : `; NOTE: traffic was last read at ${actual}% primary, the state wants ${desired}% (see status)`;
    return {
      outcome: { kind: 'applied', message: `${applied}${name === 'failover' || name === 'failback' ? where : ''}` },
      target: undefined,
      progress: '',
    };
  }
  // The split the command's decision wants, when the history says (a step of a stepped failback may not).
  const expected = health.primaryPercent ?? fixedPercent(config, health.to);
  const decidedAt = Date.parse(health.at);
  const after = doc.history.slice(doc.history.indexOf(health) + 1);
  const undone = after.find((e) => e.kind === 'transition' && e.region === 'health' && reverses(name, e.to));
  if (undone) {
    return {
      outcome: {
        kind: 'superseded',
        message: `${applied}; then, before it was verified, a later decision moved traffic the other way (${undone.from} -> ${undone.to}): ${undone.reason}`,
      },
      target: expected,
      progress: '',
    };
  }
  const shift = doc.shift;
  // A shift record is this decision's when it was started after it, or, for the same target, kept from
  // before (the controller keeps a record whose target did not change) and verified again after it.
  const ours =
    shift !== undefined && (Date.parse(shift.decidedAt) >= decidedAt || shift.targetPrimaryPercent === expected);
  if (!shift || !ours)
    return {
      outcome: undefined,
      target: expected,
      progress: `applied; shifting${expected === undefined ? '' : ` to ${splitText(expected, config.regions)}`}`,
    };
  const split = splitText(shift.targetPrimaryPercent, config.regions);
  const more =
    desired !== shift.targetPrimaryPercent
      ? `; the state now wants ${desired}% primary, which the controller moves to next`
      : '';
  if (shift.status === 'verified' && Date.parse(shift.verifiedAt ?? '') >= decidedAt) {
    return {
      outcome: { kind: 'applied', message: `${applied}; traffic verified at ${split} (${shift.verifiedAt})${more}` },
      target: shift.targetPrimaryPercent,
      progress: '',
    };
  }
  if (shift.status === 'failed' && Date.parse(shift.updatedAt) >= decidedAt) {
    const retry = shift.nextAttemptAt
      ? `; the controller retries at ${shift.nextAttemptAt}`
      : '; the controller keeps retrying';
    return {
      outcome: {
        kind: 'shiftFailed',
        message: `${applied}; but the shift to ${split} FAILED: ${shift.lastError ?? 'no error recorded'}${retry}`,
      },
      target: shift.targetPrimaryPercent,
      progress: '',
    };
  }
  if (shift.status === 'dryRun') {
    return {
      outcome: {
        kind: 'dryRun',
        message: `${applied}; the controller runs with --dry-run: it would shift to ${split}, and wrote nothing`,
      },
      target: shift.targetPrimaryPercent,
      progress: '',
    };
  }
  const attempts = shift.attempts > 0 ? ` (attempt ${shift.attempts})` : '';
  return {
    outcome: undefined,
    target: shift.targetPrimaryPercent,
    progress: `applied; shifting to ${split}${attempts}`,
  };
}

/** The configured split of a state that has one (`failingBack` goes through steps: none). */
function fixedPercent(config: Config, state: string | undefined): number | undefined {
  const { healthy, degraded, failedOver } = config.traffic;
  return state === 'healthy'
    ? healthy
    : state === 'degraded'
      ? degraded
      : state === 'failedOver'
        ? failedOver
        : undefined;
}

/** A later health decision that takes traffic back the way the command moved it away from. */
function reverses(command: string, to: string | undefined): boolean {
  if (command === 'failback') return to === 'failedOver' || to === 'degraded';
  if (command === 'failover') return to === 'healthy' || to === 'degraded' || to === 'failingBack';
  return false;
}

function timedOut(last: WaitState, timeoutMs: number, config: Config): AwaitedOutcome {
  const within = `no outcome within ${formatAge(timeoutMs)}`;
  let message: string;
  if (!last.entry) {
    message = last.controller.running
      ? `${within}: the command is still in the queue and controller ${last.controller.holder ?? ''} has not applied it; check the controller's logs and the queue's dead-letter queue`
      : `${within}: no controller is running (${last.controller.summary}); the command waits in the queue and applies when a controller starts`;
  } else {
    const split = last.target === undefined ? 'the new split' : splitText(last.target, config.regions);
    message = `${within}: applied at ${last.entry.at}, but the shift to ${split} is not verified yet${last.shift?.lastError ? ` (last error: ${last.shift.lastError})` : ''}; the controller keeps at it`;
  }
  return {
    kind: 'timeout',
    message,
    entry: last.entry,
    targetPrimaryPercent: last.target,
    shift: last.shift,
    controller: last.controller,
  };
}
