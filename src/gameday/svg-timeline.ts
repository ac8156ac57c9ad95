/**
 * The game day's timeline as one self-contained SVG (no scripts, no fonts, no links): a lane per alarm,
 * the controller's state and automation mode, the traffic split (actual and desired) with each shift's
 * decision, accepted update and verification marked, the RTO span, every Connect call coloured by its
 * answer, and the faults and operator commands. Hover titles carry the details. Pure.
 */
import type { Analysis } from './analysis.ts';
import type { Recording } from './recording.ts';
import { callClass, describeCall, duration, offset } from './report-format.ts';
import { COLORS, escapeXml } from './svg-common.ts';
import {
  CHAR_PX,
  LABEL_CHARS,
  fits,
  groupMarkers,
  secondsLabel,
  segments,
  shorten,
  stepPath,
  tickStep,
} from './svg-timeline-parts.ts';

/** Width of a short run's timeline; a long or busy run gets more (the report scrolls it sideways). */
const MIN_WIDTH = 1200;
const MAX_WIDTH = 4800;
/** Room each step marker and each shift label needs, px: what the width grows by for a busy run. */
const PER_STEP = 30;
const PER_SHIFT = 64;
const LEFT = 270;
const RIGHT = 24;
const LANE = 20;
const GAP = 8;
const CHART = 150;

/** Renders the timeline; `analysis` supplies the shifts and the RTO span. */
export function renderTimeline(recording: Recording, analysis: Analysis): string {
  const start = recording.startedAt;
  const end = Math.max(recording.endedAt, start + 1000);
  const healthDecisions = recording.decisions.filter((d) => d.region === 'health').length;
  const WIDTH = Math.round(
    Math.min(
      MAX_WIDTH,
      Math.max(MIN_WIDTH, LEFT + RIGHT + recording.steps.length * PER_STEP, LEFT + RIGHT + healthDecisions * PER_SHIFT),
    ),
  );
  const plot = WIDTH - LEFT - RIGHT;
  const x = (at: number) => LEFT + ((Math.min(Math.max(at, start), end) - start) / (end - start)) * plot;
  const parts: string[] = [];
  let y = 30;

  // Step markers across the whole height are drawn last (their height is known then); collect them now.
  const stepStarts = recording.steps
    .map((s, i) => ({
      at: s.startedAt,
      label: String(i + 1),
      title: `${i + 1} at ${offset(s.startedAt, recording)}: ${s.label} (${s.status})`,
    }))
    .filter((s): s is { at: number; label: string; title: string } => s.at !== undefined);

  const laneLabel = (text: string, top: number, height = LANE) =>
    `<text x="${LEFT - 8}" y="${top + height / 2 + 4}" text-anchor="end" class="lane-label">${escapeXml(shorten(text))}${text.length > LABEL_CHARS ? `<title>${escapeXml(text)}</title>` : ''}</text>`;

  // Alarms: the state the game day set (starting from DescribeAlarms at the start).
  for (const alarm of recording.alarms) {
    const changes = recording.alarmChanges
      .filter((c) => c.alarm === alarm.key)
      .map((c) => ({ at: c.at, value: c.state as string }));
    const segs = segments(alarm.initial ?? 'unknown', changes, start, end);
    parts.push(`<g class="lane alarm" data-alarm="${escapeXml(alarm.key)}">`);
    parts.push(laneLabel(`${alarm.name} (${alarm.role})`, y));
    for (const s of segs) {
      const color = COLORS[s.value as keyof typeof COLORS] ?? COLORS.unknown;
      parts.push(
        `<rect x="${x(s.from).toFixed(1)}" y="${y}" width="${Math.max(0.5, x(s.to) - x(s.from)).toFixed(1)}" height="${LANE}" fill="${color}"><title>${escapeXml(`${alarm.name}: ${s.value} from ${offset(s.from, recording)} to ${offset(s.to, recording)}`)}</title></rect>`,
      );
      if (fits(s.value, x(s.to) - x(s.from)))
        parts.push(`<text x="${(x(s.from) + 6).toFixed(1)}" y="${y + 14}" class="in-bar">${escapeXml(s.value)}</text>`);
    }
    parts.push('</g>');
    y += LANE + GAP;
  }

  // Controller state and automation mode: from its decisions (exact times), starting from the first reading.
  const health = recording.decisions.filter((d) => d.region === 'health');
  const automation = recording.decisions.filter((d) => d.region === 'automation');
  const firstHealth =
    recording.samples.find((s) => s.health !== undefined && s.at <= (health[0]?.at ?? Infinity))?.health ??
    health[0]?.from ??
    'healthy';
  const firstAutomation =
    recording.samples.find((s) => s.automation !== undefined && s.at <= (automation[0]?.at ?? Infinity))?.automation ??
    automation[0]?.from ??
    'active';
  for (const [name, initial, decisions, cls] of [
    ['controller state', firstHealth, health, 'controller-state'],
    ['automation', firstAutomation, automation, 'automation'],
  ] as const) {
    // Each failback step is a segment of its own (`failingBack 50%`), coloured as failingBack.
    const segs = segments(
      initial,
      decisions.map((d) => ({
        at: d.at,
        value: d.to === 'failingBack' && d.primaryPercent !== undefined ? `failingBack ${d.primaryPercent}%` : d.to,
      })),
      start,
      end,
    );
    parts.push(`<g class="lane series ${cls}">`);
    parts.push(laneLabel(name, y));
    for (const s of segs) {
      const color = COLORS[s.value.split(' ')[0] as keyof typeof COLORS] ?? COLORS.unknown;
      parts.push(
        `<rect x="${x(s.from).toFixed(1)}" y="${y}" width="${Math.max(0.5, x(s.to) - x(s.from)).toFixed(1)}" height="${LANE}" fill="${color}"><title>${escapeXml(`${name}: ${s.value} from ${offset(s.from, recording)} to ${offset(s.to, recording)}`)}</title></rect>`,
      );
      if (fits(s.value, x(s.to) - x(s.from))) {
        parts.push(`<text x="${(x(s.from) + 6).toFixed(1)}" y="${y + 14}" class="in-bar">${escapeXml(s.value)}</text>`);
      }
    }
    parts.push('</g>');
    y += LANE + GAP;
  }

  // Traffic split chart.
  const top = y + 6;
  const yPct = (pct: number) => top + CHART - (pct / 100) * CHART;
  parts.push('<g class="lane split">');
  // Between the 100% and 50% grid labels, so it never sits on one of them.
  parts.push(
    `<text x="${LEFT - 40}" y="${top + CHART / 4 + 4}" text-anchor="end" class="lane-label">traffic on the primary</text>`,
  );
  for (const pct of [0, 50, 100]) {
    parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${yPct(pct)}" y2="${yPct(pct)}" class="grid"/>`);
    parts.push(`<text x="${LEFT - 8}" y="${yPct(pct) + 4}" text-anchor="end" class="axis">${pct}%</text>`);
  }
  const rto = analysis.rto;
  if (rto.from && rto.until) {
    const x1 = x(rto.from.at);
    const x2 = x(rto.until.at);
    parts.push(
      `<g class="rto"><rect x="${x1.toFixed(1)}" y="${top}" width="${Math.max(1, x2 - x1).toFixed(1)}" height="${CHART}" fill="${COLORS.rto}" fill-opacity="0.08"/>` +
        `<text x="${(x1 + 4).toFixed(1)}" y="${top + 12}" class="rto-label">RTO ${escapeXml(duration(rto.measuredMs))}${rto.targetMs === undefined ? '' : ` (target ${escapeXml(duration(rto.targetMs))})`}</text>` +
        `<title>${escapeXml(rto.detail)}</title></g>`,
    );
  }
  parts.push(
    stepPath(
      'split-desired',
      recording.samples.map((s) => ({ at: s.at, value: s.desiredPrimaryPercent })),
      x,
      yPct,
      end,
      COLORS.desired,
      '6 4',
      'desired split (the controller’s state)',
    ),
  );
  parts.push(
    stepPath(
      'split-actual',
      recording.samples.map((s) => ({ at: s.at, value: s.actualPrimaryPercent })),
      x,
      yPct,
      end,
      COLORS.actual,
      undefined,
      'actual split (Connect)',
    ),
  );
  // Shift labels go on the lowest of three rows where they touch no earlier label; with none free the
  // label is left out (the decision line and its marks keep their hover titles).
  const labelRowsEnd = [-Infinity, -Infinity, -Infinity];
  for (const shift of analysis.shifts) {
    const level = yPct(shift.targetPrimaryPercent);
    const mark = (at: number | undefined, shape: (cx: string, cy: string) => string, what: string) => {
      if (at === undefined) return;
      const title = `shift ${shift.number} (${shift.from} → ${shift.to}): ${what} at ${offset(at, recording)}`;
      parts.push(
        `<g class="shift-mark" data-shift="${shift.number}">${shape(x(at).toFixed(1), level.toFixed(1))}<title>${escapeXml(title)}</title></g>`,
      );
    };
    parts.push(
      `<line x1="${x(shift.decidedAt).toFixed(1)}" x2="${x(shift.decidedAt).toFixed(1)}" y1="${top}" y2="${top + CHART}" class="decision-line"/>`,
    );
    const label = `shift ${shift.number}`;
    const lx = x(shift.decidedAt) + 3;
    const row = labelRowsEnd.findIndex((endPx) => lx > endPx + 4);
    if (row >= 0) {
      labelRowsEnd[row] = lx + label.length * CHAR_PX;
      parts.push(`<text x="${lx.toFixed(1)}" y="${top + CHART - 4 - row * 12}" class="shift-label">${label}</text>`);
    }
    mark(
      shift.decidedAt,
      (cx, cy) => `<path d="M ${cx} ${cy} m -5 -9 l 10 0 l -5 8 z" fill="${COLORS.desired}"/>`,
      'decision',
    );
    mark(
      shift.acceptedAt,
      (cx, cy) =>
        `<rect x="${cx}" y="${cy}" width="8" height="8" transform="rotate(45 ${cx} ${cy}) translate(-4 -4)" fill="${COLORS.command}"/>`,
      'UpdateTrafficDistribution accepted',
    );
    mark(
      shift.verifiedAt,
      (cx, cy) => `<circle cx="${cx}" cy="${cy}" r="5" fill="${COLORS.ok}" stroke="white"/>`,
      'verified',
    );
  }
  parts.push('</g>');
  y = top + CHART + GAP + 6;

  // Connect calls: updates on the upper row, reads below.
  if (recording.insideView) {
    parts.push('<g class="lane series connect-calls">');
    parts.push(laneLabel('Connect calls: updates', y, 14));
    parts.push(laneLabel('reads', y + 18, 14));
    for (const call of recording.connectCalls) {
      const row = call.operation === 'UpdateTrafficDistribution' ? y + 7 : y + 25;
      const color = COLORS[callClass(call)];
      const cx = x(call.startedAt).toFixed(1);
      const shape =
        call.operation === 'UpdateTrafficDistribution'
          ? `<rect x="${cx}" y="${row - 5}" width="10" height="10" transform="translate(-5 0)" fill="${color}"/>`
          : `<circle cx="${cx}" cy="${row}" r="3.5" fill="${color}"/>`;
      parts.push(
        `<g class="call ${callClass(call)}">${shape}<title>${escapeXml(`${offset(call.startedAt, recording)} ${describeCall(call)}`)}</title></g>`,
      );
    }
    parts.push('</g>');
    y += 36 + GAP;
  }

  // Faults and operator commands.
  parts.push('<g class="lane series actions">');
  parts.push(laneLabel('faults / commands', y));
  for (const fault of recording.faults) {
    const fx = x(fault.at);
    parts.push(
      `<g class="fault"><path d="M ${fx.toFixed(1)} ${y + 2} l 7 14 l -14 0 z" fill="${COLORS.fault}"/><title>${escapeXml(`${offset(fault.at, recording)} fault: ${fault.description}`)}</title></g>`,
    );
  }
  for (const command of recording.commands) {
    const cx = x(command.at);
    parts.push(
      `<g class="command"><circle cx="${cx.toFixed(1)}" cy="${y + 10}" r="6" fill="${COLORS.command}"/><title>${escapeXml(`${offset(command.at, recording)} operator ${command.command}: ${command.reason}`)}</title></g>`,
    );
  }
  parts.push('</g>');
  y += LANE + GAP;

  // Time axis.
  const step = tickStep(end - start, plot);
  const axis: string[] = [
    `<g class="axis-x"><line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y}" y2="${y}" class="axis-line"/>`,
  ];
  for (let t = 0; start + t <= end; t += step) {
    const tx = x(start + t).toFixed(1);
    axis.push(
      `<line x1="${tx}" x2="${tx}" y1="${y}" y2="${y + 5}" class="axis-line"/><text x="${tx}" y="${y + 18}" text-anchor="middle" class="axis">${secondsLabel(t)}</text>`,
    );
  }
  axis.push(`<text x="${LEFT - 20}" y="${y + 18}" text-anchor="end" class="axis">time since start</text></g>`);
  parts.push(axis.join(''));
  const height = y + 30;

  const markers = groupMarkers(stepStarts, x)
    .map((g) => {
      const sx = g.x.toFixed(1);
      const width = Math.max(16, g.label.length * 6 + 8);
      return `<g class="step-marker"><line x1="${sx}" x2="${sx}" y1="18" y2="${y}" class="step-line"/><rect x="${(g.x - width / 2).toFixed(1)}" y="2" width="${width}" height="16" rx="8" class="step-dot"/><text x="${sx}" y="14" text-anchor="middle" class="step-num">${escapeXml(g.label)}</text><title>${escapeXml(g.titles.join('\n'))}</title></g>`;
    })
    .join('');

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="game day timeline">`,
    `<style>.lane-label{font:11px sans-serif;fill:#333}.axis{font:11px sans-serif;fill:#555}.in-bar{font:11px sans-serif;fill:#fff}.grid{stroke:#e0e0e0}.axis-line{stroke:#999}.step-line{stroke:#bbb;stroke-dasharray:2 3}.step-dot{fill:#fff;stroke:#777}.step-num{font:10px sans-serif;fill:#333}.decision-line{stroke:#999;stroke-dasharray:3 3}.shift-label{font:10px sans-serif;fill:#666}.rto-label{font:bold 11px sans-serif;fill:${COLORS.rto}}</style>`,
    markers,
    ...parts,
    '</svg>',
  ].join('\n');
}
