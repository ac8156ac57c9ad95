/**
 * Replays recorded alarm state changes through the real statechart on a simulated clock. Pure: the same
 * machine and rules as the controller (`createFailoverMachine`, `outlook().nextDeadline`), fed the way the
 * controller feeds them: each change as `alarm.changed` at its alarm-state time, and `clock.ticked` at
 * every deadline in between, so escalation, recovery and cooldown fire exactly when they would have.
 *
 * What the controller cannot decide on its own (a manual failback, leaving suspension) needs a person. The
 * replay assumes one who acts once every primary signal has been OK for `operatorAfterMs`, and reports each
 * such action, so the month does not end at the first failover.
 */
import { initialTransition, transition } from 'xstate';
import { createFailoverMachine, outlook, primaryPercentFor, statesOf } from '../../state-machines/index.ts';
import type {
  AlarmValue,
  Decision,
  AutomationState,
  Blocked,
  FailoverEvent,
  FailoverPolicy,
  FailoverSnapshot,
  HealthState,
} from '../../state-machines/index.ts';

/** One state change of a configured signal, keyed as the config (and so the statechart) names it. */
export interface SignalChange {
  alarm: string;
  value: AlarmValue;
  /** Epoch ms of the alarm-state change. */
  at: number;
}

export interface ReplayInput {
  policy: FailoverPolicy;
  /** Start of the window (epoch ms); moved back to the first change if that is earlier. */
  start: number;
  /**
   * End of the window: deadlines and assumed operator actions up to it are applied, and an episode still
   * open is measured to it. Undefined: the replay runs until nothing more is due (the alarms are taken to
   * stay as last recorded), and the window ends at the last thing that happened.
   */
  end?: number | undefined;
  /** Without `end`: the latest time the history covers (changes of other alarms too); the window ends no earlier. */
  recordedUntil?: number | undefined;
  /** The state of each signal when the window opens (a signal not listed is unknown, as after a fresh start). */
  initial: ReadonlyArray<{ alarm: string; value: AlarmValue }>;
  /** In any order. */
  changes: readonly SignalChange[];
  /**
   * The assumed operator fails back (with `failback: manual`) and resumes a suspended automation once every
   * primary signal has been OK this long. Null: nobody acts, as with an unattended controller.
   */
  operatorAfterMs: number | null;
}

export interface ReplayShift {
  at: number;
  from: HealthState;
  to: HealthState;
  primaryPercent: number;
  trigger: Decision['trigger'];
  reason: string;
  alarms: string[];
}

export interface ReplaySuspension {
  at: number;
  reason: string;
  alarms: string[];
  /** When automation became active again (an assumed operator resume); null if it never did in the window. */
  resumedAt: number | null;
}

/** A shift the rules wanted but a gate held back: replica unhealthy, automation suspended or paused. */
export interface ReplayBlocked {
  at: number;
  /** When the block ended (the shift happened, or was no longer wanted); null if still blocked at the end. */
  until: number | null;
  kind: Exclude<Blocked['kind'], 'waiting'>;
  wanted: HealthState;
  message: string;
  alarms: string[];
}

/** An action the replay assumed a person took. */
export interface ReplayOperatorAction {
  at: number;
  action: 'failback' | 'resume';
  /** Since when every primary signal had been OK. */
  okSince: number;
  accepted: boolean;
  detail: string;
}

/** Time away from `healthy`: from the shift that left it to the shift back. */
export interface ReplayEpisode {
  start: number;
  /** Null: still open when the window ended (measured to the window's end). */
  end: number | null;
  degradedMs: number;
  failedOverMs: number;
  durationMs: number;
  /** The furthest from healthy it went. */
  worst: HealthState;
}

export interface ReplaySummary {
  shifts: number;
  automaticShifts: number;
  automaticFailovers: number;
  /** Shifts an (assumed) operator made. */
  operatorShifts: number;
  suspensions: number;
  /** Distinct blocks (a block that changes its reason counts again). */
  blockedShifts: number;
  episodes: number;
  timeFailedOverMs: number;
  timeDegradedMs: number;
  timeSuspendedMs: number;
  /** The longest continuous time failed over. */
  longestOutageMs: number;
  /** The longest episode away from healthy. */
  longestEpisodeMs: number;
}

export interface ReplayResult {
  start: number;
  end: number;
  shifts: ReplayShift[];
  suspensions: ReplaySuspension[];
  blocked: ReplayBlocked[];
  operatorActions: ReplayOperatorAction[];
  episodes: ReplayEpisode[];
  summary: ReplaySummary;
  /** Where it stood when the window ended. */
  final: { health: HealthState; automation: AutomationState };
}

/**
 * The replay stopped advancing: a step changed neither the clock nor the input. A bug in the replay or
 * the statechart, never bad input; it is raised instead of looping forever.
 */
export class ReplayStalledError extends Error {
  constructor(at: number, steps: number) {
    super(`backtest replay did not settle after ${steps} steps (at ${new Date(at).toISOString()})`);
    this.name = 'ReplayStalledError';
  }
}

const ASSUMED_OPERATOR = 'backtest (assumed operator)';

type Step =
  | { kind: 'tick'; at: number }
  | { kind: 'operator'; at: number; action: 'failback' | 'resume'; okSince: number }
  | { kind: 'change'; at: number };

/** Order of steps due at the same instant: a deadline was due first; an operator acts on what is there. */
const STEP_ORDER: Record<Step['kind'], number> = { tick: 0, operator: 1, change: 2 };

export function replay(input: ReplayInput): ReplayResult {
  const { policy } = input;
  // Equal times in alarm-name order (a stable sort after a sort by name): the result must not depend on the
  // order in which history documents were concatenated.
  const changes = [...input.changes]
    .sort((a, b) => (a.alarm < b.alarm ? -1 : a.alarm > b.alarm ? 1 : 0))
    .sort((a, b) => a.at - b.at);
  const start = Math.min(input.start, changes[0]?.at ?? input.start);
  const machine = createFailoverMachine(policy);
  let snapshot: FailoverSnapshot = initialTransition(machine, { now: start })[0];
  const record = new Recorder(policy);

  const send = (event: FailoverEvent): void => {
    const [next, actions] = transition(machine, snapshot, event);
    snapshot = next;
    // No Connect here: a requested split counts as verified at once, so a failback step's hold runs from
    // its decision (a real shift settles within seconds of a hold measured in minutes).
    for (const action of actions) {
      if (action.type !== 'requestShift') continue;
      const { primaryPercent, agentsPrimaryPercent } = action.params as Record<
        'primaryPercent' | 'agentsPrimaryPercent',
        number
      >;
      const verified = { type: 'shift.verified' as const, primaryPercent, agentsPrimaryPercent, at: event.now };
      snapshot = transition(machine, snapshot, { ...verified, now: event.now })[0];
    }
    record.after(snapshot, event.now);
  };

  if (input.initial.length > 0) {
    // Stamped just before the window, so a change recorded at its very first instant is still newer.
    send({
      type: 'alarms.observed',
      alarms: input.initial.map((r) => ({ alarm: r.alarm, value: r.value, at: start - 1 })),
      now: start,
    });
  }

  let next = 0;
  let steps = 0;
  let operatorAfterMs = input.operatorAfterMs;
  const maxSteps = 10 * (changes.length + 10);
  for (;;) {
    const step = nextStep(snapshot, changes[next], input.policy, operatorAfterMs);
    if (step === undefined || (input.end !== undefined && step.at > input.end)) break;
    if (++steps > maxSteps) throw new ReplayStalledError(step.at, steps);
    // Never backwards: the statechart follows its clock both ways, and history is replayed forwards.
    const now = Math.max(step.at, snapshot.context.now);
    if (step.kind === 'tick') {
      send({ type: 'clock.ticked', now });
    } else if (step.kind === 'operator') {
      const reason = `assumed (every primary signal OK since ${new Date(step.okSince).toISOString()})`;
      send(
        step.action === 'failback'
          ? { type: 'operator.failbackRequested', force: false, reason, by: ASSUMED_OPERATOR, now }
          : { type: 'operator.resumeRequested', reason, by: ASSUMED_OPERATOR, now },
      );
      const outcome = snapshot.context.lastCommand;
      record.operator({
        at: now,
        action: step.action,
        okSince: step.okSince,
        accepted: outcome?.accepted ?? false,
        detail: outcome?.detail ?? '',
      });
      // A refused command would be due again at once: stop assuming an operator rather than loop.
      if (!outcome?.accepted) operatorAfterMs = null;
    } else {
      const change = changes[next++]!;
      send({ type: 'alarm.changed', alarm: change.alarm, value: change.value, at: change.at, now });
    }
  }

  const lastChange = changes.at(-1)?.at ?? start;
  const end = input.end ?? Math.max(lastChange, snapshot.context.now, start, input.recordedUntil ?? start);
  return record.finish(start, end, statesOf(snapshot));
}

/** The earliest of: the statechart's next deadline, an assumed operator action, the next recorded change. */
function nextStep(
  snapshot: FailoverSnapshot,
  change: SignalChange | undefined,
  policy: FailoverPolicy,
  operatorAfterMs: number | null,
): Step | undefined {
  const candidates: Step[] = [];
  const deadline = outlook(policy, snapshot).nextDeadline;
  if (deadline !== null) candidates.push({ kind: 'tick', at: deadline });
  const operator = operatorDue(policy, snapshot, operatorAfterMs);
  if (operator !== undefined) candidates.push(operator);
  if (change !== undefined) candidates.push({ kind: 'change', at: change.at });
  return candidates.sort((a, b) => a.at - b.at || STEP_ORDER[a.kind] - STEP_ORDER[b.kind])[0];
}

/** What the assumed operator would do next, and when: nothing while any primary signal is not OK. */
function operatorDue(
  policy: FailoverPolicy,
  snapshot: FailoverSnapshot,
  operatorAfterMs: number | null,
): Step | undefined {
  if (operatorAfterMs === null) return undefined;
  const { health, automation } = statesOf(snapshot);
  const { okSince, operatorHold } = snapshot.context;
  if (okSince === null) return undefined;
  const at = okSince + operatorAfterMs;
  if (automation !== 'active') return { kind: 'operator', at, action: 'resume', okSince };
  if (health === 'failedOver' && (policy.failback === 'manual' || operatorHold))
    return { kind: 'operator', at, action: 'failback', okSince };
  return undefined;
}

/** Collects decisions and blocks as the replay goes, and sums them up at the end. */
class Recorder {
  private readonly shifts: ReplayShift[] = [];
  private readonly suspensions: ReplaySuspension[] = [];
  private readonly blocked: ReplayBlocked[] = [];
  private readonly operatorActions: ReplayOperatorAction[] = [];
  private lastSeq = 0;

  constructor(private readonly policy: FailoverPolicy) {}

  after(snapshot: FailoverSnapshot, at: number): void {
    // The context keeps only the newest decisions; one event makes a handful, far below that bound.
    for (const d of snapshot.context.decisions.filter((x) => x.seq > this.lastSeq)) {
      this.lastSeq = d.seq;
      if (d.region === 'health') {
        const to = d.to as HealthState;
        this.shifts.push({
          at: d.at,
          from: d.from as HealthState,
          to,
          // A failback step's own percent comes with its decision; older decisions lack it.
          primaryPercent: d.primaryPercent ?? primaryPercentFor(this.policy, to),
          trigger: d.trigger,
          reason: d.reason,
          alarms: d.alarms,
        });
      } else if (d.to === 'suspended') {
        this.suspensions.push({ at: d.at, reason: d.reason, alarms: d.alarms, resumedAt: null });
      } else if (d.from === 'suspended') {
        const open = this.suspensions.at(-1);
        if (open && open.resumedAt === null) open.resumedAt = d.at;
      }
    }
    const block = outlook(this.policy, snapshot).blocked;
    const open = this.blocked.at(-1);
    const current = block !== null && block.kind !== 'waiting' ? block : null;
    if (open && open.until === null && open.message !== current?.message) open.until = at;
    if (current !== null && (open === undefined || open.until !== null)) {
      this.blocked.push({
        at,
        until: null,
        kind: current.kind as ReplayBlocked['kind'],
        wanted: current.wanted.to,
        message: current.message,
        alarms: current.wanted.alarms,
      });
    }
  }

  operator(action: ReplayOperatorAction): void {
    this.operatorActions.push(action);
  }

  finish(start: number, end: number, final: ReplayResult['final']): ReplayResult {
    const episodes = episodesOf(this.shifts, end);
    const stints = failedOverStints(this.shifts, end);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const automatic = this.shifts.filter((s) => s.trigger === 'automatic');
    return {
      start,
      end,
      shifts: this.shifts,
      suspensions: this.suspensions,
      blocked: this.blocked,
      operatorActions: this.operatorActions,
      episodes,
      final,
      summary: {
        shifts: this.shifts.length,
        automaticShifts: automatic.length,
        automaticFailovers: automatic.filter((s) => s.to === 'failedOver').length,
        operatorShifts: this.shifts.length - automatic.length,
        suspensions: this.suspensions.length,
        blockedShifts: this.blocked.length,
        episodes: episodes.length,
        timeFailedOverMs: sum(episodes.map((e) => e.failedOverMs)),
        timeDegradedMs: sum(episodes.map((e) => e.degradedMs)),
        timeSuspendedMs: sum(this.suspensions.map((s) => (s.resumedAt ?? end) - s.at)),
        longestOutageMs: Math.max(0, ...stints),
        longestEpisodeMs: Math.max(0, ...episodes.map((e) => e.durationMs)),
      },
    };
  }
}

/** Episodes away from healthy, with the time spent in each state, from the shifts in order. */
function episodesOf(shifts: readonly ReplayShift[], end: number): ReplayEpisode[] {
  const episodes: ReplayEpisode[] = [];
  let open: ReplayEpisode | undefined;
  let since = 0;
  let state: HealthState = 'healthy';
  const severity: Record<string, number> = { healthy: 0, degraded: 1, failedOver: 2 };
  const account = (until: number) => {
    if (open === undefined) return;
    if (state === 'degraded') open.degradedMs += until - since;
    if (state === 'failedOver') open.failedOverMs += until - since;
  };
  for (const shift of shifts) {
    account(shift.at);
    if (open === undefined && shift.to !== 'healthy') {
      open = { start: shift.at, end: null, degradedMs: 0, failedOverMs: 0, durationMs: 0, worst: shift.to };
      episodes.push(open);
    }
    if (open !== undefined && (severity[shift.to] ?? 0) > (severity[open.worst] ?? 0)) open.worst = shift.to;
    state = shift.to;
    since = shift.at;
    if (open !== undefined && shift.to === 'healthy') {
      open.end = shift.at;
      open.durationMs = shift.at - open.start;
      open = undefined;
    }
  }
  account(end);
  if (open !== undefined) open.durationMs = end - open.start;
  return episodes;
}

/** Each continuous stretch failed over, in ms. */
function failedOverStints(shifts: readonly ReplayShift[], end: number): number[] {
  const stints: number[] = [];
  let from: number | undefined;
  for (const shift of shifts) {
    if (shift.to === 'failedOver' && from === undefined) from = shift.at;
    else if (shift.to !== 'failedOver' && from !== undefined) {
      stints.push(shift.at - from);
      from = undefined;
    }
  }
  if (from !== undefined) stints.push(end - from);
  return stints;
}
