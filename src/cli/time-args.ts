/** Time arguments of the CLI (`--since`, `--until`, `--timeout`): parsed once, with messages that say what is accepted. */
import { parseDuration } from '../config/duration.ts';
import { MalformedMessageError, UsageError } from '../errors.ts';
import { parseTimestamp } from '../events/timestamp.ts';

const DAY_MS = 86_400_000;

/** `30d`, `12h`, `90m` … before `now`, or an ISO 8601 time; anything else is a usage error naming `flag`. */
export function pointInTime(text: string, now: number, flag: string): number {
  const ago = spanOrUndefined(text);
  if (ago !== undefined) return now - ago;
  try {
    return parseTimestamp(text, flag);
  } catch (error) {
    if (!(error instanceof MalformedMessageError)) throw error;
    throw new UsageError(
      `${flag} ${JSON.stringify(text)} is neither a duration like 30d or 12h nor an ISO 8601 time like 2026-10-01T00:00:00Z`,
    );
  }
}

/** A duration (`30m`, `2h`, `1d`); anything else is a usage error naming `flag`. */
export function span(text: string, flag: string): number {
  const ms = spanOrUndefined(text);
  if (ms === undefined) throw new UsageError(`${flag} ${JSON.stringify(text)} is not a duration like 30m, 2h or 1d`);
  return ms;
}

/** The config's durations (`250ms` … `1h`), plus whole or decimal days, which history windows need. */
export function spanOrUndefined(text: string): number | undefined {
  const days = /^(\d+(?:\.\d+)?)d$/.exec(text);
  if (days) return Math.round(Number(days[1]) * DAY_MS);
  return parseDuration(text);
}
