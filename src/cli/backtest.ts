import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describeSettings, loadVariant, parseSetting } from '../backtest/policy-variant.ts';
import { renderComparison, renderReport } from '../backtest/render-text.ts';
import { runBacktest } from '../backtest/run-backtest.ts';
import type { HistorySource } from '../backtest/run-backtest.ts';
import { resolveConfigPath } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import { policyOf } from '../domain/policy.ts';
import { UsageError } from '../errors.ts';
import { loadCommandConfig, print } from './common.ts';
import type { ConfigOption } from './common.ts';
import { pointInTime, span } from './time-args.ts';

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

/**
 * `backtest -c FILE --history FILE|- | --from-cloudwatch [--since 30d] [--until WHEN] [--set key=value …]
 * [--operator-after DURATION | --no-operator] [--json]`: replays recorded alarm state changes through this
 * config's policy (and a variant's) and prints what the controller would have done. Calls nothing on
 * Connect; with `--from-cloudwatch` it calls only DescribeAlarmHistory and DescribeAlarms.
 */
export async function backtestCommand(options: BacktestOptions): Promise<void> {
  if (Boolean(options.history) === Boolean(options.fromCloudwatch)) {
    throw new UsageError(
      'backtest needs the history: --history FILE (- for standard input) or --from-cloudwatch, one of the two',
    );
  }
  if (options.since !== undefined && !options.fromCloudwatch) {
    throw new UsageError(
      '--since applies to --from-cloudwatch; a history file covers the time it covers (use --until to end the window)',
    );
  }
  if (options.operatorAfter !== undefined && options.operator === false)
    throw new UsageError('--operator-after and --no-operator contradict each other');
  const settings = (options.set ?? []).map(parseSetting);
  const now = Date.now();
  const until = options.until === undefined ? undefined : pointInTime(options.until, now, '--until');
  const config = await loadCommandConfig(options);
  const variant = settings.length === 0 ? undefined : await loadVariantConfig(options, settings, config);
  const operatorAfterMs =
    options.operator === false
      ? null
      : options.operatorAfter === undefined
        ? config.timing.recoverAfterMs
        : span(options.operatorAfter, '--operator-after');

  const history: HistorySource = options.fromCloudwatch
    ? cloudWatchWindow(pointInTime(options.since ?? DEFAULT_SINCE, now, '--since'), until ?? now)
    : await readHistoryText(options.history!);

  const result = await runBacktest({
    config,
    variant: variant
      ? { config: variant.config, set: Object.fromEntries(settings.map((s) => [s.key, s.text])) }
      : undefined,
    history,
    until,
    now,
    operatorAfterMs,
  });
  if (result.kind === 'report')
    print(options.json ? JSON.stringify(result.report, null, 2) : renderReport(result.report));
  else print(options.json ? JSON.stringify(result.comparison, null, 2) : renderComparison(result.comparison));
}

async function loadVariantConfig(
  options: BacktestOptions,
  settings: ReturnType<typeof parseSetting>[],
  baseline: Config,
) {
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

/** The history file's text (`-`: standard input); a file that cannot be read is a usage error. */
async function readHistoryText(file: string): Promise<HistorySource> {
  const source = file === '-' ? 'standard input' : file;
  try {
    return { kind: 'text', text: file === '-' ? await readStdin() : await readFile(file, 'utf8'), source };
  } catch (error) {
    throw new UsageError(`cannot read history file ${file}: ${readFailure(error)}`, { cause: error });
  }
}

/** The `--from-cloudwatch` window; one that ends before it starts is a usage error. */
function cloudWatchWindow(since: number, until: number): HistorySource {
  if (since >= until)
    throw new UsageError(
      `--since ${new Date(since).toISOString()} is not before the end of the window (${new Date(until).toISOString()})`,
    );
  return { kind: 'cloudwatch', since, until };
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
