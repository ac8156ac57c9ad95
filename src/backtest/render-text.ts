/** The backtest report for a person: tables with ISO 8601 times and durations like `1h 40m 50s`. */
import type { BacktestReport, ComparisonReport, HistoryInput, PolicyReport } from './report.ts';

export function renderReport(report: BacktestReport): string {
  return [header(report.input), policyLine(report), '', details(report), '', summary(report)].join('\n');
}

export function renderComparison(report: ComparisonReport): string {
  const set = Object.entries(report.variant.set)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const { baseline, variant } = report;
  const other = summaryRows(variant);
  const rows = summaryRows(baseline).map(([label = '', value = ''], i) => [label, value, other[i]?.[1] ?? '']);
  return [
    header(report.input),
    policyLine(baseline),
    `  variant: ${set}`,
    '',
    'Comparison',
    table([['', 'baseline', `variant (${set})`], ...rows], '  '),
    '',
    '== Baseline: the config as written ==',
    '',
    details(baseline),
    '',
    `== Variant: ${set} ==`,
    '',
    details(variant),
  ].join('\n');
}

function header(input: HistoryInput): string {
  const ignored =
    input.ignoredAlarms.length === 0
      ? ''
      : `; not signals, ignored: ${input.ignoredAlarms.map((a) => `${a.alarm} (${a.changes} change${a.changes === 1 ? '' : 's'})`).join(', ')}`;
  const lines = [
    `Backtest on alarm history from ${input.source}`,
    `  ${input.items} history items: ${input.stateUpdates} state changes, ${input.otherItems} other items skipped${ignored}`,
  ];
  for (const note of input.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}

function policyLine(report: PolicyReport): string {
  const timing = (report.policy.timing ?? {}) as Record<string, unknown>;
  const limit = (timing.maxAutomaticShifts ?? {}) as { count?: unknown; per?: unknown };
  const operator =
    report.operatorAfter === null
      ? 'no operator is assumed: a manual failback or a suspension lasts to the end'
      : `an operator is assumed to ${report.policy.failback === 'manual' ? 'fail back and ' : ''}resume once every primary signal has been OK for ${report.operatorAfter}`;
  return [
    `  window: ${report.window.from} to ${report.window.to} (${duration(Date.parse(report.window.to) - Date.parse(report.window.from))}), ${report.signalChanges} signal changes replayed`,
    `  policy: escalateAfter ${String(timing.escalateAfter)}, recoverAfter ${String(timing.recoverAfter)}, cooldown ${String(timing.cooldown)}, ` +
      `maxAutomaticShifts ${String(limit.count)} per ${String(limit.per)}, failback ${String(report.policy.failback)}`,
    `  ${operator}`,
  ].join('\n');
}

function details(report: PolicyReport): string {
  const sections: string[] = [];
  sections.push(
    report.shifts.length === 0
      ? 'Shifts: none'
      : [
          'Shifts',
          table(
            [
              ['time', 'from -> to', 'primary', 'trigger', 'reason', 'alarms'],
              ...report.shifts.map((s) => [
                s.at,
                `${s.from} -> ${s.to}`,
                `${s.primaryPercent}%`,
                s.trigger,
                s.reason,
                s.alarms.join(', '),
              ]),
            ],
            '  ',
          ),
        ].join('\n'),
  );
  if (report.episodes.length > 0) {
    sections.push(
      [
        'Episodes away from healthy',
        table(
          [
            ['start', 'end', 'degraded', 'failed over', 'total'],
            ...report.episodes.map((e) => [
              e.start,
              e.end ?? 'open at the end',
              duration(e.degradedMs),
              duration(e.failedOverMs),
              duration(e.durationMs),
            ]),
          ],
          '  ',
        ),
      ].join('\n'),
    );
  }
  sections.push(
    report.suspensions.length === 0
      ? 'Suspensions: none'
      : [
          'Suspensions (maxAutomaticShifts)',
          ...report.suspensions.map(
            (s) =>
              `  ${s.at}  suspended; ${s.resumedAt === null ? 'still suspended at the end' : `resumed ${s.resumedAt} (after ${duration(Date.parse(s.resumedAt) - Date.parse(s.at))})`}\n` +
              `    ${s.reason}`,
          ),
        ].join('\n'),
  );
  sections.push(
    report.blocked.length === 0
      ? 'Blocked shifts: none'
      : [
          'Blocked shifts',
          table(
            [
              ['from', 'until', 'why', 'what'],
              ...report.blocked.map((b) => [b.at, b.until ?? 'the end', b.kind, b.message]),
            ],
            '  ',
          ),
        ].join('\n'),
  );
  if (report.operatorActions.length > 0) {
    sections.push(
      [
        'Operator actions (assumed)',
        table(
          [
            ['time', 'action', 'primary OK since', 'outcome'],
            ...report.operatorActions.map((a) => [
              a.at,
              a.action,
              a.okSince,
              a.accepted ? a.detail : `refused: ${a.detail}`,
            ]),
          ],
          '  ',
        ),
      ].join('\n'),
    );
  }
  return sections.join('\n\n');
}

function summary(report: PolicyReport): string {
  return ['Summary', table(summaryRows(report), '  ')].join('\n');
}

function summaryRows(report: PolicyReport): string[][] {
  const s = report.summary;
  const failbacks =
    report.policy.failback === 'manual' ? [['operator failbacks (failback: manual)', String(s.operatorFailbacks)]] : [];
  return [
    ['shifts', `${s.shifts} (${s.automaticShifts} automatic)`],
    ['automatic failovers', String(s.automaticFailovers)],
    ['episodes away from healthy', String(s.episodes)],
    ['time failed over', duration(s.timeFailedOverMs)],
    ['longest outage (failed over)', duration(s.longestOutageMs)],
    ['time degraded', duration(s.timeDegradedMs)],
    ['longest episode', duration(s.longestEpisodeMs)],
    ['suspensions', `${s.suspensions}${s.suspensions > 0 ? ` (${duration(s.timeSuspendedMs)} suspended)` : ''}`],
    ['blocked shifts', String(s.blockedShifts)],
    ...failbacks,
    ['state at the end', `${report.final.health}, automation ${report.final.automation}`],
  ];
}

/** `1h 40m 50s`; `0s` for nothing; milliseconds only below a second. */
export function duration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  const parts: string[] = [];
  let rest = Math.round(ms / 1000) * 1000;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.join(' ');
}

/** Columns padded to the widest cell; the last column is not padded. */
function table(rows: ReadonlyArray<readonly string[]>, indent = ''): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 2)))
          .join('')
          .trimEnd(),
    )
    .join('\n');
}
