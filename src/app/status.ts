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
import { createFailoverMachine, outlook, restoreSnapshot } from '../../state-machines/index.ts';
import type { FailoverSnapshot } from '../../state-machines/index.ts';
import type { AwsClientSettings } from '../aws/client-settings.ts';
import type { Config } from '../config/types.ts';
import type { ControllerDocument, HistoryEntry } from '../controller/document.ts';
import { signalRefs } from '../domain/signals.ts';
import { policyOf } from '../domain/policy.ts';
import type { LeaseStatus } from '../store/store.ts';
import { livenessOf } from './controller-liveness.ts';
import { readLiveSplit } from './live-traffic.ts';
import type { LiveSplit } from './live-traffic.ts';
import { readStoreView } from './persisted-state.ts';
import type { Persisted, ReadPersistedOptions } from './persisted-state.ts';
import { attentionFor, neverRunAttention, nextStepFor, plainDetail } from './status-advice.ts';
import type { ActualSplit, LastCommand, StatusReport } from './status-report.ts';
import { standbysOf } from './standbys.ts';

// The report's types and text helpers keep their old import path (the CLI, game days and tests use it).
export type { ActualSplit, LastCommand, NextStep, StatusReport } from './status-report.ts';
export { plainDetail, splitText } from './status-advice.ts';

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
  const lease = inputs.lease ?? persisted?.lease;
  const controller = livenessOf(lease, now);
  const live = inputs.live?.ok ? inputs.live : undefined;
  const liveReadError = inputs.live && !inputs.live.ok ? inputs.live.error : null;
  const base = {
    trafficDistributionGroup: config.trafficDistributionGroup.arn ?? config.trafficDistributionGroup.id,
    regions: { primary: config.regions.primary, replica: config.regions.replica },
    liveReadError,
    controller,
    standbys: standbysOf(lease, now),
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
      actualStatus: actual?.status ?? null,
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
      blockedKind: null,
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
    actualStatus: actual?.status ?? null,
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
    blockedKind: view.blocked?.kind ?? null,
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
  /** Endpoints and credentials for the store and the live read. */
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
    status: live.status,
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
    status: a.status ?? null,
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
