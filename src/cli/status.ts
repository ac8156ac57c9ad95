import { formatAge } from '../app/controller-liveness.ts';
import { readStatus, splitText } from '../app/status.ts';
import type { StatusReport } from '../app/status.ts';
import { loadCommandConfig, noticeAdoption, print, withConfig } from './common.ts';
import type { ConfigOption } from './common.ts';
import { printableJson, printableStrings } from './printable.ts';
import { table, tone } from './render.ts';

/**
 * `status -c FILE [--json]`: from the persisted state and the lease (the controller need not be running),
 * with the split read live from Connect (read only) when it answers.
 */
export async function statusCommand(options: ConfigOption & { json?: boolean }): Promise<void> {
  const config = await loadCommandConfig(options);
  const report = await readStatus(config, { onAdopt: noticeAdoption, live: true });
  const next = report.next
    ? { ...report.next, command: report.next.command === null ? null : withConfig(report.next.command, options) }
    : null;
  if (options.json) {
    print(printableJson({ ...report, next }));
    return;
  }
  print(renderStatus({ ...report, next }));
}

/**
 * The report for a person: what needs attention first, then the state, the split (live, or the stored
 * reading with its age), the signals, the controller, and what to do next. Reasons, senders and errors come
 * from operator commands (anyone who may send to the queue) and from Connect: every string is escaped
 * before it is laid out.
 */
export function renderStatus(report: StatusReport, now = Date.parse(report.at)): string {
  const r = printableStrings(report);
  const out: string[] = [];
  if (r.attention.length === 0) out.push(`${tone('OK', 'good')}: nothing needs attention`);
  else
    out.push(
      ...r.attention.map((line, i) => `${i === 0 ? tone('ATTENTION', 'bad') : '         '} ${tone(line, 'bad')}`),
    );
  out.push('');

  const stateTone = r.state === 'healthy' ? 'good' : r.state === 'degraded' ? 'warn' : 'bad';
  const autoTone = r.automation === 'active' ? 'good' : 'bad';
  const rows: Array<[string, string]> = [];
  rows.push([
    'state',
    r.since === null
      ? `${tone(r.state, stateTone)} (never run: what a first start begins with)`
      : `${tone(r.state, stateTone)} since ${r.since} (${age(r.since, now)})`,
  ]);
  rows.push(['reason', r.reason]);
  if (r.failback) {
    const f = r.failback;
    const agents = f.agentsPrimaryPercent === f.primaryPercent ? '' : ` (agents ${f.agentsPrimaryPercent}%)`;
    const next = f.frozen
      ? 'frozen: automation is not active; resume to continue, or failback --now'
      : !f.verified
        ? "shifting: its hold starts once Connect is verified at the step's split"
        : f.holdUntil === null
          ? 'held: waiting for every primary signal to be OK'
          : `next step at ${f.holdUntil} if every primary signal stays OK`;
    rows.push(['failback', `step ${f.step} of ${f.of}: ${f.primaryPercent}% primary${agents}; ${next}`]);
  }
  const automationSince =
    r.automationSince && r.automation !== 'active'
      ? ` since ${r.automationSince} (${age(r.automationSince, now)})`
      : '';
  rows.push([
    'automation',
    `${tone(r.automation, autoTone)}${automationSince}${r.automationReason ? `: ${r.automationReason}` : ''}`,
  ]);
  rows.push([
    'regions',
    `${r.regions.primary} (primary), ${r.regions.replica} (replica); group ${r.trafficDistributionGroup}`,
  ]);
  rows.push([
    'desired',
    `${splitText(r.desiredPrimaryPercent, r.regions)}${desiredAgentsText(r.desiredPrimaryPercent, r.desiredAgentsPrimaryPercent)}`,
  ]);
  rows.push(['actual', actualText(r)]);
  if (r.lastShift) {
    const s = r.lastShift;
    const shiftTone = s.outcome === 'verified' ? 'good' : s.outcome === 'failed' ? 'bad' : 'warn';
    const attempts = s.attempts !== undefined && s.attempts > 1 ? `, ${s.attempts} attempts` : '';
    rows.push([
      'last shift',
      `to ${s.primaryPercent}% primary: ${tone(s.outcome, shiftTone)} at ${s.at} (${age(s.at, now)}${attempts})${s.error ? `: ${s.error}` : ''}${s.nextAttemptAt ? `; next try ${s.nextAttemptAt}` : ''}`,
    ]);
  } else {
    rows.push(['last shift', 'none yet']);
  }
  if (r.lastCommand) {
    const c = r.lastCommand;
    const verdict = c.accepted ? tone('accepted', 'good') : tone('REFUSED', 'bad');
    rows.push([
      'last command',
      `${c.command}${c.force ? ' --force' : ''} ${verdict} ${c.appliedAt} (${age(c.appliedAt, now)}) by ${c.by ?? 'unknown'}: ${c.detail}`,
    ]);
  }
  // A routine wait is no block: while failing back the failback row already says until when; else it is shown plainly.
  if (r.blocked && r.blockedKind !== 'waiting') rows.push(['blocked', tone(r.blocked, 'bad')]);
  else if (r.blocked && !r.failback) rows.push(['waiting', r.blocked]);
  // A deadline is only kept by a running controller: without one, nothing happens at that time.
  if (r.nextDeadline && r.controller.running)
    rows.push([
      'next check',
      `${r.nextDeadline} (${Date.parse(r.nextDeadline) <= now ? 'due now' : `in ${formatAge(Date.parse(r.nextDeadline) - now)}`})`,
    ]);
  out.push(table(rows));

  out.push('', 'signals');
  const signals = r.signalDetails.map((sig) => {
    const value = tone(sig.value, sig.value === 'OK' ? 'good' : sig.value === 'ALARM' ? 'bad' : 'warn');
    const since = sig.since ? `, since ${sig.since} (${age(sig.since, now)})` : '';
    return [sig.name, value, `${sig.role}, ${sig.region}${since}`] as [string, string, string];
  });
  out.push(table(signals, '  '));
  if (r.primaryOkSince && r.state !== 'healthy')
    out.push(`  every primary signal OK since ${r.primaryOkSince} (${age(r.primaryOkSince, now)})`);

  out.push('');
  const c = r.controller;
  const acting = c.since ? `, acting since ${c.since} (${age(c.since, now)})` : '';
  const controller = c.running
    ? `${tone('running', 'good')}: ${c.summary}${c.host && c.pid !== null ? ` (host ${c.host}, pid ${c.pid}${acting})` : ''}`
    : `${tone('NOT RUNNING', 'bad')}: ${c.summary}`;
  out.push(
    table([
      ['controller', controller],
      ...standbyRows(r),
      ['store', `${r.store}${r.updatedAt ? ` (saved ${r.updatedAt}, ${age(r.updatedAt, now)})` : ''}`],
    ]),
  );
  out.push('', r.next ? `next: ${r.next.why}${r.next.command ? `:\n  ${r.next.command}` : ''}` : 'next: nothing to do');
  return out.join('\n');
}

/** One row per standby the store names (the first labelled), or one row saying why there is none. */
function standbyRows(r: StatusReport): Array<[string, string]> {
  if (r.standbys === null)
    return [
      ['standbys', r.store.startsWith('file ') ? 'none (file store: one host)' : 'none (not recorded by this store)'],
    ];
  if (r.standbys.length === 0) return [['standbys', 'none seen']];
  return r.standbys.map((s, i) => [
    i === 0 ? 'standbys' : '',
    `${s.writer} (host ${s.host}, pid ${s.pid}, ${s.version}): ${
      s.live
        ? `${tone('standing by', 'good')}, seen ${formatAge(s.ageMs)} ago`
        : `${tone('gone', 'warn')}, last seen ${formatAge(s.ageMs)} ago`
    }`,
  ]);
}

function actualText(r: StatusReport): string {
  const a = r.actual;
  if (!a)
    return `${tone('unknown', 'warn')}${r.liveReadError ? ` (Connect could not be read: ${r.liveReadError})` : ' (never read)'}`;
  const agents =
    a.agentsPrimaryPercent === null
      ? ''
      : a.agentsPrimaryPercent === a.telephonyPrimaryPercent
        ? ', agents alike'
        : `, agents ${a.agentsPrimaryPercent}% primary`;
  const unsettled = a.status !== null && a.status !== 'ACTIVE' ? tone(statusNote(a.status), 'warn') : null;
  const source =
    a.source === 'live'
      ? `read live from ${a.region ?? '?'} just now${unsettled ? `; ${unsettled}` : ''}`
      : `as the controller last read it, ${formatAge(a.ageMs)} ago${unsettled ? `, ${unsettled}` : ''}; Connect could not be read now`;
  const split = `${splitText(a.telephonyPrimaryPercent, r.regions)}${agents} (${source})`;
  return a.telephonyPrimaryPercent === r.desiredPrimaryPercent
    ? split
    : `${tone(split, 'warn')} ${tone('NOT as desired', 'bad')}`;
}

/** A group that is not ACTIVE: an update still being applied, or a group that cannot take a shift. */
function statusNote(status: string): string {
  if (status === 'UPDATE_IN_PROGRESS') return 'UPDATE_IN_PROGRESS: not settled yet';
  if (status === 'CREATION_IN_PROGRESS') return 'CREATION_IN_PROGRESS: the group is not ready yet';
  return `${status}: the group is not ACTIVE`;
}

function age(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return '?';
  return at <= now ? `${formatAge(now - at)} ago` : `in ${formatAge(at - now)}`;
}

/** Agents with the calls, or (a failback step with `traffic.agentsLead`) their own share; nothing without shiftAgents. */
function desiredAgentsText(primaryPercent: number, agentsPrimaryPercent: number | null): string {
  if (agentsPrimaryPercent === null) return '';
  return agentsPrimaryPercent === primaryPercent
    ? ', agents with the calls'
    : `, agents ${agentsPrimaryPercent}% primary (ahead of the calls: traffic.agentsLead)`;
}
