/**
 * The RTO of each run of a drill as bars, oldest left, with each run's target as a dashed mark: a slow drift
 * upwards across releases shows here before it fails a run. Self-contained SVG, like the timeline. Pure.
 */
import type { RunSummary } from './run-history.ts';
import { duration } from './report-format.ts';
import { COLORS, escapeXml } from './svg-common.ts';

const HEIGHT = 160;
const TOP = 14;
const LEFT = 60;
const BOTTOM = 34;
const BAR = 26;
const GAP = 14;

/** One bar per run (a run without a measured RTO is an empty slot with a cross); hover shows the details. */
export function renderRtoTrend(runs: readonly RunSummary[]): string {
  const width = Math.max(360, LEFT + runs.length * (BAR + GAP) + GAP);
  const max = Math.max(1000, ...runs.flatMap((r) => [r.rtoMs ?? 0, r.rtoTargetMs ?? 0])) * 1.1;
  const plot = HEIGHT - TOP - BOTTOM;
  const y = (ms: number) => TOP + plot - (ms / max) * plot;
  const parts: string[] = [];
  for (const fraction of [0, 0.5, 1]) {
    const ms = (max / 1.1) * fraction;
    parts.push(`<line x1="${LEFT}" x2="${width - 6}" y1="${y(ms).toFixed(1)}" y2="${y(ms).toFixed(1)}" class="grid"/>`);
    parts.push(
      `<text x="${LEFT - 6}" y="${(y(ms) + 4).toFixed(1)}" text-anchor="end" class="axis">${escapeXml(duration(ms))}</text>`,
    );
  }
  runs.forEach((run, i) => {
    const x = LEFT + GAP + i * (BAR + GAP);
    const title = `${run.startedAt}: ${run.passed ? 'passed' : 'FAILED'}, RTO ${duration(run.rtoMs ?? undefined)}${run.rtoTargetMs === null ? '' : ` (target ${duration(run.rtoTargetMs)})`}${run.version ? `, ${run.version}${run.commit ? ` ${run.commit}` : ''}` : ''}`;
    const color = run.passed ? COLORS.ok : COLORS.server;
    const bar =
      run.rtoMs === null
        ? `<path d="M ${x + 6} ${TOP + plot - 16} l 14 14 m 0 -14 l -14 14" stroke="${COLORS.server}" stroke-width="2"/>`
        : `<rect x="${x}" y="${y(run.rtoMs).toFixed(1)}" width="${BAR}" height="${(TOP + plot - y(run.rtoMs)).toFixed(1)}" fill="${color}"/>`;
    const target =
      run.rtoTargetMs === null
        ? ''
        : `<line x1="${x - 4}" x2="${x + BAR + 4}" y1="${y(run.rtoTargetMs).toFixed(1)}" y2="${y(run.rtoTargetMs).toFixed(1)}" stroke="${COLORS.desired}" stroke-dasharray="3 2" stroke-width="2"/>`;
    // Every other date label when they would touch: a label is wider than a bar and its gap.
    const label =
      i % Math.max(1, Math.ceil(70 / (BAR + GAP))) === 0 || i === runs.length - 1
        ? `<text x="${x + BAR / 2}" y="${HEIGHT - 18}" text-anchor="middle" class="axis">${escapeXml(run.startedAt.slice(5, 10))}</text>`
        : '';
    parts.push(
      `<g class="run ${run.passed ? 'passed' : 'failed'}">${bar}${target}${label}<title>${escapeXml(title)}</title></g>`,
    );
  });
  parts.push(
    `<text x="${LEFT}" y="${HEIGHT - 4}" class="axis">runs, oldest first (dashed: the RTO target; red: a failed run)</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="rto-trend" viewBox="0 0 ${width} ${HEIGHT}" width="${width}" height="${HEIGHT}" role="img" aria-label="RTO across runs">`,
    '<style>.axis{font:11px sans-serif;fill:#555}.grid{stroke:#e0e0e0}</style>',
    ...parts,
    '</svg>',
  ].join('\n');
}
