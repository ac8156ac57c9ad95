/** The pieces of the timeline drawing: step segments, time ticks and labels, the split line, step markers. Pure. */
import { escapeXml } from './svg-common.ts';

/** Width of one character of the 10-11px labels, px, for telling whether two labels would touch. */
export const CHAR_PX = 6.2;
/** Characters of a lane label that fit left of the plot at 11px. */
export const LABEL_CHARS = 44;

export interface Segment {
  from: number;
  to: number;
  value: string;
}

/** Step-function segments from an initial value and timed changes, clipped to [start, end]. */
export function segments(
  initial: string,
  changes: ReadonlyArray<{ at: number; value: string }>,
  start: number,
  end: number,
): Segment[] {
  const out: Segment[] = [];
  let value = initial;
  let from = start;
  for (const change of changes.toSorted((a, b) => a.at - b.at)) {
    const at = Math.min(Math.max(change.at, start), end);
    if (change.value === value) continue;
    if (at > from) out.push({ from, to: at, value });
    value = change.value;
    from = at;
  }
  if (end > from || out.length === 0) out.push({ from, to: Math.max(end, from), value });
  return out;
}

const TICK_STEPS = [
  100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
  3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

/** The smallest round tick interval that leaves at least `minPx` between tick labels. */
export function tickStep(spanMs: number, plotPx: number, minPx = 70): number {
  return TICK_STEPS.find((s) => spanMs / s <= Math.max(1, Math.floor(plotPx / minPx))) ?? TICK_STEPS.at(-1)!;
}

/** A tick label: `1.5s`, `45s`, `5m`, `1h 30m`: short enough at any run length. */
export function secondsLabel(ms: number): string {
  if (ms >= 3_600_000) {
    const h = Math.floor(ms / 3_600_000);
    const m = Math.round((ms % 3_600_000) / 60_000);
    return m === 0 ? `${h}h` : `${h}h ${m}m`;
  }
  if (ms >= 120_000) {
    const m = Math.floor(ms / 60_000);
    const s = Math.round((ms % 60_000) / 1000);
    return s === 0 ? `${m}m` : `${m}m ${s}s`;
  }
  return `${Number((ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 2))}s`;
}

/** Whether `text` fits in a bar `px` wide (a label is drawn inside a bar only when it does). */
export function fits(text: string, px: number): boolean {
  return px > text.length * CHAR_PX + 12;
}

/** A step line (the split over time) through the known points, held to `end`. */
export function stepPath(
  cls: string,
  points: ReadonlyArray<{ at: number; value: number | undefined }>,
  x: (at: number) => number,
  y: (pct: number) => number,
  end: number,
  color: string,
  dash: string | undefined,
  title: string,
): string {
  const known = points.filter((p): p is { at: number; value: number } => p.value !== undefined);
  if (known.length === 0) return `<g class="series ${cls}"></g>`;
  let d = `M ${x(known[0]!.at).toFixed(1)} ${y(known[0]!.value).toFixed(1)}`;
  let last = known[0]!.value;
  for (const p of known.slice(1)) {
    d += ` H ${x(p.at).toFixed(1)}`;
    if (p.value !== last) d += ` V ${y(p.value).toFixed(1)}`;
    last = p.value;
  }
  d += ` H ${x(end).toFixed(1)}`;
  return `<g class="series ${cls}"><path d="${d}" fill="none" stroke="${color}" stroke-width="${dash ? 1.5 : 2.5}"${dash ? ` stroke-dasharray="${dash}"` : ''}/><title>${escapeXml(title)}</title></g>`;
}

/** A long label cut in the middle, so both the start and the end (often the distinguishing part) stay. */
export function shorten(text: string): string {
  if (text.length <= LABEL_CHARS) return text;
  const keep = LABEL_CHARS - 1;
  return `${text.slice(0, Math.ceil(keep / 2))}…${text.slice(text.length - Math.floor(keep / 2))}`;
}

/** Step markers closer than a marker's width are drawn as one (`4–7`), so their numbers stay legible. */
export function groupMarkers(
  steps: ReadonlyArray<{ at: number; label: string; title: string }>,
  x: (at: number) => number,
) {
  const groups: Array<{ x: number; first: string; last: string; label: string; titles: string[] }> = [];
  for (const step of steps.toSorted((a, b) => a.at - b.at)) {
    const sx = x(step.at);
    const group = groups.at(-1);
    if (group && sx - group.x < 18 + group.label.length * 3) {
      group.last = step.label;
      group.label = `${group.first}–${group.last}`;
      group.titles.push(`step ${step.title}`);
    } else {
      groups.push({ x: sx, first: step.label, last: step.label, label: step.label, titles: [`step ${step.title}`] });
    }
  }
  return groups;
}
