import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  InvalidNextToken,
  ValidationException,
} from '@aws-sdk/client-cloudwatch';
import type { AlarmHistoryItem, DescribeAlarmHistoryCommandInput } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { startCloudWatchSimulator } from '../../src/local/cloudwatch-simulator.ts';
import type { CloudWatchSimulator, CloudWatchSimulatorOptions } from '../../src/local/cloudwatch-simulator.ts';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const START = Date.parse('2026-10-01T00:00:00.000Z');

const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

function manualClock(start = START): { now: () => number; set: (ms: number) => void; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, set: (ms) => void (t = ms), advance: (ms) => void (t += ms) };
}

async function simulator(options: CloudWatchSimulatorOptions = {}): Promise<CloudWatchSimulator> {
  const sim = await startCloudWatchSimulator(options);
  stops.push(() => sim.stop());
  return sim;
}

function cloudWatch(sim: CloudWatchSimulator, region = 'us-east-1'): CloudWatchClient {
  const client = new CloudWatchClient({ region, endpoint: sim.endpoint, credentials, maxAttempts: 1 });
  stops.push(() => client.destroy());
  return client;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

async function pages(
  client: CloudWatchClient,
  input: DescribeAlarmHistoryCommandInput,
  between?: () => Promise<void>,
): Promise<AlarmHistoryItem[][]> {
  const result: AlarmHistoryItem[][] = [];
  let token: string | undefined;
  do {
    const out = await client.send(new DescribeAlarmHistoryCommand({ ...input, NextToken: token }));
    result.push(out.AlarmHistoryItems ?? []);
    token = out.NextToken;
    if (token !== undefined) await between?.();
  } while (token !== undefined);
  return result;
}

describe('DescribeAlarmHistory', () => {
  it('records each transition as a StateUpdate in the API format, newest first, and nothing for a same-state set', async () => {
    // Prepare
    const clock = manualClock();
    const sim = await simulator({ now: clock.now, alarms: [{ name: 'connect-primary-outage', region: 'us-east-1' }] });
    clock.advance(60_000);
    await sim.setAlarmState(
      'us-east-1',
      'connect-primary-outage',
      'ALARM',
      'child in ALARM',
      '{"triggeringAlarms":[]}',
    );
    clock.advance(1_500);
    await sim.setAlarmState('us-east-1', 'connect-primary-outage', 'ALARM', 'still in ALARM');
    clock.advance(600_250);
    await sim.setAlarmState('us-east-1', 'connect-primary-outage', 'OK', 'child OK');

    // Act
    const out = await cloudWatch(sim).send(
      new DescribeAlarmHistoryCommand({ AlarmTypes: ['CompositeAlarm'], HistoryItemType: 'StateUpdate' }),
    );

    // Assess
    const items = out.AlarmHistoryItems ?? [];
    expect(items.map((i) => [i.HistorySummary, i.Timestamp?.getTime()])).toEqual([
      ['Alarm updated from ALARM to OK', START + 661_750],
      ['Alarm updated from OK to ALARM', START + 60_000],
    ]);
    expect(items[1]).toMatchObject({
      AlarmName: 'connect-primary-outage',
      AlarmType: 'CompositeAlarm',
      HistoryItemType: 'StateUpdate',
    });
    expect(JSON.parse(items[1]?.HistoryData ?? '')).toEqual({
      version: '1.0',
      oldState: { stateValue: 'OK', stateReason: 'Initial state set by the CloudWatch simulator' },
      newState: { stateValue: 'ALARM', stateReason: 'child in ALARM', stateReasonData: { triggeringAlarms: [] } },
    });
    expect(out.NextToken).toBeUndefined();
  });

  it('starts each alarm history with its creation, as a ConfigurationUpdate', async () => {
    // Prepare
    const sim = await simulator({
      now: () => START,
      alarms: [{ name: 'errors', region: 'us-east-1', type: 'metric' }],
    });

    // Act
    const out = await cloudWatch(sim).send(new DescribeAlarmHistoryCommand({ AlarmName: 'errors' }));

    // Assess
    const [created] = out.AlarmHistoryItems ?? [];
    expect(created).toMatchObject({
      HistoryItemType: 'ConfigurationUpdate',
      HistorySummary: 'Alarm "errors" created',
      AlarmType: 'MetricAlarm',
    });
    expect(JSON.parse(created?.HistoryData ?? '')).toMatchObject({
      type: 'Create',
      createdAlarm: { AlarmName: 'errors', MetricName: 'ContactFlowFatalErrors' },
    });
  });

  it('returns only metric alarms when AlarmTypes is omitted, as CloudWatch does', async () => {
    // Prepare
    const sim = await simulator({
      alarms: [
        { name: 'composite', region: 'us-east-1' },
        { name: 'metric', region: 'us-east-1', type: 'metric' },
      ],
    });
    await sim.setAlarmState('us-east-1', 'composite', 'ALARM');
    await sim.setAlarmState('us-east-1', 'metric', 'ALARM');
    const client = cloudWatch(sim);

    // Act
    const byDefault = await client.send(new DescribeAlarmHistoryCommand({ HistoryItemType: 'StateUpdate' }));
    const both = await client.send(
      new DescribeAlarmHistoryCommand({
        HistoryItemType: 'StateUpdate',
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
      }),
    );

    // Assess
    expect(byDefault.AlarmHistoryItems?.map((i) => i.AlarmName)).toEqual(['metric']);
    expect(both.AlarmHistoryItems?.map((i) => i.AlarmName).sort()).toEqual(['composite', 'metric']);
  });

  it('pages with NextToken, and a change made between pages neither repeats nor skips an item', async () => {
    // Prepare
    const clock = manualClock();
    const sim = await simulator({ now: clock.now, alarms: [{ name: 'flappy', region: 'us-east-1', type: 'metric' }] });
    for (let i = 0; i < 120; i++) {
      clock.advance(1000);
      await sim.setAlarmState('us-east-1', 'flappy', i % 2 === 0 ? 'ALARM' : 'OK');
    }
    const client = cloudWatch(sim);
    let added = false;

    // Act
    const result = await pages(client, { AlarmName: 'flappy', HistoryItemType: 'StateUpdate' }, async () => {
      if (added) return;
      added = true;
      clock.advance(1000);
      await sim.setAlarmState('us-east-1', 'flappy', 'ALARM');
    });

    // Assess
    expect(result.map((p) => p.length)).toEqual([50, 50, 20]);
    const times = result.flat().map((i) => i.Timestamp?.getTime());
    expect(times).toEqual(Array.from({ length: 120 }, (_, i) => START + (120 - i) * 1000));
  });

  it('filters by StartDate and EndDate (inclusive) and scans oldest first on request, 100 records at most per page', async () => {
    // Prepare
    const clock = manualClock();
    const sim = await simulator({ now: clock.now, alarms: [{ name: 'a', region: 'us-east-1', type: 'metric' }] });
    for (let i = 1; i <= 10; i++) {
      clock.set(START + i * 60_000);
      await sim.setAlarmState('us-east-1', 'a', i % 2 === 1 ? 'ALARM' : 'OK');
    }

    // Act
    const out = await cloudWatch(sim).send(
      new DescribeAlarmHistoryCommand({
        AlarmName: 'a',
        HistoryItemType: 'StateUpdate',
        StartDate: new Date(START + 3 * 60_000),
        EndDate: new Date(START + 6 * 60_000),
        ScanBy: 'TimestampAscending',
        MaxRecords: 100,
      }),
    );

    // Assess
    expect(out.AlarmHistoryItems?.map((i) => (i.Timestamp!.getTime() - START) / 60_000)).toEqual([3, 4, 5, 6]);
  });

  it('keeps the history per alarm bounded, dropping the oldest first', async () => {
    // Prepare
    const clock = manualClock();
    const sim = await simulator({
      now: clock.now,
      historyLimit: 5,
      alarms: [{ name: 'a', region: 'us-east-1', type: 'metric' }],
    });
    for (let i = 1; i <= 9; i++) {
      clock.set(START + i * 1000);
      await sim.setAlarmState('us-east-1', 'a', i % 2 === 1 ? 'ALARM' : 'OK');
    }

    // Act
    const out = await cloudWatch(sim).send(new DescribeAlarmHistoryCommand({ AlarmName: 'a' }));

    // Assess
    expect(out.AlarmHistoryItems?.map((i) => (i.Timestamp!.getTime() - START) / 1000)).toEqual([9, 8, 7, 6, 5]);
  });

  it('answers in the Region the request is signed for', async () => {
    // Prepare
    const sim = await simulator({
      alarms: [
        { name: 'outage', region: 'us-east-1', type: 'metric' },
        { name: 'outage', region: 'us-west-2', type: 'metric' },
      ],
    });
    await sim.setAlarmState('us-west-2', 'outage', 'ALARM', 'west only');

    // Act
    const east = await cloudWatch(sim, 'us-east-1').send(
      new DescribeAlarmHistoryCommand({ HistoryItemType: 'StateUpdate' }),
    );
    const west = await cloudWatch(sim, 'us-west-2').send(
      new DescribeAlarmHistoryCommand({ HistoryItemType: 'StateUpdate' }),
    );

    // Assess
    expect(east.AlarmHistoryItems).toEqual([]);
    expect(west.AlarmHistoryItems?.map((i) => JSON.parse(i.HistoryData ?? '{}').newState.stateReason)).toEqual([
      'west only',
    ]);
  });

  it('refuses MaxRecords outside 1 to 100 and a NextToken it did not issue for this operation', async () => {
    // Prepare
    const client = cloudWatch(await simulator());
    const foreign = Buffer.from(JSON.stringify({ v: 1, after: 'some-alarm' })).toString('base64url');

    // Act
    const zero = await rejection(client.send(new DescribeAlarmHistoryCommand({ MaxRecords: 0 })));
    const tooMany = await rejection(client.send(new DescribeAlarmHistoryCommand({ MaxRecords: 101 })));
    const forged = await rejection(client.send(new DescribeAlarmHistoryCommand({ NextToken: 'not-a-token' })));
    const describeAlarmsToken = await rejection(client.send(new DescribeAlarmHistoryCommand({ NextToken: foreign })));

    // Assess
    expect(zero).toBeInstanceOf(ValidationException);
    expect(tooMany).toBeInstanceOf(ValidationException);
    expect(forged).toBeInstanceOf(InvalidNextToken);
    expect(describeAlarmsToken).toBeInstanceOf(InvalidNextToken);
  });
});
