import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fetchSignalHistory } from '../backtest/cloudwatch-history.ts';
import { parseAlarmHistory, readAlarmHistory } from '../backtest/history-format.ts';
import type { AlarmHistory } from '../backtest/history-format.ts';
import { describeSettings, loadVariant, parseSetting } from '../backtest/policy-variant.ts';
import { renderComparison, renderReport } from '../backtest/render-text.ts';
import { replay } from '../backtest/replay.ts';
import { policyReport } from '../backtest/report.ts';
import type { HistoryInput, PolicyReport } from '../backtest/report.ts';
import { signalChanges } from '../backtest/signal-changes.ts';
import { CloudWatchAlarmReader } from '../cloudwatch/alarm-reader.ts';
import { parseDuration } from '../config/duration.ts';
import { resolveConfigPath } from '../config/load.ts';
import type { AlarmValue, Config } from '../config/types.ts';
import { policyOf } from '../domain/policy.ts';
import { signalRefs } from '../controller/signal-map.ts';
import type { SignalRef } from '../controller/signal-map.ts';
import { MalformedMessageError, UsageError } from '../errors.ts';
import { parseTimestamp } from '../events/timestamp.ts';
import { loadCommandConfig, print } from './common.ts';
import type { ConfigOption } from './common.ts';

export interface BacktestOptions extends ConfigOption {
  history?: string;
  fromCloudwatch?: boolean;
  since?: string;
  until?: string;
  set?: string[];
  operatorAfter?: string;
  /** False with `--no-operator`. */
  operator?: boolean;
  json?: boolean;
}

/** CloudWatch keeps alarm history for 30 days: the default window of `--from-cloudwatch`. */
const DEFAULT_SINCE = '30d';
const DAY_MS = 86_400_000;

/** Where the history came from, and what the replays need from it besides the changes. */
interface LoadedHistory {
  history: AlarmHistory;
  source: string;
  /** The window, when the source fixes it (CloudWatch: StartDate and EndDate). */
  window: { from: number; to: number } | undefined;
  /** The state of signals with no recorded change: assumed OK for a file, read from CloudWatch otherwise. */
  unrecorded: (keys: readonly string[]) => Promise<{ initial: Array<{ alarm: string; value: AlarmValue }>; notes: string[] }>;
}

/**
 * `backtest -c FILE --history FILE|- | --from-cloudwatch [--since 30d] [--until WHEN] [--set key=value …]
 * [--operator-after DURATION | --no-operator] [--json]`: replays recorded alarm state changes through this
 * config's policy (and a variant's) and prints what the controller would have done. Calls nothing on
 * Connect; with `--from-cloudwatch` it calls only DescribeAlarmHistory and DescribeAlarms.
 */
export async function backtestCommand(options: BacktestOptions): Promise<void> {
  if (Boolean(options.history) === Boolean(options.fromCloudwatch)) {
    throw new UsageError('backtest needs the history: --history FILE (- for standard input) or --from-cloudwatch, one of the two');
  }
  if (options.since !== undefined && !options.fromCloudwatch) {
    throw new UsageError('--since applies to --from-cloudwatch; a history file covers the time it covers (use --until to end the window)');
  }
  if (options.operatorAfter !== undefined && options.operator === false) throw new UsageError('--operator-after and --no-operator contradict each other');
  const settings = (options.set ?? []).map(parseSetting);
  const now = Date.now();
  const until = options.until === undefined ? undefined : pointInTime(options.until, now, '--until');
  const config = await loadCommandConfig(options);
  const variant = settings.length === 0 ? undefined : await loadVariantConfig(options, settings, config);
  const operatorAfterMs =
    options.operator === false ? null : options.operatorAfter === undefined ? config.timing.recoverAfterMs : span(options.operatorAfter, '--operator-after');

  const loaded = options.fromCloudwatch
    ? await fromCloudWatch([config, ...(variant ? [variant.config] : [])], pointInTime(options.since ?? DEFAULT_SINCE, now, '--since'), until ?? now)
    : await fromFile(options.history!);

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
    return { report: policyReport(result, { policy, initial, signalChanges: matched.changes.length, operatorAfterMs }), ignored: matched.ignored };
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

  if (other === undefined) {
    const report = { input, ...baseline.report };
    print(options.json ? JSON.stringify(report, null, 2) : renderReport(report));
    return;
  }
  const comparison = {
    input,
    baseline: baseline.report,
    variant: { set: Object.fromEntries(settings.map((s) => [s.key, s.text])), ...other.report },
  };
  print(options.json ? JSON.stringify(comparison, null, 2) : renderComparison(comparison));
}

async function loadVariantConfig(options: BacktestOptions, settings: ReturnType<typeof parseSetting>[], baseline: Config) {
  const file = resolveConfigPath(options.config);
  const text = await readFile(file, 'utf8');
  const loaded = loadVariant(text, settings, { file, baseDir: dirname(resolve(file)) });
  if (isDeepStrictEqual(policyOf(loaded.config), policyOf(baseline))) {
    throw new UsageError(
      `--set ${describeSettings(settings)} leaves the policy as the config has it (the same values, or keys the decisions do not use): nothing to compare`,
    );
  }
  return loaded;
}

async function fromFile(file: string): Promise<LoadedHistory> {
  const source = file === '-' ? 'standard input' : file;
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read history file ${file}: ${readFailure(error)}`, { cause: error });
  }
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
  if (since >= until) throw new UsageError(`--since ${new Date(since).toISOString()} is not before the end of the window (${new Date(until).toISOString()})`);
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
  for (const config of configs) for (const ref of signalRefs(config.signals, config.regions)) if (!refs.has(ref.key)) refs.set(ref.key, ref);
  return [...refs.values()];
}

/** `30d`, `12h`, `90m` … before `now`, or an ISO 8601 time. */
function pointInTime(text: string, now: number, flag: string): number {
  const ago = spanOrUndefined(text);
  if (ago !== undefined) return now - ago;
  try {
    return parseTimestamp(text, flag);
  } catch (error) {
    if (!(error instanceof MalformedMessageError)) throw error;
    throw new UsageError(`${flag} ${JSON.stringify(text)} is neither a duration like 30d or 12h nor an ISO 8601 time like 2026-10-01T00:00:00Z`);
  }
}

function span(text: string, flag: string): number {
  const ms = spanOrUndefined(text);
  if (ms === undefined) throw new UsageError(`${flag} ${JSON.stringify(text)} is not a duration like 30m, 2h or 1d`);
  return ms;
}

/** The config's durations (`250ms` … `1h`), plus whole or decimal days, which history windows need. */
function spanOrUndefined(text: string): number | undefined {
  const days = /^(\d+(?:\.\d+)?)d$/.exec(text);
  if (days) return Math.round(Number(days[1]) * DAY_MS);
  return parseDuration(text);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function readFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}
