import { MalformedMessageError } from '../errors.ts';
import { describeJsonValue } from '../describe-value.ts';
import { kindOf } from './json-path.ts';

// CloudWatch writes `2026-11-28T17:04:40.989+0000`. ECMAScript's date-time format requires `Z` or
// `±HH:MM`, and what `Date.parse` does with anything else is implementation-defined; V8 also rolls
// `02-30` over to March. So the shape and the calendar are checked here, and `Date.parse` only ever
// sees the canonical ECMAScript form.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;
const COMPACT_OFFSET = /([+-])(\d{2})(\d{2})$/;

/**
 * Rewrites a trailing `±HHMM` offset as `±HH:MM` and leaves anything else as it is:
 * `2026-11-28T17:04:40.989+0000` → `2026-11-28T17:04:40.989+00:00`.
 */
export function normalizeTimestampOffset(text: string): string {
  return text.replace(COMPACT_OFFSET, '$1$2:$3');
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Why the fields of a well-shaped timestamp do not name a real instant, or undefined when they do. */
function calendarProblem(parts: number[], offset: string): string | undefined {
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = parts;
  if (month < 1 || month > 12) return `month ${month} does not exist`;
  if (day < 1 || day > daysInMonth(year, month))
    return `day ${day} does not exist in ${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
  if (hour > 23) return `hour ${hour} is out of range`;
  if (minute > 59) return `minute ${minute} is out of range`;
  if (second > 59) return `second ${second} is out of range`;
  const offsetMatch = /^[+-](\d{2}):?(\d{2})$/.exec(offset);
  if (offsetMatch && (Number(offsetMatch[1]) > 23 || Number(offsetMatch[2]) > 59))
    return `offset ${offset} is out of range`;
  return undefined;
}

/**
 * Epoch milliseconds of an ISO-8601 timestamp with a `Z`, `±HH:MM` or `±HHMM` offset and an optional
 * fraction of 1–9 digits (cut to milliseconds). Throws {@link MalformedMessageError} at `path` for
 * anything else, including dates that do not exist (`2026-02-30`).
 */
export function parseTimestamp(value: unknown, path: string): number {
  if (typeof value !== 'string') {
    throw new MalformedMessageError(
      `expected an ISO-8601 timestamp string, got ${kindOf(value)} ${describeJsonValue(value)}`,
      path,
    );
  }
  const match = TIMESTAMP.exec(value);
  if (!match) throw new MalformedMessageError(`${describeJsonValue(value)} is not an ISO-8601 timestamp`, path);
  const [, year, month, day, hour, minute, second, fraction = '', offset = 'Z'] = match;
  const problem = calendarProblem([year, month, day, hour, minute, second].map(Number), offset);
  if (problem)
    throw new MalformedMessageError(`${describeJsonValue(value)} is not an ISO-8601 timestamp (${problem})`, path);
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const canonical = `${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}${normalizeTimestampOffset(offset)}`;
  const epochMs = Date.parse(canonical);
  if (Number.isNaN(epochMs))
    throw new MalformedMessageError(`${describeJsonValue(value)} is not an ISO-8601 timestamp`, path);
  return epochMs;
}
