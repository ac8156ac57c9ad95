import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchSignalHistory } from '../../src/backtest/cloudwatch-history.ts';
import { AlarmHistoryFetchError } from '../../src/backtest/errors.ts';
import { readAlarmHistory } from '../../src/backtest/history-format.ts';
import { signalRefs } from '../../src/domain/signals.ts';
import { startCloudWatchSimulator } from '../../src/local/cloudwatch-simulator.ts';
import type { CloudWatchSimulator } from '../../src/local/cloudwatch-simulator.ts';
import { t } from './fixture.ts';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const REGIONS = { primary: 'us-east-1', replica: 'us-west-2' };
const SIGNALS = { degraded: ['errors'], critical: ['outage'], replicaUnhealthy: ['replica'] };
const START = t('2026-10-01T00:00:00.000Z');

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function simulatorWithSignals(clock: { now: () => number }): Promise<CloudWatchSimulator> {
  const sim = await startCloudWatchSimulator({
    now: clock.now,
    alarms: [
      { name: 'errors', region: 'us-east-1', type: 'metric' },
      { name: 'outage', region: 'us-east-1' },
      { name: 'replica', region: 'us-west-2', type: 'metric' },
    ],
  });
  stops.push(() => sim.stop());
  return sim;
}

const clientFor = (sim: CloudWatchSimulator) => (region: string) =>
  new CloudWatchClient({ region, endpoint: sim.endpoint, credentials, maxAttempts: 1 });

describe('fetching signal history with DescribeAlarmHistory', () => {
  it('reads every page of each signal in its own Region, composite alarms included, from StartDate on', async () => {
    // Prepare
    let now = START - 60_000;
    const sim = await simulatorWithSignals({ now: () => now });
    await sim.setAlarmState('us-east-1', 'errors', 'ALARM', 'before the window');
    for (let i = 1; i <= 250; i++) {
      now = START + i * 1000;
      await sim.setAlarmState('us-east-1', 'errors', i % 2 === 1 ? 'OK' : 'ALARM');
    }
    now += 1000;
    await sim.setAlarmState('us-east-1', 'outage', 'ALARM');
    await sim.setAlarmState('us-west-2', 'replica', 'ALARM');

    // Act
    const fetched = await fetchSignalHistory(signalRefs(SIGNALS, REGIONS), {
      since: START,
      until: now,
      makeClient: clientFor(sim),
    });

    // Assess
    const history = readAlarmHistory(fetched.documents, 'DescribeAlarmHistory');
    const count = (name: string) => history.changes.filter((c) => c.alarmName === name).length;
    expect([count('errors'), count('outage'), count('replica')]).toEqual([250, 1, 1]);
    expect(fetched.requests).toBe(5);
    expect(sim.calls.map((c) => [c.operation, c.region])).toEqual([
      ['DescribeAlarmHistory', 'us-east-1'],
      ['DescribeAlarmHistory', 'us-east-1'],
      ['DescribeAlarmHistory', 'us-east-1'],
      ['DescribeAlarmHistory', 'us-east-1'],
      ['DescribeAlarmHistory', 'us-west-2'],
    ]);
  });

  it('wraps a failed call once, naming the signal, its Region and the error code', async () => {
    // Prepare
    const sim = await simulatorWithSignals({ now: () => START });
    sim.faults.failNext('DescribeAlarmHistory', 1, 403, 'AccessDenied');

    // Act
    const error = await fetchSignalHistory(signalRefs(SIGNALS, REGIONS), {
      since: START - 1000,
      until: START,
      makeClient: clientFor(sim),
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AlarmHistoryFetchError);
    expect(error).toMatchObject({ alarm: 'errors', region: 'us-east-1', code: 'AccessDenied', retryable: false });
    expect((error as Error).message).toMatch(/^DescribeAlarmHistory for errors in us-east-1: /);
  });
});
