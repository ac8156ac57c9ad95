/**
 * Connect calls per shift under faults: `TrafficShifter` + `ConnectTrafficApi` against the Connect
 * simulator, real time. Shifts alternate 0 % and 100 % on the primary (each needs one write), and each
 * scenario runs `shifts` of them; per shift the simulator's own request log gives the PUTs
 * (UpdateTrafficDistribution), GETs (GetTrafficDistribution) and DESCRIBEs that arrived, and the clock
 * gives the time to verified. Scenarios:
 * - `none`: no faults;
 * - `throttle30`, `throttle60`: seeded random 429s on 30 % / 60 % of all requests;
 * - `conflictWindow`: for the first `windowMs` of every shift every PUT is answered 409 (a concurrent
 *   update elsewhere won the race between the shifter's status read and its write);
 * - `busyGroup`: the shift starts while an out-of-band update keeps the group UPDATE_IN_PROGRESS (the
 *   window in which Connect answers 409); the shifter should wait, then write once.
 * The backoff is shortened so a run finishes: see `baseMs`, `capMs` (production: 200 ms, 20 s). Each
 * scenario has its own simulator and runs at the same time as the others.
 */
import { performance } from 'node:perf_hooks';
import { ConnectTrafficApi } from '../src/connect/connect-traffic.ts';
import { TrafficShifter } from '../src/connect/shifter.ts';
import { startConnectSimulator } from '../src/local/connect-simulator.ts';
import { runCliIfMain } from './lib/cli.ts';
import { mdTable } from './lib/markdown.ts';
import type { Benchmark, BenchResult, Figure } from './lib/report.ts';
import { BENCH_ACCOUNT, BENCH_CREDENTIALS, BENCH_TDG_ID } from './lib/messages.ts';
import { median, round, summarize } from './lib/stats.ts';
import type { Summary } from './lib/stats.ts';

export type CallsPerShiftOptions = {
  /** Shifts per scenario. Default 50. */
  shifts: number;
  /** Backoff: ceiling of the first wait, ms (full jitter, doubling). Default 10. */
  baseMs: number;
  /** Backoff: largest ceiling, ms. Default 100. */
  capMs: number;
  /** How long the simulator keeps the group UPDATE_IN_PROGRESS after an update, ms. Default 50. */
  updateWindowMs: number;
  /** Length of the 409 window of `conflictWindow`, ms. Default 150. */
  windowMs: number;
};

export const CALLS_PER_SHIFT_DEFAULTS: CallsPerShiftOptions = {
  shifts: 50,
  baseMs: 10,
  capMs: 100,
  updateWindowMs: 50,
  windowMs: 150,
};

/** Longest one shift may take before the benchmark fails (the shifter's own deadline). */
const DEADLINE_MS = 30_000;

export const SCENARIOS = ['none', 'throttle30', 'throttle60', 'conflictWindow', 'busyGroup'] as const;
export type Scenario = (typeof SCENARIOS)[number];

interface ShiftCount {
  puts: number;
  gets: number;
  describes: number;
  ms: number;
}

/** One run of every scenario, `shifts` shifts each (defaults: {@link CALLS_PER_SHIFT_DEFAULTS}). */
export async function runCallsPerShift(options: Partial<CallsPerShiftOptions> = {}): Promise<BenchResult> {
  const settings = { ...CALLS_PER_SHIFT_DEFAULTS, ...options };
  // Each scenario against its own simulator, all at once: the runs are mostly waiting (backoff, the
  // update window), so running them side by side saves minutes and barely moves the times.
  const counted = await Promise.all(SCENARIOS.map((scenario, index) => runScenario(scenario, index, settings)));
  const results = Object.fromEntries(SCENARIOS.map((s, i) => [s, counted[i]!])) as Record<Scenario, ShiftCount[]>;

  const figures: Figure[] = [];
  const details: Record<string, unknown> = { ...settings, deadlineMs: DEADLINE_MS };
  for (const scenario of SCENARIOS) {
    const counts = results[scenario];
    const med = (pick: (c: ShiftCount) => number) => median(counts.map(pick));
    const spread = (pick: (c: ShiftCount) => number) => {
      const values = counts.map(pick);
      return { low: Math.min(...values), high: Math.max(...values), over: `${values.length} shifts` };
    };
    figures.push(
      {
        key: `shift.${scenario}.puts`,
        label: `${scenario}: PUTs per shift, median`,
        value: med((c) => c.puts),
        unit: 'calls',
        spread: spread((c) => c.puts),
      },
      {
        key: `shift.${scenario}.gets`,
        label: `${scenario}: GETs per shift, median`,
        value: med((c) => c.gets),
        unit: 'calls',
        spread: spread((c) => c.gets),
      },
      {
        key: `shift.${scenario}.ms`,
        label: `${scenario}: time to verified, median`,
        value: round(med((c) => c.ms)),
        unit: 'ms',
        spread: spread((c) => c.ms),
      },
    );
    details[scenario] = {
      shifts: counts.length,
      puts: roundAll(summarize(counts.map((c) => c.puts))),
      gets: roundAll(summarize(counts.map((c) => c.gets))),
      describes: roundAll(summarize(counts.map((c) => c.describes))),
      ms: roundAll(summarize(counts.map((c) => c.ms))),
    };
  }
  figures.push({
    key: 'shift.none.putsMax',
    label: 'none: PUTs per shift, most in any shift',
    value: Math.max(...results.none.map((c) => c.puts)),
    unit: 'calls',
    target: { op: '<=', value: 1 },
  });
  return { name: 'calls-per-shift', figures, details };
}

async function runScenario(scenario: Scenario, index: number, settings: CallsPerShiftOptions): Promise<ShiftCount[]> {
  const regions = { primary: 'us-east-1', replica: 'us-west-2' };
  const connect = await startConnectSimulator({
    accountId: BENCH_ACCOUNT,
    tdgId: BENCH_TDG_ID,
    homeRegion: regions.primary,
    otherRegion: regions.replica,
    updateWindowMs: settings.updateWindowMs,
  });
  const tdg = { id: connect.tdgId, arn: connect.tdgArn, region: regions.primary };
  const client = { tdg, regions, endpoint: connect.endpoint, credentials: BENCH_CREDENTIALS };
  const api = new ConnectTrafficApi(client);
  // A second client for the out-of-band updates of `busyGroup` (another operator, the console).
  const other = new ConnectTrafficApi(client);
  const shifter = new TrafficShifter({
    api,
    shiftAgents: true,
    backoff: { baseMs: settings.baseMs, capMs: settings.capMs },
    deadlineMs: DEADLINE_MS,
  });
  const counts: ShiftCount[] = [];
  try {
    if (scenario === 'throttle30' || scenario === 'throttle60') {
      connect.faults.random({ seed: 100 + index, rates: { throttle: scenario === 'throttle30' ? 0.3 : 0.6 } });
    }
    // The simulator starts at 100 %: the first shift goes to 0 %, and every shift after it has to write.
    let target = 100;
    for (let i = 0; i < settings.shifts; i++) {
      target = target === 0 ? 100 : 0;
      if (scenario === 'busyGroup') {
        // Out of band, to a split neither side wants, so the shifter still has to write after the window.
        await other.update(
          regions.primary,
          { telephonyPrimaryPercent: 50, agentsPrimaryPercent: 50 },
          AbortSignal.timeout(5_000),
        );
      }
      let closeWindow: NodeJS.Timeout | undefined;
      if (scenario === 'conflictWindow') {
        connect.faults.random({ seed: 200 + i, rates: { conflict: 1 }, operations: ['UpdateTrafficDistribution'] });
        closeWindow = setTimeout(() => connect.faults.random(null), settings.windowMs);
      }
      const before = connect.requests.length;
      const t0 = performance.now();
      await shifter.shift(target, AbortSignal.timeout(DEADLINE_MS));
      const ms = performance.now() - t0;
      clearTimeout(closeWindow);
      if (scenario === 'conflictWindow') connect.faults.random(null);
      const requests = connect.requests.slice(before);
      const count = (operation: string) => requests.filter((r) => r.operation === operation).length;
      counts.push({
        puts: count('UpdateTrafficDistribution'),
        gets: count('GetTrafficDistribution'),
        describes: count('DescribeTrafficDistributionGroup'),
        ms,
      });
      const primary = connect.state().telephony[regions.primary];
      if (primary !== target)
        throw new Error(`${scenario} shift ${i}: the simulator shows ${primary}% on the primary, not ${target}%`);
    }
    return counts;
  } finally {
    api.destroy();
    other.destroy();
    await connect.stop();
  }
}

function roundAll(s: Summary): Record<string, number> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v)]));
}

export const callsPerShift: Benchmark<CallsPerShiftOptions> = {
  name: 'calls-per-shift',
  title: 'Connect calls per shift under faults',
  method:
    '`TrafficShifter` + `ConnectTrafficApi` against the Connect simulator, real time, 50 shifts per scenario alternating 0 % and 100 % ' +
    "(each needs one write); calls counted from the simulator's request log. Backoff shortened so the run finishes: full jitter, base " +
    '10 ms, cap 100 ms (production 200 ms, 20 s); shift deadline 30 s; simulator update window 50 ms. Scenarios: `none`; `throttle30` / ' +
    '`throttle60`: seeded random 429 on 30 % / 60 % of all requests; `conflictWindow`: every PUT answered 409 for the first 150 ms of ' +
    'each shift; `busyGroup`: an out-of-band update just before each shift keeps the group UPDATE_IN_PROGRESS (when Connect answers 409). ' +
    'Each scenario has its own simulator; the five run at the same time.',
  defaults: CALLS_PER_SHIFT_DEFAULTS,
  runs: 1,
  run: runCallsPerShift,
  details: (results) => {
    const r = results[results.length - 1]!;
    return mdTable(
      [
        'scenario',
        'PUTs median / max',
        'GETs median / max',
        'DESCRIBEs median / max',
        'ms to verified p50 / p95 / max',
      ],
      SCENARIOS.map((s) => {
        const d = r.details[s] as Record<'puts' | 'gets' | 'describes' | 'ms', Summary>;
        return [
          s,
          `${d.puts.p50} / ${d.puts.max}`,
          `${d.gets.p50} / ${d.gets.max}`,
          `${d.describes.p50} / ${d.describes.max}`,
          `${d.ms.p50} / ${d.ms.p95} / ${d.ms.max}`,
        ];
      }),
    );
  },
};

runCliIfMain(callsPerShift);
