/** What a benchmark returns, and how a figure is judged against its target. */

/** How a figure must compare with its target to meet it. */
export type Comparison = '<=' | '>=' | '==';

export interface Target {
  op: Comparison;
  value: number;
}

/** One measured number. `key` is stable across runs, so run-all can aggregate runs by it. */
export interface Figure {
  key: string;
  label: string;
  value: number;
  unit: string;
  /** Absent: reported for context, not judged. */
  target?: Target;
  /**
   * The spread of the samples behind `value` inside one run (e.g. min–max over 5 starts), for figures
   * that run once; run-all shows the spread across runs instead when there are several.
   */
  spread?: { low: number; high: number; over: string };
}

/** The outcome of one run of one benchmark. */
export interface BenchResult {
  name: string;
  figures: Figure[];
  /** Counts and settings that back the figures (written to the JSON output, summarised in the doc). */
  details: Record<string, unknown>;
}

/** True when `value` meets `target` (a NaN never does). */
export function meets(value: number, target: Target): boolean {
  if (Number.isNaN(value)) return false;
  switch (target.op) {
    case '<=':
      return value <= target.value;
    case '>=':
      return value >= target.value;
    case '==':
      return value === target.value;
  }
}

/** `≤ 10 ms`, `≥ 0.9`, `= 0 calls`. */
export function describeTarget(target: Target, unit: string): string {
  const op = target.op === '<=' ? '≤' : target.op === '>=' ? '≥' : '=';
  return `${op} ${target.value}${unit ? ` ${unit}` : ''}`;
}

/** A benchmark as run-all knows it: how to run it, how often, and how to describe it. */
export interface Benchmark<O extends Record<string, number | string>> {
  /** The file stem under bench/, e.g. `decision-latency`. */
  name: string;
  title: string;
  /** What is measured and how, with the settings, in Markdown (for docs/benchmarks.md). */
  method: string;
  defaults: O;
  /** Runs in `npm run bench`, each in a fresh process. */
  runs: number;
  /** Extra `node` flags for those processes (e.g. `--expose-gc`). */
  nodeArgs?: readonly string[];
  run(options: Partial<O>): Promise<BenchResult>;
  /** Markdown with the counts behind the figures, from every run's result. */
  details?(results: readonly BenchResult[]): string;
}
