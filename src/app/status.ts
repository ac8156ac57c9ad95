/**
 * The `status` use case: what the controller is doing and why, built from the persisted state and the
 * lease (the controller need not be running) and, when asked, the split read live from Connect. Shared
 * by the CLI's `status` and by game days, which judge their `waitFor` and `assert` conditions on this
 * same report (without the live read: the game day reads the split itself).
 *
 * It says what needs attention first: a report that showed the last split the controller read as
 * "actual", or a controller that died as "holding the lease", would mislead the person deciding what to
 * do at 3 a.m.
 */
import { transition } from 'xstate';
import { createFailoverMachine, firing, outlook, primaryKeys, restoreSnapshot } from '../../state-machines/index.ts';
import type { FailoverSnapshot } from '../../state-machines/index.ts';
import type { AwsClientSettings } from '../aws/client-settings.ts';
import type { Config } from '../config/types.ts';
import type { ControllerDocument, HistoryEntry } from '../controller/document.ts';
import { signalRefs } from '../domain/signals.ts';
import { policyOf } from '../domain/policy.ts';
import type { LeaseStatus } from '../store/store.ts';
import { formatAge, livenessOf } from './controller-liveness.ts';
import type { ControllerLiveness } from './controller-liveness.ts';
import { readLiveSplit } from './live-traffic.ts';
import type { LiveSplit } from './live-traffic.ts';
import { readStoreView } from './persisted-state.ts';
import type { Persisted, ReadPersistedOptions } from './persisted-state.ts';

/** Where the actual split comes from: read just now from Connect, or the controller's last reading (with its age). */
export interface ActualSplit {
  source: 'live' | 'stored';
  telephonyPrimaryPercent: number;
  agentsPrimaryPercent: number | null;
  readAt: string;
  /** How old the reading is, ms (0 for a live read). */
  ageMs: number;
  /** The Region whose API answered (live reads only). */
  region: string | null;
}

/** The last operator command the controller applied, from its history. */
export interface LastCommand {
  id: string | null;
  command: string;
  accepted: boolean;
  detail: string;
  force: boolean;
  by: string | null;
  reason: string;
  requestedAt: string | null;
  appliedAt: string;
}

/** What to do next: why, and the command line (with `-c FILE` for the caller to fill in), if any. */
export interface NextStep {
  why: string;
  command: string | null;
}

/** The `status --json` shape of the contract, plus what operators asked for on top. */
export interface StatusReport {
  state: string;
  automation: string;
  desiredPrimaryPercent: number;
  /** The actual split: live from Connect when it answered, else the controller's last reading; null when neither. */
  actualPrimaryPercent: number | null;
  /** When the health state was entered; null when no controller ever ran with this store. */
  since: string | null;
  reason: string;
  signals: Record<string, string>;
  lastShift: {
    at: string;
    primaryPercent: number;
    outcome: string;
    error?: string;
    nextAttemptAt?: string;
    attempts?: number;
  } | null;
  blocked: string | null;
  nextDeadline: string | null;
  automationReason: string | null;
  /** When {@link actualPrimaryPercent} was read. */
  actualReadAt: string | null;
  store: string;
  updatedAt: string | null;
  /** The running controller that holds the lease (its name, `host:pid`), or null when none is running. */
  leader: string | null;
  /** True when no controller ever saved a state in this store: the rest is what a fresh one would start with. */
  neverRun: boolean;
  trafficDistributionGroup: string;
  regions: { primary: string; replica: string };
  /** While failing back in steps (behaviour 12): which step, its split, and until when it is held. */
  failback?: {
    step: number;
    of: number;
    primaryPercent: number;
    agentsPrimaryPercent: number;
    holdUntil: string | null;
    /** The step's shift is verified in Connect: its hold runs (false: no hold deadline until it is). */
    verified: boolean;
    frozen: boolean;
  } | null;
  /** Percent of agents the state wants on the primary (`traffic.shiftAgents`), else null. */
  desiredAgentsPrimaryPercent: number | null;
  actual: ActualSplit | null;
  /** Why Connect could not be read live, when that was tried and failed. */
  liveReadError: string | null;
  /** When automation entered its current mode (null while active since the start, or never run). */
  automationSince: string | null;
  /** Since when every primary signal has been OK (null while one is not). */
  primaryOkSince: string | null;
  controller: ControllerLiveness;
  lastCommand: LastCommand | null;
  /** What needs a person's attention, most urgent first; empty when nothing does. */
  attention: string[];
  next: NextStep | null;
  /** Signals with their role and Region, in config order. */
  signalDetails: Array<{
    key: string;
    name: string;
    role: string;
    region: string;
    value: string;
    since: string | null;
  }>;
  /** When this report was made (this host's clock). */
  at: string;
}

/** What {@link buildStatus} needs besides the config and the document. */
export interface StatusInputs {
  /** The lease as read from the store; undefined when none was ever taken. */
  lease?: LeaseStatus | undefined;
  /** The split read live from Connect, when it was tried. */
  live?: LiveSplit | undefined;
  /** This host's clock. Default `Date.now()`. */
  now?: number;
}

/**
 * The report for a persisted state; with none (the controller never ran with this store) the state a
 * fresh controller starts in, with every signal `UNKNOWN`.
 * @param store where the state was looked for, shown as `store` (the store's `describe()`).
 */
export function buildStatus(
  config: Config,
  persisted: Persisted | undefined,
  store: string,
  inputs: StatusInputs = {},
): StatusReport {
  const now = inputs.now ?? Date.now();
  const policy = policyOf(config);
  const machine = createFailoverMachine(policy);
  const refs = signalRefs(config.signals, config.regions);
  const controller = livenessOf(inputs.lease ?? persisted?.lease, now);
  const live = inputs.live?.ok ? inputs.live : undefined;
  const liveReadError = inputs.live && !inputs.live.ok ? inputs.live.error : null;
  const base = {
    trafficDistributionGroup: config.trafficDistributionGroup.arn ?? config.trafficDistributionGroup.id,
    regions: { primary: config.regions.primary, replica: config.regions.replica },
    liveReadError,
    controller,
    store,
    at: new Date(now).toISOString(),
    leader: controller.running ? controller.holder : null,
  };
  if (!persisted) {
    const actual = live ? liveActual(live) : null;
    const report: StatusReport = {
      ...base,
      state: 'healthy',
      automation: 'active',
      desiredPrimaryPercent: config.traffic.healthy,
      desiredAgentsPrimaryPercent: config.traffic.shiftAgents ? config.traffic.healthy : null,
      actualPrimaryPercent: actual?.telephonyPrimaryPercent ?? null,
      actualReadAt: actual?.readAt ?? null,
      actual,
      since: null,
      reason: 'the controller has not run with this store yet',
      signals: Object.fromEntries(refs.map((r) => [r.key, 'UNKNOWN'])),
      signalDetails: refs.map((r) => ({
        key: r.key,
        name: r.name,
        role: r.role,
        region: r.region,
        value: 'UNKNOWN',
        since: null,
      })),
      lastShift: null,
      blocked: null,
      nextDeadline: null,
      automationReason: null,
      automationSince: null,
      primaryOkSince: null,
      updatedAt: null,
      neverRun: true,
      lastCommand: null,
      attention: [],
      next: null,
    };
    report.attention = neverRunAttention(report);
    report.next = controller.running ? null : { why: 'start the controller', command: 'connect-failover run -c FILE' };
    return report;
  }
  const { doc } = persisted;
  const snapshot = restoreSnapshot(machine, doc.snapshot);
  const view = outlook(policy, snapshot);
  const ctx = snapshot.context;
  const lastHealth = [...ctx.decisions].reverse().find((d) => d.region === 'health');
  const shift = doc.shift;
  const actual = live ? liveActual(live) : storedActual(doc, now);
  const report: StatusReport = {
    ...base,
    state: view.health,
    automation: view.automation,
    desiredPrimaryPercent: view.desiredPrimaryPercent,
    desiredAgentsPrimaryPercent: config.traffic.shiftAgents ? view.desiredAgentsPrimaryPercent : null,
    failback: view.failback
      ? {
          step: view.failback.step,
          of: view.failback.of,
          primaryPercent: view.failback.primaryPercent,
          agentsPrimaryPercent: view.failback.agentsPrimaryPercent,
          holdUntil: view.failback.holdUntil === null ? null : new Date(view.failback.holdUntil).toISOString(),
          verified: view.failback.verified,
          frozen: view.failback.frozen,
        }
      : null,
    actualPrimaryPercent: actual?.telephonyPrimaryPercent ?? null,
    actualReadAt: actual?.readAt ?? null,
    actual,
    since: new Date(ctx.since).toISOString(),
    reason: lastHealth?.reason ?? 'started healthy',
    signals: Object.fromEntries(refs.map((r) => [r.key, ctx.signals[r.key]?.value ?? 'UNKNOWN'])),
    signalDetails: refs.map((r) => {
      const reading = ctx.signals[r.key];
      return {
        key: r.key,
        name: r.name,
        role: r.role,
        region: r.region,
        value: reading?.value ?? 'UNKNOWN',
        since: reading ? new Date(reading.at).toISOString() : null,
      };
    }),
    lastShift: shift
      ? {
          at: shift.verifiedAt ?? shift.updatedAt,
          primaryPercent: shift.targetPrimaryPercent,
          outcome: shift.status,
          ...(shift.lastError ? { error: shift.lastError } : {}),
          ...(shift.nextAttemptAt ? { nextAttemptAt: shift.nextAttemptAt } : {}),
          attempts: shift.attempts,
        }
      : null,
    blocked: view.blocked?.message ?? null,
    nextDeadline: view.nextDeadline === null ? null : new Date(view.nextDeadline).toISOString(),
    automationReason: ctx.automationReason,
    automationSince: automationSince(snapshot, doc.history, view.automation),
    primaryOkSince: ctx.okSince === null ? null : new Date(ctx.okSince).toISOString(),
    updatedAt: persisted.updatedAt,
    neverRun: false,
    lastCommand: lastCommandOf(doc.history),
    attention: [],
    next: null,
  };
  report.attention = attentionFor(report, config, now);
  report.next = nextStepFor(report, config, snapshot, machine, now);
  return report;
}

export interface ReadStatusOptions extends ReadPersistedOptions {
  /**
   * Also read the split live from Connect (GetTrafficDistribution, read only). Default false: game days
   * read the split themselves, and their Connect calls must not mix with the controller's.
   */
  live?: boolean;
  /** Endpoints and credentials for the live read. */
  aws?: AwsClientSettings;
  now?: () => number;
}

/** Reads the config's store (and Connect, with `live`) and builds its {@link StatusReport}. */
export async function readStatus(config: Config, options: ReadStatusOptions = {}): Promise<StatusReport> {
  const [view, live] = await Promise.all([
    readStoreView(config, options),
    options.live
      ? readLiveSplit(config, {
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.aws ? { aws: options.aws } : {}),
        })
      : Promise.resolve(undefined),
  ]);
  return buildStatus(config, view.persisted, view.persisted?.location ?? view.location, {
    lease: view.lease,
    live,
    now: (options.now ?? Date.now)(),
  });
}

function liveActual(live: Extract<LiveSplit, { ok: true }>): ActualSplit {
  return {
    source: 'live',
    telephonyPrimaryPercent: live.split.telephonyPrimaryPercent,
    agentsPrimaryPercent: live.split.agentsPrimaryPercent ?? null,
    readAt: live.readAt,
    ageMs: 0,
    region: live.region,
  };
}

function storedActual(doc: ControllerDocument, now: number): ActualSplit | null {
  const a = doc.actual;
  if (!a) return null;
  return {
    source: 'stored',
    telephonyPrimaryPercent: a.telephonyPrimaryPercent,
    agentsPrimaryPercent: a.agentsPrimaryPercent ?? null,
    readAt: a.readAt,
    ageMs: Math.max(0, now - Date.parse(a.readAt)),
    region: null,
  };
}

/** When automation entered its current mode: the newest automation decision the state or the history still holds. */
function automationSince(
  snapshot: FailoverSnapshot,
  history: readonly HistoryEntry[],
  automation: string,
): string | null {
  const decision = [...snapshot.context.decisions].reverse().find((d) => d.region === 'automation');
  if (decision && decision.to === automation) return new Date(decision.at).toISOString();
  const entry = [...history].reverse().find((e) => e.kind === 'transition' && e.region === 'automation');
  return entry && entry.to === automation ? entry.at : null;
}

function lastCommandOf(history: readonly HistoryEntry[]): LastCommand | null {
  const e = [...history].reverse().find((h) => h.kind === 'command');
  if (!e) return null;
  const accepted = e.accepted ?? !/ refused:/.test(e.outcome ?? '');
  return {
    id: e.commandId ?? null,
    command: e.command ?? e.outcome?.split(' ')[0] ?? 'command',
    accepted,
    detail: plainDetail(e.detail ?? e.outcome?.replace(/^\S+ (accepted|refused): /, '') ?? ''),
    force: e.force ?? false,
    by: e.by ?? null,
    reason: e.reason,
    requestedAt: e.requestedAt ?? null,
    appliedAt: e.at,
  };
}

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

function neverRunAttention(report: StatusReport): string[] {
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
  return lines;
}

function attentionFor(r: StatusReport, config: Config, now: number): string[] {
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
  if (r.blocked && !/automation is (paused|suspended)/.test(r.blocked)) lines.push(`blocked: ${r.blocked}`);
  return lines;
}

function nextStepFor(
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
