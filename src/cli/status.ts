import { outlook, restoreSnapshot, createFailoverMachine } from '../../state-machines/index.ts';
import { policyOf } from '../controller/controller.ts';
import { signalRefs } from '../controller/signal-map.ts';
import type { Config } from '../config/types.ts';
import { loadCommandConfig, print, readPersisted } from './common.ts';
import type { ConfigOption, Persisted } from './common.ts';
import { printableJson, printableStrings } from './printable.ts';
import { table, tone } from './render.ts';

/** The `status --json` shape of the contract, plus what operators asked for on top. */
export interface StatusReport {
  state: string;
  automation: string;
  desiredPrimaryPercent: number;
  actualPrimaryPercent: number | null;
  since: string;
  reason: string;
  signals: Record<string, string>;
  lastShift: { at: string; primaryPercent: number; outcome: string; error?: string; nextAttemptAt?: string } | null;
  blocked: string | null;
  nextDeadline: string | null;
  automationReason: string | null;
  actualReadAt: string | null;
  store: string;
  updatedAt: string | null;
  /** The running controller that holds the lease (`host:pid`), or null when none is running. */
  leader: string | null;
}

export function buildStatus(config: Config, persisted: Persisted | undefined, store: string): StatusReport {
  const policy = policyOf(config);
  const refs = signalRefs(config.signals, config.regions);
  if (!persisted) {
    return {
      state: 'healthy',
      automation: 'active',
      desiredPrimaryPercent: config.traffic.healthy,
      actualPrimaryPercent: null,
      since: new Date(0).toISOString(),
      reason: 'the controller has not run with this store yet',
      signals: Object.fromEntries(refs.map((r) => [r.key, 'UNKNOWN'])),
      lastShift: null,
      blocked: null,
      nextDeadline: null,
      automationReason: null,
      actualReadAt: null,
      store,
      updatedAt: null,
      leader: null,
    };
  }
  const { doc } = persisted;
  const snapshot = restoreSnapshot(createFailoverMachine(policy), doc.snapshot);
  const view = outlook(policy, snapshot);
  const ctx = snapshot.context;
  const lastHealth = [...ctx.decisions].reverse().find((d) => d.region === 'health');
  const shift = doc.shift;
  return {
    state: view.health,
    automation: view.automation,
    desiredPrimaryPercent: view.desiredPrimaryPercent,
    actualPrimaryPercent: doc.actual?.telephonyPrimaryPercent ?? null,
    since: new Date(ctx.since).toISOString(),
    reason: lastHealth?.reason ?? 'started healthy',
    signals: Object.fromEntries(refs.map((r) => [r.key, ctx.signals[r.key]?.value ?? 'UNKNOWN'])),
    lastShift: shift
      ? {
          at: shift.verifiedAt ?? shift.updatedAt,
          primaryPercent: shift.targetPrimaryPercent,
          outcome: shift.status,
          ...(shift.lastError ? { error: shift.lastError } : {}),
          ...(shift.nextAttemptAt ? { nextAttemptAt: shift.nextAttemptAt } : {}),
        }
      : null,
    blocked: view.blocked?.message ?? null,
    nextDeadline: view.nextDeadline === null ? null : new Date(view.nextDeadline).toISOString(),
    automationReason: ctx.automationReason,
    actualReadAt: doc.actual?.readAt ?? null,
    store,
    updatedAt: persisted.updatedAt,
    leader: persisted.leader?.holder ?? null,
  };
}

/** `status -c FILE [--json]`: from the persisted state; the controller need not be running. */
export async function statusCommand(options: ConfigOption & { json?: boolean }): Promise<void> {
  const config = await loadCommandConfig(options);
  const persisted = await readPersisted(config);
  const report = buildStatus(config, persisted, persisted?.location ?? config.store.type);
  if (options.json) {
    print(printableJson(report));
    return;
  }
  print(renderStatus(report));
}

/**
 * The report for a person. Reasons, senders and errors come from operator commands (anyone who may send
 * to the queue) and from Connect: every string is escaped before it is laid out.
 */
export function renderStatus(report: StatusReport): string {
  const r = printableStrings(report);
  const stateTone = r.state === 'healthy' ? 'good' : r.state === 'degraded' ? 'warn' : 'bad';
  const autoTone = r.automation === 'active' ? 'good' : 'bad';
  const inSync = r.actualPrimaryPercent === r.desiredPrimaryPercent;
  const rows: Array<[string, string]> = [
    ['state', `${tone(r.state, stateTone)} since ${r.since}`],
    ['reason', r.reason],
    ['automation', `${tone(r.automation, autoTone)}${r.automationReason ? ` (${r.automationReason})` : ''}`],
    ['traffic', `desired ${r.desiredPrimaryPercent}% primary, actual ${r.actualPrimaryPercent ?? '?'}%${inSync ? '' : ' ' + tone('(not in sync)', 'warn')}`],
  ];
  if (r.lastShift) {
    const s = r.lastShift;
    const shiftTone = s.outcome === 'verified' ? 'good' : s.outcome === 'failed' ? 'bad' : 'warn';
    rows.push(['last shift', `${s.primaryPercent}% primary, ${tone(s.outcome, shiftTone)} at ${s.at}${s.error ? `: ${s.error}` : ''}${s.nextAttemptAt ? ` (retry at ${s.nextAttemptAt})` : ''}`]);
  }
  if (r.blocked) rows.push(['blocked', tone(r.blocked, 'bad')]);
  if (r.nextDeadline) rows.push(['next check', r.nextDeadline]);
  const signals = Object.entries(r.signals).map(([name, value]) => [name, tone(value, value === 'OK' ? 'good' : value === 'ALARM' ? 'bad' : 'warn')] as [string, string]);
  // The store leaves out a holder known to be dead (same host, pid gone), as acquireLease does.
  const leader = r.leader ? `controller: ${r.leader} (holds the lease)` : 'controller: none running (no live controller holds the lease)';
  return `${table(rows)}\n\nsignals\n${table(signals, '  ')}\n\n${leader}\nstore: ${r.store}${r.updatedAt ? ` (updated ${r.updatedAt})` : ''}`;
}
