/**
 * The backtest's report as programs read it (`--json`): times as ISO 8601, durations in milliseconds
 * (`…Ms`). The text rendering is made from this same object, so both always say the same.
 */
import type { FailoverPolicy } from '../../state-machines/index.ts';
import { formatDuration } from '../config/duration.ts';
import type { ReplayResult } from './replay.ts';

/** Where the history came from and what of it was used; shared by a baseline and its variant. */
export interface HistoryInput {
  /** A file name, `standard input`, or `DescribeAlarmHistory`. */
  source: string;
  /** History items read, of any type. */
  items: number;
  stateUpdates: number;
  /** Items of other types (configuration updates, actions): skipped. */
  otherItems: number;
  /** Recorded alarms that are not signals, with their number of state changes. */
  ignoredAlarms: Array<{ alarm: string; changes: number }>;
  /** Assumptions and gaps the reader should know about. */
  notes: string[];
}

/** One policy's outcome. */
export interface PolicyReport {
  /** The policy replayed, durations written as in the config. */
  policy: Record<string, unknown>;
  window: { from: string; to: string };
  /** Each signal's state when the window opened (absent: unknown, which holds recovery back). */
  initialSignals: Record<string, string>;
  /** State changes of configured signals that were replayed. */
  signalChanges: number;
  /** When the assumed operator acts: once every primary signal has been OK this long; null: never. */
  operatorAfter: string | null;
  shifts: Array<{
    at: string;
    from: string;
    to: string;
    primaryPercent: number;
    trigger: string;
    reason: string;
    alarms: string[];
  }>;
  suspensions: Array<{ at: string; resumedAt: string | null; reason: string; alarms: string[] }>;
  blocked: Array<{ at: string; until: string | null; kind: string; wanted: string; message: string; alarms: string[] }>;
  operatorActions: Array<{ at: string; action: string; okSince: string; accepted: boolean; detail: string }>;
  episodes: Array<{
    start: string;
    end: string | null;
    worst: string;
    degradedMs: number;
    failedOverMs: number;
    durationMs: number;
  }>;
  summary: ReplayResult['summary'] & { operatorFailbacks: number; operatorResumes: number };
  final: ReplayResult['final'];
}

/** `backtest --json` without `--set`. */
export type BacktestReport = { input: HistoryInput } & PolicyReport;

/** `backtest --json` with `--set`: the config's own policy and the variant, each a full report. */
export interface ComparisonReport {
  input: HistoryInput;
  baseline: PolicyReport;
  variant: PolicyReport & { set: Record<string, string> };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function policyReport(
  result: ReplayResult,
  context: {
    policy: FailoverPolicy;
    initial: ReadonlyArray<{ alarm: string; value: string }>;
    signalChanges: number;
    operatorAfterMs: number | null;
  },
): PolicyReport {
  const operator = (action: string) => result.operatorActions.filter((a) => a.action === action && a.accepted).length;
  return {
    policy: readablePolicy(context.policy),
    window: { from: iso(result.start), to: iso(result.end) },
    initialSignals: Object.fromEntries(context.initial.map((r) => [r.alarm, r.value])),
    signalChanges: context.signalChanges,
    operatorAfter: context.operatorAfterMs === null ? null : formatDuration(context.operatorAfterMs),
    shifts: result.shifts.map((s) => ({ ...s, at: iso(s.at) })),
    suspensions: result.suspensions.map((s) => ({
      at: iso(s.at),
      resumedAt: isoOrNull(s.resumedAt),
      reason: s.reason,
      alarms: s.alarms,
    })),
    blocked: result.blocked.map((b) => ({ ...b, at: iso(b.at), until: isoOrNull(b.until) })),
    operatorActions: result.operatorActions.map((a) => ({ ...a, at: iso(a.at), okSince: iso(a.okSince) })),
    episodes: result.episodes.map((e) => ({
      start: iso(e.start),
      end: isoOrNull(e.end),
      worst: e.worst,
      degradedMs: e.degradedMs,
      failedOverMs: e.failedOverMs,
      durationMs: e.durationMs,
    })),
    summary: { ...result.summary, operatorFailbacks: operator('failback'), operatorResumes: operator('resume') },
    final: result.final,
  };
}

/** The policy with `…Ms` durations written back as `5m`-style strings under their config names. */
function readablePolicy(policy: FailoverPolicy): Record<string, unknown> {
  const readable = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(readable);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) =>
        key.endsWith('Ms') && typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
          ? [key.slice(0, -2), formatDuration(v)]
          : [key, readable(v)],
      ),
    );
  };
  return readable(policy) as Record<string, unknown>;
}
