/**
 * From an alarm history to the statechart's input: which recorded alarms are configured signals (by the
 * key the config gives them), what state each signal was in when the window opened, and what is ignored.
 */
import { alarmNameOf } from '../aws/identifiers.ts';
import type { AlarmValue, Signals } from '../config/types.ts';
import type { HistoryStateChange } from './history-format.ts';
import type { SignalChange } from './replay.ts';

export interface SignalChanges {
  changes: SignalChange[];
  /** Each signal's state before its first recorded change (the change's `oldState`). */
  initial: Array<{ alarm: string; value: AlarmValue }>;
  /** Configured signals with no recorded change: their state throughout the window is not in the history. */
  unrecorded: string[];
  /** Recorded alarms that are not signals, with how many changes each had (not replayed). */
  ignored: Array<{ alarm: string; changes: number }>;
  /** Earliest and latest change of any alarm, signal or not: the span the history covers. */
  span: { from: number; to: number } | undefined;
}

/**
 * Matches recorded changes to signals by alarm name. A history item names its alarm but not its Region or
 * account, so an ARN entry matches by the name in the ARN; the config allows one role per alarm name, so
 * this is unambiguous.
 */
export function signalChanges(recorded: readonly HistoryStateChange[], signals: Signals): SignalChanges {
  const keyByName = new Map<string, string>();
  for (const key of [...signals.degraded, ...signals.critical, ...signals.replicaUnhealthy])
    keyByName.set(alarmNameOf(key), key);
  const changes: SignalChange[] = [];
  const ignored = new Map<string, number>();
  const first = new Map<string, HistoryStateChange>();
  for (const change of recorded) {
    const key = keyByName.get(change.alarmName);
    if (key === undefined) {
      ignored.set(change.alarmName, (ignored.get(change.alarmName) ?? 0) + 1);
      continue;
    }
    changes.push({ alarm: key, value: change.to, at: change.at });
    const earliest = first.get(key);
    if (earliest === undefined || change.at < earliest.at) first.set(key, change);
  }
  const initial = [...first].flatMap(([alarm, change]) =>
    change.from === undefined ? [] : [{ alarm, value: change.from }],
  );
  let span: SignalChanges['span'];
  for (const { at } of recorded)
    span = span === undefined ? { from: at, to: at } : { from: Math.min(span.from, at), to: Math.max(span.to, at) };
  return {
    changes,
    initial,
    unrecorded: [...keyByName.values()].filter((key) => !first.has(key)),
    ignored: [...ignored]
      .map(([alarm, count]) => ({ alarm, changes: count }))
      .sort((a, b) => (a.alarm < b.alarm ? -1 : 1)),
    span,
  };
}
