/**
 * Turns a recording into what the report shows: each shift with its cause, attempts and the timings that
 * matter (alarm change → event received → decision → update accepted → verified), and the recovery time
 * measured against the scenario's target. Pure.
 */
import type { ConnectCall } from '../connect/traffic-port.ts';
import type {
  AlarmChange,
  Check,
  RecordedCommand,
  RecordedFault,
  RecordedShiftOutcome,
  Recording,
} from './recording.ts';

/** What started a shift: an alarm the game day set, or an operator command it sent. */
export type ShiftCause =
  | { kind: 'alarm'; alarm: string; state: string; at: number; step: string }
  | { kind: 'command'; command: string; at: number; step: string };

export interface ShiftTimeline {
  /** 1-based, in decision order. */
  number: number;
  from: string;
  to: string;
  targetPrimaryPercent: number;
  trigger: string;
  reason: string;
  cause: ShiftCause | undefined;
  /** The controller took the cause's message off the queue (local stack: its logs; AWS: commands only, from its history). */
  receivedAt: number | undefined;
  decidedAt: number;
  /** UpdateTrafficDistribution with the target split answered 2xx (local stack only). */
  acceptedAt: number | undefined;
  /** The controller verified the split (GetTrafficDistribution shows it, the group is ACTIVE). */
  verifiedAt: number | undefined;
  /** The game day itself first saw the target split. */
  observedAt: number | undefined;
  /** Every Connect call the controller made for this shift (local stack only). */
  attempts: ConnectCall[];
  failures: RecordedShiftOutcome[];
  /** A newer decision came before this shift was verified. */
  superseded: boolean;
}

/** A time between two moments of a shift, for the timings table. */
export interface Leg {
  label: string;
  ms: number | undefined;
}

export interface RtoMeasure {
  targetMs: number | undefined;
  from: { at: number; what: string } | undefined;
  until: { at: number; what: string } | undefined;
  measuredMs: number | undefined;
  passed: boolean | undefined;
  detail: string;
}

/** A failed Connect call, and the injected fault that explains it (an expected error), if one does. */
export type ApiError = ConnectCall & { injected?: string };

export interface Analysis {
  shifts: ShiftTimeline[];
  rto: RtoMeasure;
  /** Failed Connect calls the controller made (local stack), except calls it abandoned itself. */
  apiErrors: ApiError[];
  /** Of {@link apiErrors}, those no injected fault explains: the ones to look at. */
  unexpectedApiErrors: ApiError[];
}

/** The error name of a call the controller abandoned itself (a newer decision superseded it): not Connect's doing. */
const ABANDONED = 'AbortError';

export function analyse(recording: Recording): Analysis {
  const apiErrors = explainByFaults(
    recording.connectCalls.filter((c) => c.error !== undefined && c.error !== ABANDONED),
    recording.faults,
  );
  return {
    shifts: shiftsOf(recording),
    rto: measureRto(recording),
    apiErrors,
    unexpectedApiErrors: apiErrors.filter((e) => e.injected === undefined),
  };
}

/**
 * Marks the failed calls an injected fault explains, replaying the faults as the simulator applies them:
 * a scripted fault hits the next matching request (`count` of them), a Region down fails every call to it
 * until it is up again, random faults may hit any matching call, and `clear` ends them all. A failure
 * whose answer does not fit the fault (a 500 while a throttle was armed) stays unexplained.
 */
function explainByFaults(errors: readonly ConnectCall[], faults: readonly RecordedFault[]): ApiError[] {
  const pending: Array<{
    kind: string;
    operation: string;
    region: string | undefined;
    left: number;
    description: string;
  }> = [];
  const down = new Map<string, string>();
  let random: { operations: readonly string[] | undefined; description: string } | undefined;
  const armed = faults.toSorted((a, b) => a.at - b.at);
  let next = 0;
  return errors
    .toSorted((a, b) => a.startedAt - b.startedAt)
    .map((call) => {
      for (; next < armed.length && armed[next]!.at <= call.startedAt; next++) {
        const { fault, description } = armed[next]!;
        if (!fault) continue;
        switch (fault.kind) {
          case 'clear':
            pending.length = 0;
            down.clear();
            random = undefined;
            break;
          case 'regionDown':
            down.set(fault.region, description);
            break;
          case 'regionUp':
            down.delete(fault.region);
            break;
          case 'random':
            random = { operations: fault.operations, description };
            break;
          default:
            pending.push({
              kind: fault.kind,
              operation: fault.operation,
              region: fault.region,
              left: fault.count,
              description,
            });
        }
      }
      const regionDown = down.get(call.region);
      if (regionDown) return { ...call, injected: regionDown };
      const scripted = pending.find(
        (p) =>
          p.left > 0 &&
          p.operation === call.operation &&
          (p.region === undefined || p.region === call.region) &&
          answerFits(p.kind, call),
      );
      if (scripted) {
        scripted.left -= 1;
        return { ...call, injected: scripted.description };
      }
      if (random && (random.operations === undefined || random.operations.includes(call.operation)))
        return { ...call, injected: random.description };
      return { ...call };
    });
}

/** Whether a failed call's answer is what the fault produces. */
function answerFits(kind: string, call: ConnectCall): boolean {
  switch (kind) {
    case 'throttle':
      return call.status === 429;
    case 'conflict':
      return call.status === 409;
    case 'internal':
    case 'appliedThen500':
      return call.status === 500;
    default:
      // reset and hang: no answer at all (a network error or the client's timeout).
      return call.status === undefined;
  }
}

function shiftsOf(recording: Recording): ShiftTimeline[] {
  const health = recording.decisions.filter((d) => d.region === 'health').toSorted((a, b) => a.at - b.at);
  return health.map((d, i) => {
    const next = health[i + 1]?.at ?? Number.POSITIVE_INFINITY;
    const previous = health[i - 1]?.at ?? recording.startedAt;
    // Each failback step has its own percent, carried by its decision; other states have traffic.<state>.
    const target = d.primaryPercent ?? percentFor(recording, d.to);
    const inWindow = (at: number) => at >= d.at && at < next;
    // The next failback step follows its hold, not an alarm or a command: it has no cause to time from.
    const step = d.trigger === 'automatic' && d.from === 'failingBack' && d.to !== 'failedOver';
    const cause = step
      ? undefined
      : d.trigger === 'operator'
        ? commandCause(recording.commands, d.to, d.at, previous)
        : alarmCause(recording.alarmChanges, d.alarms, d.to, d.at);
    const verifiedAt = recording.shiftOutcomes.find(
      (o) => o.kind === 'verified' && o.targetPrimaryPercent === target && inWindow(o.at),
    )?.at;
    const attempts = recording.connectCalls.filter((c) => inWindow(c.startedAt));
    const accepted = attempts.find(
      (c) =>
        c.operation === 'UpdateTrafficDistribution' &&
        c.error === undefined &&
        c.split?.telephonyPrimaryPercent === target,
    );
    return {
      number: i + 1,
      from: d.from,
      to: d.to,
      targetPrimaryPercent: target,
      trigger: d.trigger,
      reason: d.reason,
      cause,
      // The receipt is known from the log line the controller writes after deciding in the same tick, so it
      // can read a millisecond after the decision; receipt never follows the decision it caused.
      receivedAt: cause ? atMost(receivedAt(recording, cause), d.at) : undefined,
      decidedAt: d.at,
      acceptedAt: accepted ? accepted.startedAt + accepted.durationMs : undefined,
      verifiedAt,
      observedAt: recording.samples.find((s) => inWindow(s.at) && s.actualPrimaryPercent === target)?.at,
      attempts,
      failures: recording.shiftOutcomes.filter(
        (o) => o.kind === 'failed' && o.targetPrimaryPercent === target && inWindow(o.at),
      ),
      superseded: verifiedAt === undefined && next !== Number.POSITIVE_INFINITY,
    };
  });
}

/** The legs of a shift's timeline that can be measured; a missing moment makes its legs undefined. */
export function legsOf(shift: ShiftTimeline): Leg[] {
  const between = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : b - a;
  const start = shift.cause?.at;
  const causeLabel = shift.cause?.kind === 'command' ? 'command sent' : 'alarm change';
  return [
    { label: `${causeLabel} → event received`, ms: between(start, shift.receivedAt) },
    { label: 'event received → decision', ms: between(shift.receivedAt, shift.decidedAt) },
    { label: 'decision → update accepted', ms: between(shift.decidedAt, shift.acceptedAt) },
    { label: 'update accepted → verified', ms: between(shift.acceptedAt, shift.verifiedAt) },
    { label: `${causeLabel} → verified (total)`, ms: between(start, shift.verifiedAt) },
  ];
}

function percentFor(recording: Recording, state: string): number {
  const traffic = recording.config.traffic as Record<string, number>;
  return traffic[state] ?? Number.NaN;
}

/** The latest alarm change before the decision that points the way it went (ALARM away from healthy, OK back). */
function alarmCause(
  changes: readonly AlarmChange[],
  alarms: readonly string[],
  to: string,
  decidedAt: number,
): ShiftCause | undefined {
  const back = to === 'healthy' || to === 'failingBack';
  const direction = (c: AlarmChange) => (back ? c.state === 'OK' : c.state === 'ALARM');
  const before = changes.filter((c) => c.at <= decidedAt && direction(c));
  const named = before.filter((c) => alarms.includes(c.alarm));
  const change = (named.length > 0 ? named : before).at(-1);
  return change && { kind: 'alarm', alarm: change.alarm, state: change.state, at: change.at, step: change.step };
}

function commandCause(
  commands: readonly RecordedCommand[],
  to: string,
  decidedAt: number,
  previous: number,
): ShiftCause | undefined {
  const wanted = to === 'healthy' || to === 'failingBack' ? 'failback' : to === 'failedOver' ? 'failover' : undefined;
  const command = commands
    .filter((c) => c.at <= decidedAt && c.at >= previous - 60_000 && (wanted === undefined || c.command === wanted))
    .at(-1);
  return command && { kind: 'command', command: command.command, at: command.at, step: command.step };
}

function atMost(at: number | undefined, limit: number): number | undefined {
  return at === undefined ? undefined : Math.min(at, limit);
}

function receivedAt(recording: Recording, cause: ShiftCause): number | undefined {
  const receipts = recording.receipts.filter((r) => r.at >= cause.at);
  if (cause.kind === 'alarm')
    return receipts.find((r) => r.kind === 'alarm' && r.subject === cause.alarm && r.state === cause.state)?.at;
  return receipts.find((r) => r.kind === 'command' && r.subject === cause.command)?.at;
}

/**
 * RTO: from the scenario's `rto.from` step (default: the first SetAlarmState that put a critical alarm in
 * ALARM) to traffic on the replica at `traffic.failedOver`: verified by the controller when the game day
 * sees inside it (local stack), else first seen by the game day's own GetTrafficDistribution (AWS; its
 * resolution is the polling interval, and no clock but the game day's is involved).
 */
export function measureRto(recording: Recording): RtoMeasure {
  const targetMs = recording.scenario.rtoTargetMs;
  const from = rtoStart(recording);
  const failedOver = recording.config.traffic.failedOver;
  if (!from) {
    return {
      targetMs,
      from: undefined,
      until: undefined,
      measuredMs: undefined,
      passed: targetMs === undefined ? undefined : false,
      detail: 'no step put a critical alarm in ALARM (name the starting step in rto.from)',
    };
  }
  const verified = recording.insideView
    ? recording.shiftOutcomes.find(
        (o) => o.kind === 'verified' && o.targetPrimaryPercent === failedOver && o.at >= from.at,
      )
    : undefined;
  const seen = recording.samples.find((s) => s.at >= from.at && s.actualPrimaryPercent === failedOver);
  const until = verified
    ? { at: verified.at, what: `the controller verified ${failedOver}% on the primary` }
    : seen && { at: seen.at, what: `the game day saw ${failedOver}% on the primary (GetTrafficDistribution)` };
  if (!until) {
    return {
      targetMs,
      from,
      until: undefined,
      measuredMs: undefined,
      passed: targetMs === undefined ? undefined : false,
      detail: `traffic never reached ${failedOver}% on the primary after ${from.what}`,
    };
  }
  const measuredMs = until.at - from.at;
  const passed = targetMs === undefined ? undefined : measuredMs <= targetMs;
  const detail = `${(measuredMs / 1000).toFixed(2)}s from ${from.what} until ${until.what}${targetMs === undefined ? '' : ` (target ${(targetMs / 1000).toFixed(0)}s)`}`;
  return { targetMs, from, until, measuredMs, passed, detail };
}

function rtoStart(recording: Recording): { at: number; what: string } | undefined {
  const named = recording.scenario.rtoFrom;
  if (named !== undefined) {
    const step = recording.steps.find((s) => s.label === named && s.startedAt !== undefined);
    return step && { at: step.startedAt!, what: `step "${named}"` };
  }
  const critical = new Set(recording.alarms.filter((a) => a.role === 'critical').map((a) => a.key));
  const change = recording.alarmChanges.find((c) => c.state === 'ALARM' && critical.has(c.alarm));
  return change && { at: change.at, what: `${change.alarm} set to ALARM` };
}

/** The RTO verdict as a check, when the scenario has a target. */
export function rtoCheck(recording: Recording): Check | undefined {
  const rto = measureRto(recording);
  if (rto.targetMs === undefined) return undefined;
  return {
    kind: 'rto',
    step: undefined,
    description: `recovery time within ${(rto.targetMs / 1000).toFixed(0)}s`,
    passed: rto.passed === true,
    detail: rto.detail,
  };
}
