/**
 * Reads the JSON of `aws cloudwatch describe-alarm-history` (and of the `DescribeAlarmHistory` API):
 * `{"AlarmHistoryItems":[{AlarmName, AlarmType, Timestamp, HistoryItemType, HistorySummary, HistoryData}],
 * "NextToken"?}`, where `HistoryData` is itself a JSON document in a string. Several documents may be given
 * one after the other (`cat a.json b.json`) or as a JSON array. Pure: text in, state changes out.
 */
import type { AlarmValue } from '../config/types.ts';
import { ALARM_VALUES } from '../domain/signals.ts';
import { MalformedMessageError } from '../errors.ts';
import { parseTimestamp } from '../events/timestamp.ts';
import { MalformedHistoryError } from './errors.ts';

/** One state change of one alarm, as the history records it. */
export interface HistoryStateChange {
  alarmName: string;
  /** `MetricAlarm`, `CompositeAlarm`, … as given; undefined when the item had none. */
  alarmType: string | undefined;
  /** Epoch ms of the new state: `newState.timestamp` when HistoryData has one, else the item's `Timestamp`. */
  at: number;
  /** The state before; undefined when HistoryData has no `oldState`. */
  from: AlarmValue | undefined;
  to: AlarmValue;
  reason: string;
}

/** What a history file holds. */
export interface AlarmHistory {
  /** In the order given (the API gives newest first). */
  changes: HistoryStateChange[];
  /** Items of any type read. */
  items: number;
  /** Items that are not `StateUpdate` (configuration updates, actions): skipped. */
  otherItems: number;
  documents: number;
  /** Things the reader should know, e.g. a document that still had a `NextToken` (more history exists). */
  warnings: string[];
}

/**
 * Parses history text. `source` names it in errors (a file name, or `standard input`).
 * @throws MalformedHistoryError naming the document, item index and field at fault.
 */
export function parseAlarmHistory(text: string, source: string): AlarmHistory {
  return readAlarmHistory(documentsOf(text, source), source);
}

/** Reads already-parsed documents (each `{ AlarmHistoryItems, NextToken? }`). */
export function readAlarmHistory(documents: readonly unknown[], source: string): AlarmHistory {
  const history: AlarmHistory = { changes: [], items: 0, otherItems: 0, documents: documents.length, warnings: [] };
  if (documents.length === 0) throw new MalformedHistoryError(source, '', 'no JSON document found');
  documents.forEach((document, d) => {
    const where = (path: string) => (documents.length > 1 ? `document ${d + 1}: ${path}` : path);
    if (!isObject(document) || !Array.isArray(document.AlarmHistoryItems)) {
      throw new MalformedHistoryError(
        source,
        where('AlarmHistoryItems'),
        'expected the output of describe-alarm-history: an object with an AlarmHistoryItems list',
      );
    }
    if (typeof document.NextToken === 'string' && document.NextToken !== '') {
      history.warnings.push(
        `${where('NextToken')} is set: the API had more history than this document holds (fetch every page, or use --from-cloudwatch)`,
      );
    }
    document.AlarmHistoryItems.forEach((item: unknown, i) => {
      history.items += 1;
      const change = readItem(item, (field) => where(`AlarmHistoryItems[${i}]${field ? `.${field}` : ''}`), source);
      if (change === undefined) history.otherItems += 1;
      else history.changes.push(change);
    });
  });
  return history;
}

/** A state change, or undefined for an item of another type. */
function readItem(item: unknown, at: (field: string) => string, source: string): HistoryStateChange | undefined {
  const fail = (field: string, problem: string, cause?: unknown): never => {
    throw new MalformedHistoryError(source, at(field), problem, { cause });
  };
  if (!isObject(item)) return fail('', `expected an object, got ${kindOf(item)}`);
  if (typeof item.HistoryItemType !== 'string')
    return fail('HistoryItemType', `expected a string such as "StateUpdate", got ${kindOf(item.HistoryItemType)}`);
  if (item.HistoryItemType !== 'StateUpdate') return undefined;
  if (typeof item.AlarmName !== 'string' || item.AlarmName === '')
    return fail('AlarmName', `expected the alarm's name, got ${kindOf(item.AlarmName)}`);
  const timestamp = readTime(item.Timestamp, 'Timestamp', fail);

  let data: unknown = item.HistoryData;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch (error) {
      return fail('HistoryData', `is not a JSON document (${(error as Error).message})`, error);
    }
  }
  if (!isObject(data))
    return fail('HistoryData', `expected a JSON document with oldState and newState, got ${kindOf(data)}`);
  const newState = data.newState;
  if (!isObject(newState))
    return fail('HistoryData.newState', `expected an object with stateValue, got ${kindOf(newState)}`);
  const to = readValue(newState.stateValue, 'HistoryData.newState.stateValue', fail);
  let from: AlarmValue | undefined;
  if (data.oldState !== undefined) {
    if (!isObject(data.oldState))
      return fail('HistoryData.oldState', `expected an object with stateValue, got ${kindOf(data.oldState)}`);
    from = readValue(data.oldState.stateValue, 'HistoryData.oldState.stateValue', fail);
  }
  // The item's Timestamp is when CloudWatch recorded the change; a state timestamp, where given, is the
  // alarm-state time the controller orders events by.
  const stateAt =
    newState.timestamp === undefined ? undefined : readTime(newState.timestamp, 'HistoryData.newState.timestamp', fail);
  return {
    alarmName: item.AlarmName,
    alarmType: typeof item.AlarmType === 'string' ? item.AlarmType : undefined,
    at: stateAt ?? timestamp,
    from,
    to,
    reason:
      typeof newState.stateReason === 'string'
        ? newState.stateReason
        : typeof item.HistorySummary === 'string'
          ? item.HistorySummary
          : '',
  };
}

type Fail = (field: string, problem: string, cause?: unknown) => never;

/**
 * The CLI prints ISO 8601 (`2026-10-03T09:14:07.512000+00:00`), the API's wire form is epoch seconds, and
 * alarm-state timestamps use `+0000`: all three are accepted.
 */
function readTime(value: unknown, field: string, fail: Fail): number {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0
      ? Math.round(value * 1000)
      : fail(field, `${value} is not a time (epoch seconds)`);
  }
  try {
    return parseTimestamp(value, field);
  } catch (error) {
    if (error instanceof MalformedMessageError) return fail(field, error.message.slice(field.length + 2), error);
    throw error;
  }
}

function readValue(value: unknown, field: string, fail: Fail): AlarmValue {
  if (typeof value === 'string' && (ALARM_VALUES as readonly string[]).includes(value)) return value as AlarmValue;
  return fail(field, `${JSON.stringify(value) ?? 'nothing'} is not OK, ALARM or INSUFFICIENT_DATA`);
}

/** The documents in `text`: one JSON value, a JSON array of documents, or several values one after another. */
function documentsOf(text: string, source: string): unknown[] {
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch (error) {
    const parts = splitJsonValues(text);
    // Only documents (objects or arrays) are worth splitting; anything else is one broken text.
    if (parts.length <= 1 || parts.some((part) => !/^[[{]/.test(part)))
      throw new MalformedHistoryError(source, '', `not JSON (${(error as Error).message})`, { cause: error });
    return parts.map((part, i) => {
      try {
        return JSON.parse(part) as unknown;
      } catch (partError) {
        throw new MalformedHistoryError(source, `document ${i + 1}`, `not JSON (${(partError as Error).message})`, {
          cause: partError,
        });
      }
    });
  }
  return Array.isArray(whole) ? whole : [whole];
}

/** Cuts concatenated JSON values apart at the end of each top-level value (strings and escapes respected). */
function splitJsonValues(text: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') {
        inString = true;
      } else if (c === '{' || c === '[') {
        depth++;
      } else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      } else if (depth === 0 && /\s/.test(c!)) {
        break;
      }
    }
    parts.push(text.slice(start, i));
  }
  return parts;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
