/**
 * The game-day report as one self-contained HTML page: inline CSS and SVG, no scripts, no fonts, no
 * links to anything, so it opens offline and can be attached to a ticket. Pure.
 */
import { legsOf } from './analysis.ts';
import type { Analysis } from './analysis.ts';
import type { Recording } from './recording.ts';
import type { RunSummary } from './run-history.ts';
import {
  callClass,
  criteriaOf,
  describeCall,
  duration,
  failuresOf,
  offset,
  passed,
  percentText,
  when,
} from './report-format.ts';
import { COLORS, escapeXml } from './svg-common.ts';
import { renderTimeline } from './svg-timeline.ts';
import { renderRtoTrend } from './svg-trend.ts';

const esc = escapeXml;

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#212121;margin:24px auto;max-width:1260px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.verdict{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:600;margin-left:8px;font-size:14px;vertical-align:middle}
.pass{background:#2e7d32}.fail{background:#c62828}.muted{color:#666}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}.card{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:170px}
.card .big{font-size:22px;font-weight:600}.card .small{color:#666;font-size:12px}
table{border-collapse:collapse;margin:6px 0 12px;width:100%}th,td{border:1px solid #e0e0e0;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.failed td{background:#ffebee}tr.passed td:first-child{color:#2e7d32}tr.failed td:first-child{color:#c62828;font-weight:600}
.timeline-box{overflow-x:auto;border:1px solid #ddd;border-radius:6px;padding:8px;background:#fff}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12px;margin:8px 0}.legend span{display:inline-flex;align-items:center;gap:5px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px}
code{font:12px ui-monospace,Menlo,Consolas,monospace;background:#f5f5f5;padding:1px 4px;border-radius:3px}
td code{white-space:pre-wrap;word-break:break-all}
ol.attempts{margin:4px 0 10px;padding-left:22px;font:12px ui-monospace,Menlo,Consolas,monospace}
.failures{border:2px solid #c62828;background:#ffebee;border-radius:6px;padding:8px 14px;margin:12px 0}.failures h2{border:0;margin:0 0 4px;padding:0;font-size:16px;color:#c62828}.failures ul{margin:4px 0 0;padding-left:20px}
table.meta th{width:220px}td.blank{height:28px}td.tall{height:90px}tr.expected td{color:#666}
.ok{color:#2e7d32}.throttled{color:#ef6c00}.conflict{color:#6a1b9a}.server{color:#c62828}.client{color:#ad1457}.network{color:#212121;font-weight:600}
`;

export function renderHtmlReport(recording: Recording, analysis: Analysis, runs: readonly RunSummary[] = []): string {
  const ok = passed(recording);
  const checksPassed = recording.checks.filter((c) => c.passed).length;
  const rto = analysis.rto;
  const title = `Game day: ${recording.scenario.name}`;
  const body = [
    `<h1>${esc(title)}<span class="verdict ${ok ? 'pass' : 'fail'}">${ok ? 'PASSED' : 'FAILED'}</span></h1>`,
    failuresBox(recording),
    `<div class="muted">${esc(recording.mode === 'local' ? 'on the embedded local stack, controller in-process' : 'against AWS, with the running controller')} · started ${esc(when(recording.startedAt))} · took ${esc(duration(recording.endedAt - recording.startedAt))}${recording.scenario.file ? ` · scenario <code>${esc(recording.scenario.file)}</code>` : ' · built-in scenario'}</div>`,
    recording.scenario.description ? `<p>${esc(recording.scenario.description)}</p>` : '',
    cards(recording, analysis, checksPassed),
    '<h2 id="criteria">Criteria</h2>',
    criteriaTable(recording, analysis),
    '<h2 id="run">This run</h2>',
    metadataTable(recording),
    '<h2 id="timeline">Timeline</h2>',
    `<div class="timeline-box">${renderTimeline(recording, analysis)}</div>`,
    legend(recording),
    '<h2 id="timings">Timings per shift</h2>',
    timingsTable(recording, analysis),
    `<p class="muted">${esc(rtoSentence(rto))}</p>`,
    shiftsDetail(recording, analysis),
    '<h2 id="checks">Checks</h2>',
    checksTable(recording),
    '<h2 id="api-errors">API errors seen</h2>',
    apiErrors(recording, analysis),
    '<h2 id="steps">Steps</h2>',
    stepsTable(recording),
    controllerLogs(recording),
    '<h2 id="trend">RTO across runs</h2>',
    trend(recording, runs),
    '<h2 id="config">Config</h2>',
    configTable(recording),
    '<h2 id="sign-off">Sign-off</h2>',
    signOff(recording, ok),
    `<p class="muted">Written by <code>connect-failover gameday</code>. Every time is an offset from the start (${esc(when(recording.startedAt))}).</p>`,
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)} — ${ok ? 'passed' : 'failed'}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    ...body.filter(Boolean),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A failed run says what failed before anything else: a count alone ("6 / 7") hides which check it was. */
function failuresBox(recording: Recording): string {
  if (passed(recording)) return '';
  const failures = failuresOf(recording);
  const failed = recording.checks.filter((c) => !c.passed).length;
  const errors = recording.steps.filter((s) => s.status === 'error').length;
  const head = [
    failed > 0 ? `${failed} of ${recording.checks.length} checks FAILED` : '',
    errors > 0 ? `${errors} step${errors === 1 ? '' : 's'} ended in an error` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return `<div class="failures"><h2 id="failed">${esc(head || 'FAILED')}</h2><ul>${failures.map((f) => `<li>${esc(f)}</li>`).join('')}</ul></div>`;
}

function criteriaTable(recording: Recording, analysis: Analysis): string {
  const rows = criteriaOf(recording, analysis).map(
    (c) =>
      `<tr class="${c.result === 'FAIL' ? 'failed' : 'passed'}"><td>${esc(c.result)}</td><td>${esc(c.criterion)}</td><td>${esc(c.target)}</td><td>${esc(c.measured)}</td></tr>`,
  );
  return `<table class="criteria"><thead><tr><th>result</th><th>criterion</th><th>target</th><th>measured</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function metadataTable(recording: Recording): string {
  const m = recording.metadata;
  if (!m) return '<p class="muted">No run metadata recorded (a report written by an earlier release).</p>';
  const rows: Array<[string, string]> = [
    [
      'tool',
      `connect-failover ${m.version}${m.commit ? ` (commit ${m.commit})` : ' (no git checkout)'}, Node.js ${m.nodeVersion}`,
    ],
    ['operator', m.operator],
    ['account', m.account ?? 'unknown (the config gives the group by id)'],
    ['traffic distribution group', m.trafficDistributionGroup],
    [
      'config hash',
      `${m.configHash} (sha256 of the policy: group, Regions, signals, traffic, timing, failback, drift, dryRun)`,
    ],
    ['scenario hash', `${m.scenarioHash} (sha256 of the scenario as parsed)`],
  ];
  return `<table class="meta"><tbody>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td><code>${esc(v)}</code></td></tr>`).join('')}</tbody></table>`;
}

function trend(recording: Recording, runs: readonly RunSummary[]): string {
  const same = runs.filter((r) => r.scenario === recording.scenario.name);
  if (same.length === 0) return '<p>No run history (runs.jsonl) beside this report.</p>';
  const shown = same.slice(-20);
  const current = recording.metadata;
  const changed = (value: string | undefined, now: string | undefined) =>
    value && now && value !== now ? ' (differs)' : '';
  const rows = shown.map(
    (r) =>
      `<tr class="${r.passed ? 'passed' : 'failed'}"><td>${r.passed ? 'pass' : 'FAIL'}</td><td class="num">${esc(r.startedAt)}</td><td class="num">${esc(duration(r.rtoMs ?? undefined))}</td><td class="num">${esc(duration(r.rtoTargetMs ?? undefined))}</td><td class="num">${r.checksPassed} / ${r.checksTotal}</td><td>${esc(`${r.version ?? '?'}${r.commit ? ` ${r.commit}` : ''}`)}</td><td><code>${esc(`${r.configHash ?? '?'}${changed(r.configHash, current?.configHash)}`)}</code></td><td><code>${esc(`${r.scenarioHash ?? '?'}${changed(r.scenarioHash, current?.scenarioHash)}`)}</code></td><td>${esc(r.operator ?? '?')}</td></tr>`,
  );
  return [
    `<p class="muted">Runs of “${esc(recording.scenario.name)}” recorded in <code>runs.jsonl</code> beside this report (${same.length} in all${same.length > shown.length ? `, the last ${shown.length} shown` : ''}); “differs” marks a config or scenario other than this run’s.</p>`,
    `<div class="timeline-box">${renderRtoTrend(shown)}</div>`,
    `<table class="runs"><thead><tr><th>result</th><th>started</th><th>RTO</th><th>target</th><th>checks</th><th>version</th><th>config</th><th>scenario</th><th>operator</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
  ].join('');
}

function signOff(recording: Recording, ok: boolean): string {
  const rows = [
    `<tr><th>result</th><td>${ok ? 'PASSED' : 'FAILED'}: ${esc(recording.scenario.name)}, ${esc(when(recording.startedAt))}</td></tr>`,
    `<tr><th>run by</th><td>${esc(recording.metadata?.operator ?? '')}</td></tr>`,
    '<tr><th>reviewed by (name, role)</th><td class="blank"></td></tr>',
    '<tr><th>date</th><td class="blank"></td></tr>',
    '<tr><th>decision</th><td>☐ accepted ☐ accepted with actions ☐ rejected: repeat the game day</td></tr>',
    '<tr><th>actions and notes</th><td class="blank tall"></td></tr>',
    '<tr><th>signature</th><td class="blank"></td></tr>',
  ];
  return `<table class="sign-off"><tbody>${rows.join('')}</tbody></table>`;
}

function cards(recording: Recording, analysis: Analysis, checksPassed: number): string {
  const rto = analysis.rto;
  const rtoClass = rto.passed === undefined ? 'big' : rto.passed ? 'big ok' : 'big server';
  const failed = recording.checks.length - checksPassed;
  const unexpected = analysis.unexpectedApiErrors.length + recording.observerErrors.length;
  const expected = analysis.apiErrors.length - analysis.unexpectedApiErrors.length;
  return [
    '<div class="cards">',
    `<div class="card"><div class="small">recovery time (RTO)</div><div class="${rtoClass}">${esc(duration(rto.measuredMs))}</div><div class="small">${rto.targetMs === undefined ? 'no target set' : `target ${esc(duration(rto.targetMs))}`}</div></div>`,
    failed > 0
      ? `<div class="card"><div class="small">checks</div><div class="big server">${failed} FAILED</div><div class="small">${checksPassed} of ${recording.checks.length} passed</div></div>`
      : `<div class="card"><div class="small">checks passed</div><div class="big">${checksPassed} / ${recording.checks.length}</div><div class="small">waits, asserts and the RTO</div></div>`,
    `<div class="card"><div class="small">shifts</div><div class="big">${analysis.shifts.length}</div><div class="small">${analysis.shifts.filter((s) => s.verifiedAt !== undefined).length} verified</div></div>`,
    `<div class="card"><div class="small">Connect calls by the controller</div><div class="big">${recording.insideView ? recording.connectCalls.length : '—'}</div><div class="small">${recording.insideView ? `${analysis.apiErrors.length} failed, ${expected} of them injected` : 'not visible against AWS'}</div></div>`,
    `<div class="card"><div class="small">unexpected errors</div><div class="big${unexpected > 0 ? ' server' : ''}">${unexpected}</div><div class="small">${expected} expected from injected faults (not counted)</div></div>`,
    '</div>',
  ].join('');
}

function legend(recording: Recording): string {
  const item = (color: string, text: string, shape = '') =>
    `<span><i class="swatch" style="background:${color}${shape}"></i>${esc(text)}</span>`;
  return [
    '<div class="legend">',
    item(COLORS.OK, 'alarm OK'),
    item(COLORS.ALARM, 'alarm ALARM'),
    item(COLORS.INSUFFICIENT_DATA, 'INSUFFICIENT_DATA'),
    item(COLORS.healthy, 'healthy'),
    item(COLORS.degraded, 'degraded'),
    item(COLORS.failedOver, 'failed over'),
    item(COLORS.actual, 'actual split (Connect)'),
    item(COLORS.desired, 'desired split (dashed)'),
    '<span>▼ decision · ◆ update accepted · ● verified</span>',
    recording.insideView
      ? item(COLORS.ok, 'call 2xx') +
        item(COLORS.throttled, '429') +
        item(COLORS.conflict, '409') +
        item(COLORS.server, '5xx') +
        item(COLORS.network, 'no answer')
      : '',
    item(COLORS.fault, 'fault injected'),
    item(COLORS.command, 'operator command', ';border-radius:6px'),
    '<span>numbered circles: steps (see the Steps table); hover anything for details</span>',
    '</div>',
  ].join('');
}

function timingsTable(recording: Recording, analysis: Analysis): string {
  if (analysis.shifts.length === 0) return '<p>No shift was decided.</p>';
  const legLabels = legsOf(analysis.shifts[0]!).map((l) => l.label.replace(/^(alarm change|command sent)/, 'cause'));
  const rows = analysis.shifts.map((s) => {
    const legs = legsOf(s);
    return `<tr><td>${s.number}</td><td>${esc(`${s.from} → ${s.to}`)} (${esc(percentText(s.targetPrimaryPercent))} primary)</td><td>${esc(causeText(s))}</td>${legs.map((l) => `<td class="num">${esc(duration(l.ms))}</td>`).join('')}<td class="num">${s.attempts.filter((c) => c.operation === 'UpdateTrafficDistribution').length || (recording.insideView ? 0 : '—')}</td><td>${s.verifiedAt !== undefined ? 'verified' : s.superseded ? 'superseded' : s.observedAt !== undefined ? 'seen by the game day' : 'not verified'}</td></tr>`;
  });
  return [
    '<table class="timings">',
    `<thead><tr><th>#</th><th>shift</th><th>cause</th>${legLabels.map((l) => `<th>${esc(l)}</th>`).join('')}<th>update calls</th><th>outcome</th></tr></thead>`,
    `<tbody>${rows.join('')}</tbody>`,
    '</table>',
    recording.insideView
      ? ''
      : '<p class="muted">Against AWS the game day sees the controller from outside: the event receipt and the accepted update are known only on the local stack; decisions and verifications come from the controller’s history.</p>',
  ].join('');
}

function causeText(s: Analysis['shifts'][number]): string {
  if (!s.cause) return `${s.trigger}: ${s.reason}`;
  return s.cause.kind === 'alarm'
    ? `${s.cause.alarm} → ${s.cause.state} (${s.cause.step})`
    : `operator ${s.cause.command} (${s.cause.step})`;
}

function rtoSentence(rto: Analysis['rto']): string {
  if (rto.measuredMs === undefined) return `RTO not measured: ${rto.detail}.`;
  const verdict = rto.passed === undefined ? '' : rto.passed ? ' — within target.' : ' — OVER target.';
  return `RTO: ${rto.detail}${verdict}`;
}

function shiftsDetail(recording: Recording, analysis: Analysis): string {
  return analysis.shifts
    .map((s) => {
      const moments = [
        ['cause', s.cause?.at],
        ['event received', s.receivedAt],
        ['decision', s.decidedAt],
        ['update accepted', s.acceptedAt],
        ['verified', s.verifiedAt],
        ['seen by the game day', s.observedAt],
      ] as const;
      const attempts = s.attempts.length
        ? `<ol class="attempts">${s.attempts.map((c) => `<li class="${callClass(c)}">${esc(`${offset(c.startedAt, recording)} ${describeCall(c)}`)}</li>`).join('')}</ol>`
        : `<p class="muted">${recording.insideView ? 'No Connect calls.' : 'Connect calls are visible on the local stack only.'}</p>`;
      const failures = s.failures.length
        ? `<p>Failed attempts: ${s.failures.map((f) => esc(`${offset(f.at, recording)} ${f.error ?? ''}`)).join('; ')}</p>`
        : '';
      return [
        `<h3>Shift ${s.number}: ${esc(s.from)} → ${esc(s.to)} (${esc(percentText(s.targetPrimaryPercent))} on the primary), ${esc(s.trigger)}</h3>`,
        `<p>${esc(s.reason)}</p>`,
        `<p>${moments.map(([label, at]) => `${esc(label)} <b>${esc(offset(at, recording))}</b>`).join(' → ')}</p>`,
        attempts,
        failures,
      ].join('');
    })
    .join('');
}

function checksTable(recording: Recording): string {
  if (recording.checks.length === 0) return '<p>No checks ran.</p>';
  const rows = recording.checks.map(
    (c) =>
      `<tr class="${c.passed ? 'passed' : 'failed'}"><td>${c.passed ? 'pass' : 'FAIL'}</td><td>${esc(c.kind)}</td><td>${esc(c.step ?? '—')}</td><td>${esc(c.description)}</td><td>${esc(c.detail)}</td></tr>`,
  );
  return `<table class="checks"><thead><tr><th>result</th><th>kind</th><th>step</th><th>check</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function apiErrors(recording: Recording, analysis: Analysis): string {
  const rows = [
    ...analysis.apiErrors.map((c) => ({
      at: c.startedAt,
      who: 'controller',
      what: `${c.operation} ${c.region}`,
      detail: `${c.status ?? 'no answer'} ${c.error ?? ''}`,
      expected: c.injected,
    })),
    ...(recording.insideView
      ? []
      : recording.shiftOutcomes
          .filter((o) => o.kind === 'failed')
          .map((o) => ({
            at: o.at,
            who: 'controller',
            what: `shift to ${o.targetPrimaryPercent}%`,
            detail: o.error ?? '',
            expected: undefined,
          }))),
    ...recording.observerErrors.map((e) => ({
      at: e.at,
      who: 'game day',
      what: e.what,
      detail: e.message,
      expected: undefined,
    })),
  ].toSorted((a, b) => a.at - b.at);
  if (rows.length === 0) return '<p>None.</p>';
  return `<p class="muted">An error an injected fault explains is expected: it is what the game day set out to cause, and it counts against nothing.</p><table class="api-errors"><thead><tr><th>time</th><th>by</th><th>call</th><th>error</th><th>expected?</th></tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr class="${r.expected ? 'expected' : 'unexpected'}"><td class="num">${esc(offset(r.at, recording))}</td><td>${esc(r.who)}</td><td>${esc(r.what)}</td><td>${esc(r.detail)}</td><td>${r.expected ? esc(`expected: injected fault (${r.expected})`) : '<b>unexpected</b>'}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

function stepsTable(recording: Recording): string {
  const rows = recording.steps.map((s, i) => {
    const cls = s.status === 'failed' || s.status === 'error' ? 'failed' : 'passed';
    const took = s.startedAt !== undefined && s.endedAt !== undefined ? duration(s.endedAt - s.startedAt) : '—';
    return `<tr class="${cls}"><td>${i + 1}</td><td>${esc(s.status)}</td><td>${esc(s.path)}</td><td>${esc(s.label)}${s.label !== s.action ? `<div class="muted">${esc(s.action)}</div>` : ''}</td><td class="num">${esc(offset(s.startedAt, recording))}</td><td class="num">${esc(took)}</td><td>${esc(s.detail ?? '')}</td></tr>`;
  });
  return `<table class="steps"><thead><tr><th>#</th><th>status</th><th>where</th><th>step</th><th>start</th><th>took</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function controllerLogs(recording: Recording): string {
  if (!recording.insideView) return '';
  const shown = recording.logs.slice(0, 100);
  const rows = shown.map(
    (l) =>
      `<tr><td class="num">${esc(offset(l.at, recording))}</td><td>${esc(l.level)}</td><td>${esc(l.msg)}</td><td><code>${esc(l.detail.length > 400 ? `${l.detail.slice(0, 400)}…` : l.detail)}</code></td></tr>`,
  );
  return [
    '<h2 id="logs">Controller warnings and errors</h2>',
    shown.length === 0
      ? '<p>None.</p>'
      : `<table class="logs"><thead><tr><th>time</th><th>level</th><th>message</th><th>fields</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    recording.logs.length > shown.length
      ? `<p class="muted">${recording.logs.length - shown.length} more in controller.log.</p>`
      : '',
  ].join('');
}

function configTable(recording: Recording): string {
  const c = recording.config;
  const rows: Array<[string, string]> = [
    ['traffic distribution group', c.tdg],
    ['regions', `primary ${c.regions.primary}, replica ${c.regions.replica}`],
    [
      'traffic (percent on the primary)',
      `healthy ${c.traffic.healthy}, degraded ${c.traffic.degraded}, failedOver ${c.traffic.failedOver}`,
    ],
    [
      'timing',
      `escalateAfter ${duration(c.timing.escalateAfterMs)}, recoverAfter ${duration(c.timing.recoverAfterMs)}, cooldown ${duration(c.timing.cooldownMs)}`,
    ],
    ['failback', c.failback],
    ['dryRun', String(c.dryRun)],
    [
      'alarms',
      recording.alarms.map((a) => `${a.key} (${a.role}, ${a.region}, ${a.initial ?? 'unknown'} at start)`).join('; '),
    ],
  ];
  return `<table class="config"><tbody>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`;
}
