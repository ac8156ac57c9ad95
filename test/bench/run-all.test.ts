import { describe, expect, it } from 'vitest';
import type { BenchOutcome } from '../../bench/run-all.ts';
import { aggregate, BENCHMARKS, renderReport } from '../../bench/run-all.ts';
import { decisionCost } from '../../bench/decision-cost.ts';
import { startup } from '../../bench/startup.ts';
import type { BenchResult } from '../../bench/lib/report.ts';

function result(value: number, extra: Partial<BenchResult['figures'][number]> = {}): BenchResult {
  return {
    name: 'decision-cost',
    figures: [
      { key: 'cost.total', label: 'per message', value, unit: 'µs', target: { op: '<=', value: 50 }, ...extra },
    ],
    details: { outcomes: { applied: 1 }, decisions: 0 },
  };
}

describe('run-all', () => {
  it('runs every benchmark file of the issue, each once or more', () => {
    expect(BENCHMARKS.map((b) => b.name)).toEqual([
      'decision-latency',
      'decision-cost',
      'alarm-storm',
      'memory',
      'calls-per-shift',
      'shift-faults',
      'startup',
    ]);
    expect(BENCHMARKS.every((b) => b.runs >= 1)).toBe(true);
  });

  it('reports the median over runs with the min – max spread', () => {
    // Prepare
    const outcome = { benchmark: decisionCost, results: [result(30), result(10), result(20)] } as Pick<
      BenchOutcome,
      'benchmark' | 'results'
    >;

    // Act
    const [row] = aggregate(outcome as BenchOutcome);

    // Assess
    expect(row).toMatchObject({ median: 20, spread: '10 – 30', over: '3 runs' });
  });

  it('uses the spread inside a single run when the figure brings one', () => {
    // Prepare
    const single = result(900, { spread: { low: 850, high: 1200, over: '5 starts' } });

    // Act
    const [row] = aggregate({ benchmark: startup, results: [single] } as unknown as BenchOutcome);

    // Assess
    expect(row).toMatchObject({ median: 900, spread: '850 – 1200', over: '5 starts' });
  });

  it('writes the machine, a row per figure with its target and verdict, and the failures', () => {
    // Prepare
    const outcomes = [
      { benchmark: decisionCost, results: [result(12)], errors: [], seconds: 3 },
      { benchmark: startup, results: [], errors: ['startup exited with 1: boom'], seconds: 1 },
    ] as unknown as BenchOutcome[];
    const machine = {
      cpuModel: 'Test CPU',
      cores: 2,
      memoryGiB: 24,
      os: 'Linux 6',
      node: 'v20.0.0',
      date: '2026-11-28T00:00:00.000Z',
    };

    // Act
    const text = renderReport({
      machine,
      load: { start: [0.1, 0.2, 0.3], end: [1, 1, 1] },
      seconds: 4,
      outcomes,
      findings: '## Findings\n\nx',
    });

    // Assess
    expect(text).toContain('| Test CPU | 2 | 24 GiB | Linux 6 | v20.0.0 |');
    expect(text).toContain('| decision-cost | per message | 12 µs |  | 1 run | ≤ 50 µs | yes |');
    expect(text).toContain('- startup: startup exited with 1: boom');
    expect(text).toContain('## Findings');
  });

  it('marks a missed target', () => {
    const text = renderReport({
      machine: { cpuModel: 'c', cores: 1, memoryGiB: 1, os: 'o', node: 'n', date: 'd' },
      load: { start: [0, 0, 0], end: [0, 0, 0] },
      seconds: 1,
      outcomes: [
        { benchmark: decisionCost, results: [result(80)], errors: [], seconds: 1 },
      ] as unknown as BenchOutcome[],
      findings: undefined,
    });
    expect(text).toContain('| 80 µs |  | 1 run | ≤ 50 µs | **no** |');
  });
});
