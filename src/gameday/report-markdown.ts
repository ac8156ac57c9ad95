/** The game-day report as Markdown: the same facts as report.html, in tables (the timeline is in the HTML). Pure. */
import { legsOf } from './analysis.ts';
import type { Analysis } from './analysis.ts';
import type { Recording } from './recording.ts';
import { criteriaOf, describeCall, duration, failuresOf, offset, passed, percentText, when } from './report-format.ts';
import type { RunSummary } from './run-history.ts';

/** Makes text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

export function renderMarkdownReport(
  recording: Recording,
  analysis: Analysis,
  runs: readonly RunSummary[] = [],
): string {
  const ok = passed(recording);
  const rto = analysis.rto;
  const out: string[] = [];
  out.push(`# Game day: ${recording.scenario.name} — ${ok ? 'PASSED' : 'FAILED'}`, '');
  if (!ok) {
    // What failed comes first: a count alone ("6 of 7") hides which check it was.
    const failed = recording.checks.filter((c) => !c.passed).length;
    out.push(
      `**${failed > 0 ? `${failed} of ${recording.checks.length} checks FAILED` : 'FAILED'}:**`,
      '',
      ...failuresOf(recording).map((f) => `- ${cell(f)}`),
      '',
    );
  }
  out.push(
    `${recording.mode === 'local' ? 'On the embedded local stack, controller in-process' : 'Against AWS, with the running controller'}; started ${when(recording.startedAt)}, took ${duration(recording.endedAt - recording.startedAt)}; ${recording.scenario.file ? `scenario \`${recording.scenario.file}\`` : 'built-in scenario'}.`,
    '',
  );
  if (recording.scenario.description) out.push(recording.scenario.description, '');
  const checksPassed = recording.checks.filter((c) => c.passed).length;
  const expected = analysis.apiErrors.length - analysis.unexpectedApiErrors.length;
  out.push(
    `- **RTO**: ${rto.measuredMs === undefined ? `not measured (${rto.detail})` : rto.detail}${rto.passed === undefined ? '' : rto.passed ? ' — within target' : ' — **over target**'}`,
    `- **Checks**: ${checksPassed} of ${recording.checks.length} passed${checksPassed < recording.checks.length ? ` (**${recording.checks.length - checksPassed} FAILED**)` : ''}`,
    `- **Shifts**: ${analysis.shifts.length} (${analysis.shifts.filter((s) => s.verifiedAt !== undefined).length} verified)`,
    `- **Connect calls by the controller**: ${recording.insideView ? `${recording.connectCalls.length} (${analysis.apiErrors.length} failed: ${expected} expected from injected faults, ${analysis.unexpectedApiErrors.length} unexpected)` : 'not visible against AWS'}`,
    '',
    'The timeline (alarms, controller state, traffic split, Connect calls) and the RTO trend are drawn in `report.html`.',
    '',
  );
  out.push('## Criteria', '');
  out.push(
    table(
      ['result', 'criterion', 'target', 'measured'],
      criteriaOf(recording, analysis).map((c) => [
        c.result === 'FAIL' ? '**FAIL**' : c.result,
        c.criterion,
        c.target,
        c.measured,
      ]),
    ),
    '',
  );
  out.push('## This run', '');
  const m = recording.metadata;
  out.push(
    m
      ? table(
          ['about', 'value'],
          [
            [
              'tool',
              `connect-failover ${m.version}${m.commit ? ` (commit ${m.commit})` : ' (no git checkout)'}, Node.js ${m.nodeVersion}`,
            ],
            ['operator', m.operator],
            ['account', m.account ?? 'unknown (the config gives the group by id)'],
            ['traffic distribution group', m.trafficDistributionGroup],
            [
              'config hash',
              `\`${m.configHash}\` (policy: group, Regions, signals, traffic, timing, failback, drift, dryRun)`,
            ],
            ['scenario hash', `\`${m.scenarioHash}\``],
          ],
        )
      : 'No run metadata recorded (a report written by an earlier release).',
    '',
  );

  out.push('## Timings per shift', '');
  if (analysis.shifts.length === 0) out.push('No shift was decided.', '');
  else {
    const head = [
      '#',
      'shift',
      'cause',
      ...legsOf(analysis.shifts[0]!).map((l) => l.label.replace(/^(alarm change|command sent)/, 'cause')),
      'outcome',
    ];
    const rows = analysis.shifts.map((s) => [
      String(s.number),
      `${s.from} → ${s.to} (${percentText(s.targetPrimaryPercent)} primary)`,
      s.cause
        ? s.cause.kind === 'alarm'
          ? `${s.cause.alarm} → ${s.cause.state}`
          : `operator ${s.cause.command}`
        : `${s.trigger}: ${s.reason}`,
      ...legsOf(s).map((l) => duration(l.ms)),
      s.verifiedAt !== undefined
        ? 'verified'
        : s.superseded
          ? 'superseded'
          : s.observedAt !== undefined
            ? 'seen by the game day'
            : 'not verified',
    ]);
    out.push(table(head, rows), '');
    for (const s of analysis.shifts) {
      out.push(`### Shift ${s.number}: ${s.from} → ${s.to}, ${s.trigger}`, '', s.reason, '');
      out.push(
        `cause ${offset(s.cause?.at, recording)} → received ${offset(s.receivedAt, recording)} → decision ${offset(s.decidedAt, recording)} → update accepted ${offset(s.acceptedAt, recording)} → verified ${offset(s.verifiedAt, recording)}`,
        '',
      );
      if (s.attempts.length > 0) {
        out.push(...s.attempts.map((c, i) => `${i + 1}. ${offset(c.startedAt, recording)} ${describeCall(c)}`), '');
      }
      for (const f of s.failures) out.push(`- failed attempt at ${offset(f.at, recording)}: ${f.error ?? ''}`);
      if (s.failures.length > 0) out.push('');
    }
  }

  out.push('## Checks', '');
  out.push(
    recording.checks.length === 0
      ? 'No checks ran.'
      : table(
          ['result', 'kind', 'step', 'check', 'detail'],
          recording.checks.map((c) => [c.passed ? 'pass' : '**FAIL**', c.kind, c.step ?? '—', c.description, c.detail]),
        ),
    '',
  );

  out.push('## API errors seen', '');
  const errors = [
    ...analysis.apiErrors.map((c) => [
      offset(c.startedAt, recording),
      'controller',
      `${c.operation} ${c.region}`,
      `${c.status ?? 'no answer'} ${c.error ?? ''}`,
      c.injected ? `expected: injected fault (${c.injected})` : '**unexpected**',
    ]),
    ...recording.observerErrors.map((e) => [offset(e.at, recording), 'game day', e.what, e.message, '**unexpected**']),
  ];
  out.push(errors.length === 0 ? 'None.' : table(['time', 'by', 'call', 'error', 'expected?'], errors), '');

  out.push('## Steps', '');
  out.push(
    table(
      ['#', 'status', 'where', 'step', 'start', 'took', 'detail'],
      recording.steps.map((s, i) => [
        String(i + 1),
        s.status,
        s.path,
        s.label,
        offset(s.startedAt, recording),
        s.startedAt !== undefined && s.endedAt !== undefined ? duration(s.endedAt - s.startedAt) : '—',
        s.detail ?? '',
      ]),
    ),
    '',
  );

  if (recording.insideView && recording.logs.length > 0) {
    out.push('## Controller warnings and errors', '');
    out.push(
      table(
        ['time', 'level', 'message'],
        recording.logs.slice(0, 100).map((l) => [offset(l.at, recording), l.level, l.msg]),
      ),
      '',
    );
  }

  const c = recording.config;
  out.push('## Config', '');
  out.push(
    table(
      ['setting', 'value'],
      [
        ['traffic distribution group', c.tdg],
        ['regions', `primary ${c.regions.primary}, replica ${c.regions.replica}`],
        ['traffic', `healthy ${c.traffic.healthy}, degraded ${c.traffic.degraded}, failedOver ${c.traffic.failedOver}`],
        [
          'timing',
          `escalateAfter ${duration(c.timing.escalateAfterMs)}, recoverAfter ${duration(c.timing.recoverAfterMs)}, cooldown ${duration(c.timing.cooldownMs)}`,
        ],
        ['failback', c.failback],
        ['dryRun', String(c.dryRun)],
      ],
    ),
    '',
  );
  const same = runs.filter((r) => r.scenario === recording.scenario.name).slice(-20);
  out.push('## RTO across runs', '');
  out.push(
    same.length === 0
      ? 'No run history (runs.jsonl) beside this report.'
      : table(
          ['result', 'started', 'RTO', 'target', 'checks', 'version', 'config', 'scenario', 'operator'],
          same.map((r) => [
            r.passed ? 'pass' : '**FAIL**',
            r.startedAt,
            duration(r.rtoMs ?? undefined),
            duration(r.rtoTargetMs ?? undefined),
            `${r.checksPassed} / ${r.checksTotal}`,
            `${r.version ?? '?'}${r.commit ? ` ${r.commit}` : ''}`,
            r.configHash ?? '?',
            r.scenarioHash ?? '?',
            r.operator ?? '?',
          ]),
        ),
    '',
  );

  out.push('## Sign-off', '');
  out.push(
    table(
      ['sign-off', ''],
      [
        ['result', `${ok ? 'PASSED' : 'FAILED'}: ${recording.scenario.name}, ${when(recording.startedAt)}`],
        ['run by', m?.operator ?? ''],
        ['reviewed by (name, role)', ' '],
        ['date', ' '],
        ['decision', '☐ accepted ☐ accepted with actions ☐ rejected: repeat the game day'],
        ['actions and notes', ' '],
        ['signature', ' '],
      ],
    ),
    '',
  );
  return out.join('\n');
}
