/**
 * Time to a verified split under sustained Connect faults (issue 11): `TrafficShifter` + `ConnectTrafficApi`
 * against the Connect simulator over HTTP, in real time, with the shifter's production backoff (full
 * jitter, base 200 ms, cap 20 s) and deadline (120 s). Every request of the `faults` scenario is faulted
 * at the rates of the AWS sample's chaos tests: 30 % 429, 10 % 409, 10 % 500, 5 % connection reset; the
 * `clean` scenario has none. Each shift goes to a different multiple of 10 (so each needs a write) and
 * is timed from the call to the verified result.
 *
 * The shifts run in `lanes`, each with its own simulator, adapter and shifter, side by side: a shift is
 * mostly waiting (backoff), so lanes cut the wall time without moving the figures.
 */
import { performance } from 'node:perf_hooks';
import { ConnectTrafficApi } from '../src/connect/connect-traffic.ts';
import { TrafficShifter } from '../src/connect/shifter.ts';
import { startConnectSimulator } from '../src/local/connect-simulator.ts';
import { mulberry32 } from '../src/local/prng.ts';
import { runCliIfMain } from './lib/cli.ts';
import { mdTable } from './lib/markdown.ts';
import { BENCH_ACCOUNT, BENCH_CREDENTIALS, BENCH_TDG_ID } from './lib/messages.ts';
import type { Benchmark, BenchResult, Figure } from './lib/report.ts';
import { round, summarize } from './lib/stats.ts';
import type { Summary } from './lib/stats.ts';

export type ShiftFaultsOptions = {
  /** Shifts under faults, over all lanes. Default 200. */
  shifts: number;
  /** Fault-free shifts, over all lanes. Default 50. */
  cleanShifts: number;
  /** Simulators (and shifters) running side by side. Default 10. */
  lanes: number;
  /** Backoff: ceiling of the first wait, ms. Default 200 (production). */
  baseMs: number;
  /** Backoff: largest ceiling, ms. Default 20000 (production). */
  capMs: number;
  /** How long the simulator keeps the group UPDATE_IN_PROGRESS after an update, ms. Default 0. */
  updateWindowMs: number;
  /** Seeds the faults (lane `i` uses `seed + i`), the targets and the jitter. Default 1. */
  seed: number;
};

export const SHIFT_FAULTS_DEFAULTS: ShiftFaultsOptions = {
  shifts: 200,
  cleanShifts: 50,
  lanes: 10,
  baseMs: 200,
  capMs: 20_000,
  updateWindowMs: 0,
  seed: 1,
};

/** The rates of issue 11 (the AWS sample's chaos tests). */
export const CAMPAIGN_RATES = { throttle: 0.3, conflict: 0.1, internal: 0.1, reset: 0.05 } as const;

/** Issue 11's target for the p99 time to a verified split at those rates. */
const P99_TARGET_MS = 15_000;

export const SCENARIOS = ['faults', 'clean'] as const;
export type Scenario = (typeof SCENARIOS)[number];

interface ShiftSample {
  ms: number;
  puts: number;
  requests: number;
  faulted: number;
  /** Why the shift failed, when it did (it then counts its time to the failure). */
  error?: string;
}

/** One run of both scenarios (defaults: {@link SHIFT_FAULTS_DEFAULTS}). */
export async function runShiftFaults(options: Partial<ShiftFaultsOptions> = {}): Promise<BenchResult> {
  const settings = { ...SHIFT_FAULTS_DEFAULTS, ...options };
  const samples = {} as Record<Scenario, ShiftSample[]>;
  for (const scenario of SCENARIOS) {
    const total = scenario === 'faults' ? settings.shifts : settings.cleanShifts;
    const lanes = Math.max(1, Math.min(settings.lanes, total));
    const perLane = Array.from({ length: lanes }, (_, i) => Math.floor(total / lanes) + (i < total % lanes ? 1 : 0));
    const results = await Promise.all(perLane.map((count, lane) => runLane(scenario, lane, count, settings)));
    samples[scenario] = results.flat();
  }

  const figures: Figure[] = [];
  const details: Record<string, unknown> = { ...settings, rates: CAMPAIGN_RATES, deadlineMs: 120_000 };
  for (const scenario of SCENARIOS) {
    const s = samples[scenario];
    const ms = summarize(s.map((x) => x.ms));
    const puts = summarize(s.map((x) => x.puts));
    const requests = s.reduce((n, x) => n + x.requests, 0);
    const faulted = s.reduce((n, x) => n + x.faulted, 0);
    const failed = s.filter((x) => x.error !== undefined);
    const spread = { low: round(ms.min), high: round(ms.max), over: `${s.length} shifts` };
    figures.push(
      {
        key: `${scenario}.p50`,
        label: `${scenario}: time to a verified split, p50`,
        value: round(ms.p50),
        unit: 'ms',
        spread,
      },
      {
        key: `${scenario}.p99`,
        label: `${scenario}: time to a verified split, p99`,
        value: round(ms.p99),
        unit: 'ms',
        spread,
        ...(scenario === 'faults' ? { target: { op: '<=' as const, value: P99_TARGET_MS } } : {}),
      },
      {
        key: `${scenario}.failed`,
        label: `${scenario}: shifts not verified`,
        value: failed.length,
        unit: 'shifts',
        target: { op: '==', value: 0 },
      },
    );
    details[scenario] = {
      shifts: s.length,
      ms: roundAll(ms),
      puts: roundAll(puts),
      requestsPerShift: round(requests / Math.max(1, s.length)),
      faultedShare: round(faulted / Math.max(1, requests)),
      failures: failed.map((x) => x.error),
    };
  }
  return { name: 'shift-faults', figures, details };
}

async function runLane(
  scenario: Scenario,
  lane: number,
  count: number,
  settings: ShiftFaultsOptions,
): Promise<ShiftSample[]> {
  const regions = { primary: 'us-east-1', replica: 'us-west-2' };
  const connect = await startConnectSimulator({
    accountId: BENCH_ACCOUNT,
    tdgId: BENCH_TDG_ID,
    homeRegion: regions.primary,
    otherRegion: regions.replica,
    updateWindowMs: settings.updateWindowMs,
  });
  const api = new ConnectTrafficApi({
    tdg: { id: connect.tdgId, arn: connect.tdgArn, region: regions.primary },
    regions,
    endpoint: connect.endpoint,
    credentials: BENCH_CREDENTIALS,
  });
  const seed = settings.seed * 1000 + lane;
  const shifter = new TrafficShifter({
    api,
    shiftAgents: true,
    backoff: { baseMs: settings.baseMs, capMs: settings.capMs, random: mulberry32(seed * 7) },
  });
  const pick = mulberry32(seed * 13);
  const samples: ShiftSample[] = [];
  try {
    if (scenario === 'faults') connect.faults.random({ seed, rates: CAMPAIGN_RATES });
    let target = 100;
    for (let i = 0; i < count; i++) {
      target = nextTarget(pick, target);
      const before = connect.requests.length;
      const t0 = performance.now();
      let error: string | undefined;
      try {
        await shifter.shift(target, new AbortController().signal);
      } catch (err) {
        error = `lane ${lane} shift ${i}: ${(err as Error).message}`;
      }
      const ms = performance.now() - t0;
      const requests = connect.requests.slice(before);
      if (error === undefined && connect.state().telephony[regions.primary] !== target) {
        error = `lane ${lane} shift ${i}: verified, but the simulator shows ${connect.state().telephony[regions.primary]}% on the primary, not ${target}%`;
      }
      samples.push({
        ms,
        puts: requests.filter((r) => r.operation === 'UpdateTrafficDistribution').length,
        requests: requests.length,
        faulted: requests.filter((r) => r.fault !== undefined).length,
        ...(error === undefined ? {} : { error }),
      });
    }
    return samples;
  } finally {
    api.destroy();
    await connect.stop();
  }
}

/** A multiple of 10 other than `previous`. */
function nextTarget(random: () => number, previous: number): number {
  for (;;) {
    const target = Math.floor(random() * 11) * 10;
    if (target !== previous) return target;
  }
}

function roundAll(s: Summary): Record<string, number> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v)]));
}

export const shiftFaults: Benchmark<ShiftFaultsOptions> = {
  name: 'shift-faults',
  title: 'Time to a verified split under sustained Connect faults',
  method:
    '`TrafficShifter` + `ConnectTrafficApi` against the Connect simulator over HTTP, real time, production backoff (full jitter, base ' +
    "200 ms, cap 20 s) and deadline (120 s), simulator update window 0 (Connect's own update time would add to both scenarios). " +
    '`faults`: 200 shifts, every Connect request faulted at random (seeded) at 30 % 429, 10 % 409, 10 % 500, 5 % connection reset ' +
    "(the rates of the AWS sample's chaos tests); `clean`: 50 shifts without faults. Each shift goes to a different multiple of 10 and " +
    'is timed from the call to the verified result; shifts run in 10 lanes side by side, each with its own simulator.',
  defaults: SHIFT_FAULTS_DEFAULTS,
  runs: 1,
  run: runShiftFaults,
  details: (results) => {
    const r = results[results.length - 1]!;
    return mdTable(
      [
        'scenario',
        'shifts',
        'ms to verified p50 / p95 / p99 / max',
        'PUTs median / max',
        'requests per shift',
        'requests faulted',
        'not verified',
      ],
      SCENARIOS.map((s) => {
        const d = r.details[s] as {
          shifts: number;
          ms: Summary;
          puts: Summary;
          requestsPerShift: number;
          faultedShare: number;
          failures: string[];
        };
        return [
          s,
          d.shifts,
          `${d.ms.p50} / ${d.ms.p95} / ${d.ms.p99} / ${d.ms.max}`,
          `${d.puts.p50} / ${d.puts.max}`,
          d.requestsPerShift,
          `${Math.round(d.faultedShare * 100)} %`,
          d.failures.length,
        ];
      }),
    );
  },
};

runCliIfMain(shiftFaults);
