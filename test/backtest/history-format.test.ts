import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { MalformedHistoryError } from '../../src/backtest/errors.ts';
import { parseAlarmHistory } from '../../src/backtest/history-format.ts';
import { signalChanges } from '../../src/backtest/signal-changes.ts';
import { UsageError } from '../../src/errors.ts';
import { HISTORY_FIXTURE, exampleConfig, recordedMonth, t } from './fixture.ts';

/** One StateUpdate item as the AWS CLI prints it. */
function item(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    AlarmName: 'connect-primary-outage',
    AlarmType: 'CompositeAlarm',
    Timestamp: '2026-10-11T14:04:10.880000+00:00',
    HistoryItemType: 'StateUpdate',
    HistorySummary: 'Alarm updated from OK to ALARM',
    HistoryData: JSON.stringify({
      version: '1.0',
      oldState: { stateValue: 'OK', stateReason: 'was fine' },
      newState: { stateValue: 'ALARM', stateReason: 'child in ALARM' },
      ...data,
    }),
    ...overrides,
  };
}

const doc = (...items: unknown[]) => JSON.stringify({ AlarmHistoryItems: items });

function failure(text: string): MalformedHistoryError {
  try {
    parseAlarmHistory(text, 'history.json');
  } catch (error) {
    if (error instanceof MalformedHistoryError) return error;
    throw error;
  }
  throw new Error('expected the history to be refused');
}

describe('reading describe-alarm-history output', () => {
  it('reads every state change of the recorded month and skips actions and configuration updates', async () => {
    // Act
    const history = await recordedMonth();

    // Assess
    expect({
      items: history.items,
      changes: history.changes.length,
      other: history.otherItems,
      documents: history.documents,
    }).toEqual({
      items: 42,
      changes: 30,
      other: 12,
      documents: 1,
    });
    // Newest first, as the API returns them.
    expect(history.changes[0]).toEqual({
      alarmName: 'connect-queue-wait-time-high',
      alarmType: 'MetricAlarm',
      at: t('2026-10-28T17:05:02.011Z'),
      from: 'ALARM',
      to: 'OK',
      reason: expect.stringMatching(/^Threshold Crossed: 2 out of the last 2 datapoints/),
    });
    expect(history.warnings).toEqual([]);
  });

  it('matches changes to signals by alarm name, counts the rest as ignored, and takes each signal’s first oldState', async () => {
    // Prepare
    const config = await exampleConfig();
    const history = await recordedMonth();

    // Act
    const matched = signalChanges(history.changes, config.signals);

    // Assess
    expect(matched.changes).toHaveLength(24);
    expect(matched.ignored).toEqual([{ alarm: 'connect-queue-wait-time-high', changes: 6 }]);
    expect(matched.initial.sort((a, b) => a.alarm.localeCompare(b.alarm))).toEqual([
      { alarm: 'connect-primary-elevated-errors', value: 'OK' },
      { alarm: 'connect-primary-outage', value: 'OK' },
      { alarm: 'connect-replica-outage', value: 'OK' },
    ]);
    expect(matched.unrecorded).toEqual([]);
    expect(matched.span).toEqual({ from: t('2026-10-01T03:12:44.120Z'), to: t('2026-10-28T17:05:02.011Z') });
  });

  it('matches a signal given as an ARN by the alarm name in the ARN', async () => {
    // Prepare
    const config = await exampleConfig((text) =>
      text.replace(
        'critical: [connect-primary-outage]',
        'critical: [arn:aws:cloudwatch:us-east-1:111122223333:alarm:connect-primary-outage]',
      ),
    );

    // Act
    const matched = signalChanges(parseAlarmHistory(doc(item()), 'history.json').changes, config.signals);

    // Assess
    expect(matched.changes).toEqual([
      {
        alarm: 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:connect-primary-outage',
        value: 'ALARM',
        at: t('2026-10-11T14:04:10.880Z'),
      },
    ]);
  });

  it('accepts several documents one after another or as a JSON array, as when histories are fetched per alarm', async () => {
    // Prepare
    const text = await readFile(HISTORY_FIXTURE, 'utf8');
    const one = parseAlarmHistory(text, 'one');

    // Act
    const concatenated = parseAlarmHistory(`${text}\n${doc(item())}`, 'concatenated');
    const array = parseAlarmHistory(`[${text}, ${doc(item())}]`, 'array');

    // Assess
    expect(concatenated.documents).toBe(2);
    expect(concatenated.changes).toHaveLength(one.changes.length + 1);
    expect(array.changes).toEqual(concatenated.changes);
  });

  it('takes epoch seconds (the API wire form), +0000 offsets, and a timestamp in newState over the item’s', () => {
    // Act
    const history = parseAlarmHistory(
      doc(
        item({ Timestamp: 1_791_727_450.88 }),
        item({ Timestamp: '2026-10-11T14:04:10.880+0000' }),
        item({}, { newState: { stateValue: 'ALARM', stateReason: 'x', timestamp: '2026-10-11T14:04:09.001+0000' } }),
      ),
      'history.json',
    );

    // Assess
    expect(history.changes.map((c) => new Date(c.at).toISOString())).toEqual([
      '2026-10-11T14:04:10.880Z',
      '2026-10-11T14:04:10.880Z',
      '2026-10-11T14:04:09.001Z',
    ]);
  });

  it('warns when a document still has a NextToken: the file holds only part of the history', () => {
    // Act
    const history = parseAlarmHistory(
      JSON.stringify({ AlarmHistoryItems: [item()], NextToken: 'abc' }),
      'history.json',
    );

    // Assess
    expect(history.warnings).toEqual([expect.stringContaining('NextToken is set')]);
  });
});

describe('malformed history', () => {
  it('is a usage error (exit 2) that names the item index and the field', () => {
    // Act
    const error = failure(doc(item(), item({}, { newState: { stateValue: 'GREEN' } })));

    // Assess
    expect(error).toBeInstanceOf(UsageError);
    expect(error.path).toBe('AlarmHistoryItems[1].HistoryData.newState.stateValue');
    expect(error.message).toBe(
      'malformed alarm history in history.json: AlarmHistoryItems[1].HistoryData.newState.stateValue: "GREEN" is not OK, ALARM or INSUFFICIENT_DATA',
    );
  });

  it.each([
    [
      'HistoryData that is not JSON',
      item({ HistoryData: '{"version":' }),
      'AlarmHistoryItems[0].HistoryData',
      /is not a JSON document/,
    ],
    [
      'no alarm name',
      item({ AlarmName: undefined }),
      'AlarmHistoryItems[0].AlarmName',
      /expected the alarm's name, got nothing/,
    ],
    [
      'a timestamp that is not a time',
      item({ Timestamp: 'yesterday' }),
      'AlarmHistoryItems[0].Timestamp',
      /"yesterday" is not an ISO-8601 timestamp/,
    ],
    [
      'a date that does not exist',
      item({ Timestamp: '2026-02-30T00:00:00Z' }),
      'AlarmHistoryItems[0].Timestamp',
      /day 30 does not exist/,
    ],
    [
      'no newState',
      item({ HistoryData: '{"version":"1.0"}' }),
      'AlarmHistoryItems[0].HistoryData.newState',
      /expected an object/,
    ],
    [
      'an oldState without a value',
      item({}, { oldState: {} }),
      'AlarmHistoryItems[0].HistoryData.oldState.stateValue',
      /nothing is not OK/,
    ],
    ['an item that is not an object', 'StateUpdate', 'AlarmHistoryItems[0]', /expected an object, got string/],
    ['no item type', item({ HistoryItemType: 7 }), 'AlarmHistoryItems[0].HistoryItemType', /got number 7/],
  ])('%s', (_name, bad, path, problem) => {
    // Act
    const error = failure(doc(bad));

    // Assess
    expect(error.path).toBe(path);
    expect(error.message).toMatch(problem);
  });

  it('names the document when several are given', () => {
    // Act
    const error = failure(`${doc(item())}\n${doc(item(), item({ Timestamp: 'soon' }))}`);

    // Assess
    expect(error.path).toBe('document 2: AlarmHistoryItems[1].Timestamp');
  });

  it('refuses text that is not JSON and JSON that is not describe-alarm-history output', () => {
    // Act
    const notJson = failure('AlarmHistoryItems: []');
    const wrongShape = failure('{"MetricAlarms": []}');

    // Assess
    expect(notJson.message).toMatch(/^malformed alarm history in history.json: not JSON/);
    expect(wrongShape.path).toBe('AlarmHistoryItems');
  });
});
