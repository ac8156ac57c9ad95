/**
 * The backtest's errors. They live beside the backtest rather than in `src/errors.ts` only because that
 * file is shared; both extend its hierarchy, so the CLI maps them to exit codes like any other.
 */
import { ConnectFailoverError, UsageError } from '../errors.ts';

/**
 * The alarm history given to `backtest` is not the JSON of `DescribeAlarmHistory`. A usage error (exit 2):
 * nothing was replayed, and the user has to give other input. `path` names the item and field, e.g.
 * `AlarmHistoryItems[4].HistoryData.newState.stateValue` (with `document 2: ` before it when several
 * documents were given).
 */
export class MalformedHistoryError extends UsageError {
  readonly source: string;
  readonly path: string;

  constructor(source: string, path: string, problem: string, options: { cause?: unknown } = {}) {
    super(`malformed alarm history in ${source}: ${path ? `${path}: ` : ''}${problem}`, options);
    this.source = source;
    this.path = path;
  }
}

/**
 * `DescribeAlarmHistory` failed while fetching an alarm's history (`--from-cloudwatch`). Wrapped once, at
 * the SDK boundary, keeping the alarm, the Region, the error code and the SDK error as `cause`.
 */
export class AlarmHistoryFetchError extends ConnectFailoverError {
  readonly alarm: string;
  readonly region: string;
  /** The CloudWatch error name (`AccessDenied`, `InvalidNextToken`, …) or the network error code. */
  readonly code: string;

  constructor(
    alarm: string,
    region: string,
    code: string,
    message: string,
    options: { retryable: boolean; cause?: unknown },
  ) {
    super(`DescribeAlarmHistory for ${alarm} in ${region}: ${message}`, options);
    this.alarm = alarm;
    this.region = region;
    this.code = code;
  }
}
