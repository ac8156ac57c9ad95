/**
 * The `backtest` use case: replays recorded alarm state changes through a config's policy (and a variant's,
 * to compare) and reports what the controller would have done. Calls nothing on Connect; with CloudWatch as
 * the source it calls only DescribeAlarmHistory and DescribeAlarms.
 */
import { CloudWatchAlarmReader } from '../cloudwatch/alarm-reader.ts';
import type { AlarmValue, Config } from '../config/types.ts';
import { policyOf } from '../domain/policy.ts';
import { signalRefs } from '../domain/signals.ts';
import type { SignalRef } from '../domain/signals.ts';
import { fetchSignalHistory } from './cloudwatch-history.ts';
import { parseAlarmHistory, readAlarmHistory } from './history-format.ts';
import type { AlarmHistory } from './history-format.ts';
import { replay } from './replay.ts';
import { policyReport } from './report.ts';
import type { BacktestReport, ComparisonReport, HistoryInput, PolicyReport } from './report.ts';
import { signalChanges } from './signal-changes.ts';

/** Where the recorded history comes from. */
export type HistorySource =
  /** The JSON of `describe-alarm-history`, already read (from a file or standard input), and what to call it. */
  | { kind: 'text'; text: string; source: string }
  /** Fetched with DescribeAlarmHistory for every signal of the config and the variant, over `[since, until]` (epoch ms). */
  | { kind: 'cloudwatch'; since: number; until: number };

export interface BacktestRequest {
  config: Config;
  /** A variant of the config to compare, and the `--set` texts that made it (shown with its report). */
  variant?: { config: Config; set: Record<string, string> } | undefined;
  history: HistorySource;
  /** End of the replay (epoch ms); default the end of a CloudWatch window, else the last recorded change. */
  until?: number | undefined;
  /** The clock reading the replay starts at when nothing else fixes a start. */
  now: number;
  /** How long after recovery an operator is assumed to fail back or resume; null: never. */
  operatorAfterMs: number | null;
}

/** One report, or the config's and the variant's side by side. */
export type BacktestResult =
  { kind: 'report'; report: BacktestReport } | { kind: 'comparison'; comparison: ComparisonReport };

/** Where the history came from, and what the replays need from it besides the changes. */
interface LoadedHistory {
  history: AlarmHistory;
  source: string;
  /** The window, when the source fixes it (CloudWatch: StartDate and EndDate). */
  window: { from: number; to: number } | undefined;
  /** The state of signals with no recorded change: assumed OK for a file, read from CloudWatch otherwise. */
  unrecorded: (
    keys: readonly string[],
  ) => Promise<{ initial: Array<{ alarm: string; value: AlarmValue }>; notes: string[] }>;
}

/**
 * Replays the history through the config's policy (and the variant's).
 * @throws MalformedHistoryError when the text is not DescribeAlarmHistory JSON; AlarmHistoryFetchError
 *   when CloudWatch cannot be read.
 */
export async function runBacktest(request: BacktestRequest): Promise<BacktestResult> {
  const { config, variant, until, now, operatorAfterMs } = request;
  const loaded =
    request.history.kind === 'cloudwatch'
      ? await fromCloudWatch(
          [config, ...(variant ? [variant.config] : [])],
          request.history.since,
          request.history.until,
        )
      : fromText(request.history.text, request.history.source);

  const notes = [...loaded.history.warnings];
  const run = async (which: Config): Promise<{ report: PolicyReport; ignored: HistoryInput['ignoredAlarms'] }> => {
    const matched = signalChanges(loaded.history.changes, which.signals);
    const filled = await loaded.unrecorded(matched.unrecorded);
    for (const note of filled.notes) if (!notes.includes(note)) notes.push(note);
    const initial = [...matched.initial, ...filled.initial];
    const policy = policyOf(which);
    const start = loaded.window?.from ?? matched.span?.from ?? until ?? now;
    const result = replay({
      policy,
      start,
      end: until ?? loaded.window?.to,
      recordedUntil: matched.span?.to,
      initial,
      changes: matched.changes,
      operatorAfterMs,
    });
    return {
      report: policyReport(result, { policy, initial, signalChanges: matched.changes.length, operatorAfterMs }),
      ignored: matched.ignored,
    };
  };

  const baseline = await run(config);
  const other = variant ? await run(variant.config) : undefined;
  if (loaded.history.changes.length === 0) notes.push('the history holds no state changes: nothing to replay');
  const input: HistoryInput = {
    source: loaded.source,
    items: loaded.history.items,
    stateUpdates: loaded.history.changes.length,
    otherItems: loaded.history.otherItems,
    ignoredAlarms: baseline.ignored,
    notes,
  };
  if (other === undefined || variant === undefined) return { kind: 'report', report: { input, ...baseline.report } };
  return {
    kind: 'comparison',
    comparison: { input, baseline: baseline.report, variant: { set: variant.set, ...other.report } },
  };
}

function fromText(text: string, source: string): LoadedHistory {
  return {
    history: parseAlarmHistory(text, source),
    source,
    window: undefined,
    // A signal that never changed in the history was in one state all along; which one a file cannot say.
    unrecorded: async (keys) => ({
      initial: keys.map((alarm) => ({ alarm, value: 'OK' as const })),
      notes: keys.map((key) => `${key} has no state change in the history: assumed OK throughout`),
    }),
  };
}

async function fromCloudWatch(configs: readonly Config[], since: number, until: number): Promise<LoadedHistory> {
  const refs = uniqueRefs(configs);
  const fetched = await fetchSignalHistory(refs, { since, until });
  return {
    history: readAlarmHistory(fetched.documents, 'DescribeAlarmHistory'),
    source: `DescribeAlarmHistory (${refs.length} signal${refs.length === 1 ? '' : 's'}, ${fetched.requests} request${fetched.requests === 1 ? '' : 's'})`,
    window: { from: since, to: until },
    // No change since the window opened: the state CloudWatch reports now is the state it had all along.
    unrecorded: async (keys) => {
      if (keys.length === 0) return { initial: [], notes: [] };
      const reader = new CloudWatchAlarmReader();
      try {
        const readings = await reader.read(refs.filter((r) => keys.includes(r.key)));
        return {
          initial: readings.flatMap((r) => (r.value === undefined ? [] : [{ alarm: r.key, value: r.value }])),
          notes: readings.map((r) =>
            r.value === undefined
              ? `${r.key} was not found by DescribeAlarms: unknown throughout, which holds recovery back as it would in the controller`
              : `${r.key} has no state change in the window: ${r.value} throughout (its state now)`,
          ),
        };
      } finally {
        reader.destroy();
      }
    },
  };
}

/** Each configured signal once, across the baseline and a variant that may name others. */
function uniqueRefs(configs: readonly Config[]): SignalRef[] {
  const refs = new Map<string, SignalRef>();
  for (const config of configs)
    for (const ref of signalRefs(config.signals, config.regions)) if (!refs.has(ref.key)) refs.set(ref.key, ref);
  return [...refs.values()];
}
