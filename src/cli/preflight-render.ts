/** The `preflight` checklist for a person; `--json` prints the report itself. */
import type { CheckStatus, PreflightReport } from '../preflight/index.ts';
import { table, tone } from './render.ts';

const LABEL: Readonly<Record<CheckStatus, string>> = { pass: 'pass', warn: 'warn', fail: 'FAIL' };
const TONE = { pass: 'good', warn: 'warn', fail: 'bad' } as const;

/**
 * The checklist as an aligned table: status, check, what was found; the fix on its own line under each
 * warning and failure. Colour only when `color` (a TTY, without NO_COLOR).
 */
export function renderPreflight(report: PreflightReport, color: boolean): string {
  const rows: string[][] = [];
  for (const check of report.checks) {
    rows.push([tone(LABEL[check.status], TONE[check.status], color), check.title, check.detail]);
    if (check.status !== 'pass' && check.fix) rows.push(['', '', `fix: ${check.fix}`]);
  }
  const { pass, warn, fail } = report.summary;
  const verdict =
    fail > 0
      ? tone('a failover may not work: fix the failures above', 'bad', color)
      : warn > 0
        ? tone('ready, with warnings', 'warn', color)
        : tone('ready', 'good', color);
  return `${table(rows)}\n\n${pass} passed, ${warn} warning${warn === 1 ? '' : 's'}, ${fail} failed: ${verdict}`;
}
