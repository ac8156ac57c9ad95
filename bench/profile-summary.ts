/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and prints where the time went: self time by function, and
 * by package or project directory, so "what dominated" can be read off without a browser.
 *
 *   node --cpu-prof --cpu-prof-dir=prof --import tsx bench/decision-latency.ts
 *   node --import tsx bench/profile-summary.ts prof/*.cpuprofile [--top 25]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isMain } from './lib/cli.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time by function (`name (file:line)`), largest first. */
  functions: Array<{ name: string; ms: number; share: number }>;
  /** Self time by where the code lives: `node_modules/<package>`, a project directory, `node:internal`, `(idle)`. */
  places: Array<{ name: string; ms: number; share: number }>;
}

/** Where a script URL belongs, for grouping. */
export function placeOf(url: string): string {
  if (url === '') return '(native / V8)';
  if (url.startsWith('node:')) return 'node:internal';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `node_modules/${nm[1]}`;
  const project = /\/(src\/[^/]+|state-machines|bench|test)\//.exec(url);
  return project ? project[1]! : url;
}

/** Self time per node from the sample timeline, grouped by function and by place. */
export function summarizeProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map<string, number>();
  const places = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    total += us;
    const special =
      frame.functionName === '(idle)' ||
      frame.functionName === '(program)' ||
      frame.functionName === '(garbage collector)';
    const file = frame.url.replace(/^.*\/(node_modules|src|bench|state-machines|test)\//, '$1/');
    const fn = special
      ? frame.functionName
      : `${frame.functionName || '(anonymous)'} (${file}:${frame.lineNumber + 1})`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    const place = special ? frame.functionName : placeOf(frame.url);
    places.set(place, (places.get(place) ?? 0) + us);
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, share: Math.round((us / total) * 1000) / 10 }));
  return { totalMs: Math.round(total / 1000), functions: rank(functions), places: rank(places) };
}

if (isMain(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' } },
  });
  for (const file of positionals) {
    const summary = summarizeProfile(JSON.parse(await readFile(file, 'utf8')) as CpuProfile, Number(values.top));
    console.log(`# ${file}: ${summary.totalMs} ms sampled`);
    console.log('\n## by place (self time)');
    for (const p of summary.places)
      console.log(`${String(p.ms).padStart(9)} ms ${String(p.share).padStart(5)}%  ${p.name}`);
    console.log('\n## by function (self time)');
    for (const f of summary.functions)
      console.log(`${String(f.ms).padStart(9)} ms ${String(f.share).padStart(5)}%  ${f.name}`);
  }
}
