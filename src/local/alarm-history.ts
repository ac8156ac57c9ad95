/**
 * The CloudWatch simulator's alarm history: what `DescribeAlarmHistory` answers from. Kept per alarm and
 * bounded, as CloudWatch keeps it (for 30 days there; by count here, since simulator clocks are arbitrary).
 */
import type { AlarmDescriptor, AlarmStateRecord } from './alarm-event-sink.ts';

/** The history item types this simulator records (the API also has Action and contributor types). */
export type RecordedHistoryItemType = 'StateUpdate' | 'ConfigurationUpdate';

/** One history item as the simulator holds it. */
export interface AlarmHistoryRecord {
  /** Increases by one per record across all alarms: orders records with equal timestamps. */
  seq: number;
  region: string;
  alarmName: string;
  alarmType: 'MetricAlarm' | 'CompositeAlarm';
  /** Epoch ms. */
  timestamp: number;
  itemType: RecordedHistoryItemType;
  summary: string;
  /** The JSON document CloudWatch puts in `HistoryData`, already a string. */
  data: string;
}

/** Where the previous page stopped: the last record it returned. */
export interface HistoryCursor {
  timestamp: number;
  seq: number;
}

export interface HistoryQuery {
  region: string;
  alarmName?: string | undefined;
  alarmTypes: ReadonlySet<string>;
  itemType?: string | undefined;
  /** Epoch ms, inclusive. */
  start?: number | undefined;
  /** Epoch ms, inclusive. */
  end?: number | undefined;
  /** `TimestampAscending`; the API's default is newest first. */
  ascending: boolean;
  after?: HistoryCursor | undefined;
  limit: number;
}

/** Default number of records kept per alarm; the oldest go first. */
export const DEFAULT_HISTORY_LIMIT = 1000;

export class AlarmHistoryLog {
  private readonly byAlarm = new Map<string, AlarmHistoryRecord[]>();
  private seq = 0;

  constructor(private readonly limitPerAlarm: number = DEFAULT_HISTORY_LIMIT) {}

  /**
   * A state transition, in the shape CloudWatch records it: `stateReasonData` is embedded as JSON (not as a
   * string, unlike DescribeAlarms), and the states carry no timestamp of their own: the item's is the time.
   */
  recordStateUpdate(alarm: AlarmDescriptor, previous: AlarmStateRecord, current: AlarmStateRecord): void {
    const data = { version: '1.0', oldState: historyState(previous), newState: historyState(current) };
    this.push(
      alarm,
      current.timestamp,
      'StateUpdate',
      `Alarm updated from ${previous.value} to ${current.value}`,
      data,
    );
  }

  recordCreated(alarm: AlarmDescriptor, createdAlarm: Record<string, unknown>): void {
    const data = { type: 'Create', version: '1.0', createdAlarm };
    this.push(alarm, alarm.configurationUpdatedAt, 'ConfigurationUpdate', `Alarm "${alarm.name}" created`, data);
  }

  /** One page of the records `query` selects, in scan order, and the cursor of the next page if any. */
  query(query: HistoryQuery): { items: AlarmHistoryRecord[]; next: HistoryCursor | undefined } {
    const order = query.ascending ? 1 : -1;
    const compare = (a: HistoryCursor, b: HistoryCursor) => order * (a.timestamp - b.timestamp || a.seq - b.seq);
    const after = query.after;
    const matching = [...this.byAlarm.values()]
      .flat()
      .filter(
        (r) =>
          r.region === query.region &&
          (query.alarmName === undefined || r.alarmName === query.alarmName) &&
          query.alarmTypes.has(r.alarmType) &&
          (query.itemType === undefined || r.itemType === query.itemType) &&
          (query.start === undefined || r.timestamp >= query.start) &&
          (query.end === undefined || r.timestamp <= query.end) &&
          // A cursor, not an offset: records added between pages do not shift what the next page holds.
          (after === undefined || compare(r, after) > 0),
      )
      .sort(compare);
    const items = matching.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items,
      next:
        matching.length > items.length && last !== undefined ? { timestamp: last.timestamp, seq: last.seq } : undefined,
    };
  }

  private push(
    alarm: AlarmDescriptor,
    timestamp: number,
    itemType: RecordedHistoryItemType,
    summary: string,
    data: unknown,
  ): void {
    const key = `${alarm.region}/${alarm.name}`;
    const records = this.byAlarm.get(key) ?? [];
    this.seq += 1;
    records.push({
      seq: this.seq,
      region: alarm.region,
      alarmName: alarm.name,
      alarmType: alarm.type === 'metric' ? 'MetricAlarm' : 'CompositeAlarm',
      timestamp,
      itemType,
      summary,
      data: JSON.stringify(data),
    });
    if (records.length > this.limitPerAlarm) records.splice(0, records.length - this.limitPerAlarm);
    this.byAlarm.set(key, records);
  }
}

function historyState(state: AlarmStateRecord): Record<string, unknown> {
  return {
    stateValue: state.value,
    stateReason: state.reason,
    // Stored as a JSON string by SetAlarmState (validated there), embedded as an object in the history.
    ...(state.reasonData === undefined ? {} : { stateReasonData: JSON.parse(state.reasonData) as unknown }),
  };
}

/** A history item on the wire (AWS JSON 1.0): the timestamp in epoch seconds. */
export function historyItemWire(record: AlarmHistoryRecord): Record<string, unknown> {
  return {
    AlarmName: record.alarmName,
    AlarmType: record.alarmType,
    Timestamp: record.timestamp / 1000,
    HistoryItemType: record.itemType,
    HistorySummary: record.summary,
    HistoryData: record.data,
  };
}

/** Opaque to callers; names the operation so a DescribeAlarms token is refused here and the reverse. */
export function encodeHistoryToken(cursor: HistoryCursor): string {
  return Buffer.from(
    JSON.stringify({ v: 1, op: 'DescribeAlarmHistory', ts: cursor.timestamp, seq: cursor.seq }),
  ).toString('base64url');
}

/** The cursor in a token this simulator issued, or undefined for anything else. */
export function decodeHistoryToken(token: string): HistoryCursor | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (
      parsed.v === 1 &&
      parsed.op === 'DescribeAlarmHistory' &&
      typeof parsed.ts === 'number' &&
      typeof parsed.seq === 'number'
    ) {
      return { timestamp: parsed.ts, seq: parsed.seq };
    }
  } catch {
    // not one of ours
  }
  return undefined;
}
