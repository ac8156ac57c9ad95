/**
 * What `status` tells a person to look at first (attention lines) and to do next, from a built report.
 * Pure: the state, the config and this host's clock.
 */
import { transition } from 'xstate';
import { firing, outlook, primaryKeys } from '../../state-machines/index.ts';
import type { FailoverSnapshot, createFailoverMachine } from '../../state-machines/index.ts';
import type { Config } from '../config/types.ts';
import { policyOf } from '../domain/policy.ts';
import { formatAge } from './controller-liveness.ts';
import type { NextStep, StatusReport } from './status-report.ts';

/** The statechart's refusal detail begins with `refused: `; shown after "refused" it would say it twice. */
export function plainDetail(detail: string): string {
  return detail.replace(/^refused: /, '');
}

/** `us-east-1 (primary)`. */
function named(region: string, role: 'primary' | 'replica'): string {
  return `${region} (${role})`;
}

/** `30% to us-east-1 (primary), 70% to us-west-2 (replica)`. */
export function splitText(primaryPercent: number, regions: { primary: string; replica: string }): string {
  return `${primaryPercent}% to ${named(regions.primary, 'primary')}, ${100 - primaryPercent}% to ${named(regions.replica, 'replica')}`;
}

export function neverRunAttention(report: StatusReport): string[] {
  const lines = [
    report.controller.running
      ? `the controller ${report.controller.holder ?? ''} has not saved a state yet`
      : 'never run: no controller has run with this store',
  ];
  if (report.actual && report.actual.telephonyPrimaryPercent !== report.desiredPrimaryPercent) {
    lines.push(
      `Connect sends ${splitText(report.actual.telephonyPrimaryPercent, report.regions)}; a first start finds this and treats it as the split found at start-up`,
    );
  }
  lines.push(...groupAttention(report));
  return lines;
}

/**
 * A group being deleted, or whose creation or deletion failed, cannot take a shift, and nothing the
 * controller does fixes that. In progress (an update or the creation) settles by itself: not a line here.
 */
function groupAttention(r: StatusReport): string[] {
  return r.actualStatus && BROKEN_GROUP_STATES.has(r.actualStatus)
    ? [`traffic distribution group is ${r.actualStatus}: it cannot take a shift; see the group in the Connect console`]
    : [];
}

const NOT_FOR_ATTENTION: ReadonlySet<StatusReport['blockedKind']> = new Set(['paused', 'suspended', 'waiting']);

/** States of a traffic distribution group that do not settle into ACTIVE by themselves. */
const BROKEN_GROUP_STATES = new Set(['PENDING_DELETION', 'DELETION_FAILED', 'CREATION_FAILED']);

export function attentionFor(r: StatusReport, config: Config, now: number): string[] {
  const lines: string[] = [];
  if (!r.controller.running) {
    lines.push(`controller NOT RUNNING: ${r.controller.summary}; commands wait in the queue until one starts`);
  }
  const shift = r.lastShift;
  const shiftAimsHere = shift !== null && shift.primaryPercent === r.desiredPrimaryPercent;
  if (shift && shiftAimsHere && shift.outcome === 'failed') {
    lines.push(
      `shift to ${shift.primaryPercent}% primary FAILING: ${shift.error ?? 'no error recorded'}${shift.nextAttemptAt ? `; next try ${when(shift.nextAttemptAt, now)}` : ''}`,
    );
  }
  if (shift && shiftAimsHere && shift.outcome === 'dryRun')
    lines.push(`dry run: the controller decides but never writes; Connect is not changed`);
  const actual = r.actual;
  if (actual && actual.telephonyPrimaryPercent !== r.desiredPrimaryPercent) {
    const inFlight = shiftAimsHere && shift?.outcome === 'pending' && r.controller.running;
    const reading =
      actual.source === 'live' ? 'Connect sends' : `the controller last read (${formatAge(actual.ageMs)} ago)`;
    if (inFlight)
      lines.push(
        `shift in progress: ${reading} ${actual.telephonyPrimaryPercent}% to the primary; the state wants ${r.desiredPrimaryPercent}%`,
      );
    else {
      const why =
        r.automation !== 'active'
          ? `Not corrected while automation is ${r.automation}.`
          : !r.controller.running
            ? config.drift === 'pause'
              ? 'Changed by hand? At start-up the controller keeps it, writes nothing and pauses automation (drift: pause).'
              : 'At start-up the controller writes the state’s split back (drift: restore).'
            : 'The controller acts on it at its next check of the split (timing.driftCheck).';
      lines.push(
        `DRIFT: ${reading} ${splitText(actual.telephonyPrimaryPercent, r.regions)}; the state wants ${r.desiredPrimaryPercent}%. ${why}`,
      );
    }
  }
  lines.push(...groupAttention(r));
  if (r.liveReadError && actual?.source !== 'live')
    lines.push(`Connect could not be read just now: ${r.liveReadError}`);
  const command = r.lastCommand;
  if (command && !command.accepted) {
    lines.push(
      `last command REFUSED: ${command.command} by ${command.by ?? 'unknown'} ${when(command.appliedAt, now)}: ${command.detail}`,
    );
  }
  if (r.automation !== 'active') {
    const since = r.automationSince ? ` for ${formatAge(Math.max(0, now - Date.parse(r.automationSince)))}` : '';
    const why =
      r.automationReason ??
      (r.automation === 'suspended' ? 'too many automatic shifts (maxAutomaticShifts)' : 'no reason recorded');
    lines.push(`automation ${r.automation.toUpperCase()}${since}: ${why}; nothing shifts on its own until resume`);
  }
  // Paused and suspended have their own line above; a `waiting` block (a failback step's hold, recoverAfter)
  // ends by itself and is shown where it belongs (the failback row, `blocked`), not as work for a person.
  if (r.blocked && !NOT_FOR_ATTENTION.has(r.blockedKind)) lines.push(`blocked: ${r.blocked}`);
  return lines;
}

export function nextStepFor(
  r: StatusReport,
  config: Config,
  snapshot: FailoverSnapshot,
  machine: ReturnType<typeof createFailoverMachine>,
  now: number,
): NextStep | null {
  const policy = policyOf(config);
  if (!r.controller.running) {
    const drifted = r.actual !== null && r.actual.telephonyPrimaryPercent !== r.desiredPrimaryPercent;
    const atStart = drifted
      ? config.drift === 'pause'
        ? `then keeps the split it finds (${r.actual?.telephonyPrimaryPercent}% primary), writes nothing and pauses automation until resume (drift: pause)`
        : `then writes ${r.desiredPrimaryPercent}% primary back (drift: restore)`
      : 'then checks the split';
    return {
      why: `start a controller: it applies the commands waiting in the queue first, ${atStart}`,
      command: 'connect-failover run -c FILE',
    };
  }
  if (r.lastShift?.outcome === 'failed' && r.lastShift.primaryPercent === r.desiredPrimaryPercent) {
    return {
      why: 'the controller keeps retrying; see why in the history and docs/runbook.md §12.3',
      command: 'connect-failover history -c FILE --since 1h',
    };
  }
  if (r.automation !== 'active') {
    const after = transition(machine, snapshot, {
      type: 'operator.resumeRequested',
      reason: 'status preview',
      by: 'status',
      now: Math.max(now, snapshot.context.now),
    })[0];
    const desired = outlook(policy, after).desiredPrimaryPercent;
    const actual = r.actualPrimaryPercent;
    const effect =
      actual !== null && desired !== actual
        ? ` (the signals now say ${outlook(policy, after).health}: resuming moves traffic to ${desired}% primary at once)`
        : '';
    return { why: `when ready, restart automation${effect}`, command: 'connect-failover resume -c FILE --reason "…"' };
  }
  if (r.state === 'failedOver' && (policy.failback === 'manual' || snapshot.context.operatorHold)) {
    const okSince = snapshot.context.okSince;
    if (okSince !== null) {
      return {
        why: `all primary signals OK for ${formatAge(Math.max(0, now - okSince))}; fail back when the primary is sound`,
        command: 'connect-failover failback -c FILE --reason "…"',
      };
    }
    const holding = primaryKeys(policy).filter((k) => snapshot.context.signals[k]?.value !== 'OK');
    return {
      why: `failback waits for the primary: ${holding.map((k) => `${k} ${snapshot.context.signals[k]?.value ?? 'UNKNOWN'}`).join(', ')}`,
      command: null,
    };
  }
  const command = r.lastCommand;
  if (
    command &&
    !command.accepted &&
    command.command === 'failover' &&
    firing(policy.signals.replicaUnhealthy, snapshot.context.signals).length > 0
  ) {
    return {
      why: 'the replica alarm blocks failover; if it is a false alarm, override the gate',
      command: 'connect-failover failover -c FILE --force --reason "…"',
    };
  }
  return null;
}

/** `3 min ago` / `in 20s` for a time near now; the ISO time itself when far. */
function when(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return iso;
  const delta = at - now;
  return delta >= 0 ? `in ${formatAge(delta)}` : `${formatAge(-delta)} ago`;
}
