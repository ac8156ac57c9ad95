import {
  CloudWatchClient,
  CloudWatchServiceException,
  DescribeAlarmsCommand,
  InternalServiceFault,
  InvalidFormatFault,
  InvalidNextToken,
  InvalidParameterCombinationException,
  ListMetricsCommand,
  PutMetricDataCommand,
  ResourceNotFound,
  SetAlarmStateCommand,
  ValidationException,
} from '@aws-sdk/client-cloudwatch';
import type { DescribeAlarmsCommandInput, StateValue } from '@aws-sdk/client-cloudwatch';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import type { FauxqsServer } from 'fauxqs';
import { afterEach, describe, expect, it } from 'vitest';
import { sqsEventSink, toEventBridgeEvent, toSnsEnvelope, toSnsRawMessage } from '../../src/local/alarm-event-sink.ts';
import type { AlarmEventSink, AlarmTransition } from '../../src/local/alarm-event-sink.ts';
import {
  DuplicateAlarmError,
  startCloudWatchSimulator,
  UnknownAlarmError,
} from '../../src/local/cloudwatch-simulator.ts';
import type { CloudWatchSimulator, CloudWatchSimulatorOptions } from '../../src/local/cloudwatch-simulator.ts';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const START = Date.parse('2026-11-28T17:04:40.989Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ALARM_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;
const EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A clock the test moves by hand. */
function manualClock(start = START): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** A sink that keeps every transition in memory. */
function memorySink(): { sink: AlarmEventSink; changes: AlarmTransition[] } {
  const changes: AlarmTransition[] = [];
  return { changes, sink: async (change) => void changes.push(change) };
}

async function simulator(options: CloudWatchSimulatorOptions = {}): Promise<CloudWatchSimulator> {
  const sim = await startCloudWatchSimulator(options);
  stops.push(() => sim.stop());
  return sim;
}

function cloudWatch(sim: CloudWatchSimulator, region = 'us-east-1', maxAttempts = 1): CloudWatchClient {
  const client = new CloudWatchClient({ region, endpoint: sim.endpoint, credentials, maxAttempts });
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

async function allAlarmNames(client: CloudWatchClient, input: DescribeAlarmsCommandInput): Promise<string[][]> {
  const pages: string[][] = [];
  let token: string | undefined;
  do {
    const out = await client.send(new DescribeAlarmsCommand({ ...input, NextToken: token }));
    pages.push([...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])].map((a) => a.AlarmName ?? ''));
    token = out.NextToken;
  } while (token !== undefined);
  return pages;
}

describe('DescribeAlarms', () => {
  it('returns only metric alarms when AlarmTypes is omitted, as CloudWatch does', async () => {
    // Prepare
    const sim = await simulator({
      alarms: [
        { name: 'connect-primary-outage', region: 'us-east-1' },
        { name: 'connect-primary-errors', region: 'us-east-1', type: 'metric' },
      ],
    });

    // Act
    const out = await cloudWatch(sim).send(new DescribeAlarmsCommand({}));

    // Assess
    expect(out.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['connect-primary-errors']);
    expect(out.CompositeAlarms).toEqual([]);
  });

  it('returns composite alarms with their rule, ARN and both state timestamps as Dates', async () => {
    // Prepare
    const sim = await simulator({
      accountId: '111122223333',
      now: () => START,
      alarms: [{ name: 'connect-primary-outage', region: 'us-east-1', state: 'ALARM', reason: 'game day' }],
    });

    // Act
    const out = await cloudWatch(sim).send(new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm'] }));

    // Assess
    const [alarm] = out.CompositeAlarms ?? [];
    expect(out.MetricAlarms).toEqual([]);
    expect(alarm).toMatchObject({
      AlarmName: 'connect-primary-outage',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:connect-primary-outage',
      AlarmRule: 'FALSE',
      StateValue: 'ALARM',
      StateReason: 'game day',
    });
    expect(alarm?.StateUpdatedTimestamp).toBeInstanceOf(Date);
    expect(alarm?.StateUpdatedTimestamp?.getTime()).toBe(START);
    expect(alarm?.StateTransitionedTimestamp?.getTime()).toBe(START);
  });

  it('filters by AlarmNames across both types when both are asked for', async () => {
    // Prepare
    const sim = await simulator({
      alarms: [
        { name: 'a-composite', region: 'us-east-1' },
        { name: 'b-metric', region: 'us-east-1', type: 'metric' },
        { name: 'c-other', region: 'us-east-1', type: 'metric' },
      ],
    });

    // Act
    const out = await cloudWatch(sim).send(
      new DescribeAlarmsCommand({
        AlarmNames: ['a-composite', 'b-metric', 'missing'],
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
      }),
    );

    // Assess
    expect(out.CompositeAlarms?.map((a) => a.AlarmName)).toEqual(['a-composite']);
    expect(out.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['b-metric']);
  });

  it('filters by AlarmNamePrefix and by StateValue', async () => {
    // Prepare
    const sim = await simulator({
      alarms: [
        { name: 'connect-primary-outage', region: 'us-east-1', type: 'metric', state: 'ALARM' },
        { name: 'connect-primary-errors', region: 'us-east-1', type: 'metric' },
        { name: 'connect-replica-outage', region: 'us-east-1', type: 'metric', state: 'ALARM' },
      ],
    });
    const client = cloudWatch(sim);

    // Act
    const byPrefix = await client.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'connect-primary-' }));
    const inAlarm = await client.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }));
    const both = await client.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: 'connect-primary-', StateValue: 'ALARM' }),
    );

    // Assess
    expect(byPrefix.MetricAlarms?.map((a) => a.AlarmName)).toEqual([
      'connect-primary-errors',
      'connect-primary-outage',
    ]);
    expect(inAlarm.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['connect-primary-outage', 'connect-replica-outage']);
    expect(both.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['connect-primary-outage']);
  });

  it('refuses AlarmNames together with AlarmNamePrefix with the modeled InvalidParameterCombinationException', async () => {
    // Prepare
    const sim = await simulator();

    // Act
    const error = await rejection(
      cloudWatch(sim).send(new DescribeAlarmsCommand({ AlarmNames: ['a'], AlarmNamePrefix: 'a' })),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidParameterCombinationException);
  });

  it('pages 120 alarms in name order: 50 per page by default, MaxRecords up to 100', async () => {
    // Prepare
    const sim = await simulator();
    const names = Array.from({ length: 120 }, (_, i) => `alarm-${String(i).padStart(3, '0')}`);
    for (const name of [...names].reverse()) sim.addAlarm({ name, region: 'us-east-1', type: 'metric' });
    const client = cloudWatch(sim);

    // Act
    const byDefault = await allAlarmNames(client, {});
    const byHundred = await allAlarmNames(client, { MaxRecords: 100 });

    // Assess
    expect(byDefault.map((p) => p.length)).toEqual([50, 50, 20]);
    expect(byDefault.flat()).toEqual(names);
    expect(byHundred.map((p) => p.length)).toEqual([100, 20]);
    expect(byHundred.flat()).toEqual(names);
  });

  it('counts MaxRecords across metric and composite alarms together', async () => {
    // Prepare
    const sim = await simulator({
      alarms: ['a', 'b', 'c', 'd', 'e', 'f'].map((name, i) => ({
        name,
        region: 'us-east-1',
        type: i % 2 ? 'metric' : 'composite',
      })),
    });

    // Act
    const pages = await allAlarmNames(cloudWatch(sim), {
      AlarmTypes: ['CompositeAlarm', 'MetricAlarm'],
      MaxRecords: 4,
    });

    // Assess
    expect(pages.map((p) => p.length)).toEqual([4, 2]);
    expect(pages.flat().sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('rejects MaxRecords outside 1 to 100 and a NextToken it did not issue', async () => {
    // Prepare
    const client = cloudWatch(await simulator());

    // Act
    const tooMany = await rejection(client.send(new DescribeAlarmsCommand({ MaxRecords: 101 })));
    const zero = await rejection(client.send(new DescribeAlarmsCommand({ MaxRecords: 0 })));
    const forged = await rejection(client.send(new DescribeAlarmsCommand({ NextToken: 'not-a-token' })));

    // Assess
    expect(tooMany).toBeInstanceOf(ValidationException);
    expect(zero).toBeInstanceOf(ValidationException);
    expect(forged).toBeInstanceOf(InvalidNextToken);
  });
});

describe('SetAlarmState', () => {
  it('changes the state, stamps it with the simulator clock and emits exactly one transition', async () => {
    // Prepare
    const clock = manualClock();
    const { sink, changes } = memorySink();
    const sim = await simulator({
      now: clock.now,
      sink,
      alarms: [{ name: 'connect-primary-outage', region: 'us-east-1' }],
    });
    const client = cloudWatch(sim);
    clock.advance(60_000);

    // Act
    await client.send(
      new SetAlarmStateCommand({
        AlarmName: 'connect-primary-outage',
        StateValue: 'ALARM',
        StateReason: 'game day: primary down',
        StateReasonData: '{"triggeringAlarms":[]}',
      }),
    );
    const out = await client.send(new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm'] }));

    // Assess
    const [alarm] = out.CompositeAlarms ?? [];
    expect(alarm?.StateValue).toBe('ALARM');
    expect(alarm?.StateReason).toBe('game day: primary down');
    expect(alarm?.StateReasonData).toBe('{"triggeringAlarms":[]}');
    expect(alarm?.StateUpdatedTimestamp?.getTime()).toBe(START + 60_000);
    expect(alarm?.StateTransitionedTimestamp?.getTime()).toBe(START + 60_000);
    expect(changes).toHaveLength(1);
    expect(changes[0]?.alarm.arn).toBe('arn:aws:cloudwatch:us-east-1:000000000000:alarm:connect-primary-outage');
    expect(changes[0]?.previous).toMatchObject({ value: 'OK', timestamp: START });
    expect(changes[0]?.current).toMatchObject({
      value: 'ALARM',
      reason: 'game day: primary down',
      timestamp: START + 60_000,
    });
  });

  it('a same-state set updates the reason and StateUpdatedTimestamp but emits nothing', async () => {
    // Prepare
    const clock = manualClock();
    const { sink, changes } = memorySink();
    const sim = await simulator({
      now: clock.now,
      sink,
      alarms: [{ name: 'outage', region: 'us-east-1', state: 'ALARM' }],
    });
    const client = cloudWatch(sim);
    clock.advance(5_000);

    // Act
    await client.send(
      new SetAlarmStateCommand({ AlarmName: 'outage', StateValue: 'ALARM', StateReason: 'still down' }),
    );
    const out = await client.send(new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm'] }));

    // Assess
    const [alarm] = out.CompositeAlarms ?? [];
    expect(alarm?.StateReason).toBe('still down');
    expect(alarm?.StateUpdatedTimestamp?.getTime()).toBe(START + 5_000);
    expect(alarm?.StateTransitionedTimestamp?.getTime()).toBe(START);
    expect(changes).toEqual([]);
    expect(sim.transitions).toEqual([]);
  });

  it('an unknown alarm raises the modeled ResourceNotFound error', async () => {
    // Prepare
    const client = cloudWatch(await simulator());

    // Act
    const error = await rejection(
      client.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'ALARM', StateReason: 'x' })),
    );

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFound);
    expect((error as ResourceNotFound).name).toBe('ResourceNotFound');
    expect((error as ResourceNotFound).$metadata.httpStatusCode).toBe(404);
    expect((error as ResourceNotFound).message).toContain('nope');
    // Query-compatible clients copy the x-amzn-query-error header into Code and Type.
    expect(error).toMatchObject({ Code: 'ResourceNotFound', Type: 'Sender' });
  });

  it('an invalid state value raises ValidationException and invalid StateReasonData raises InvalidFormatFault', async () => {
    // Prepare
    const { sink, changes } = memorySink();
    const sim = await simulator({ sink, alarms: [{ name: 'outage', region: 'us-east-1' }] });
    const client = cloudWatch(sim);

    // Act
    const badState = await rejection(
      client.send(
        new SetAlarmStateCommand({ AlarmName: 'outage', StateValue: 'BROKEN' as StateValue, StateReason: 'x' }),
      ),
    );
    const badData = await rejection(
      client.send(
        new SetAlarmStateCommand({
          AlarmName: 'outage',
          StateValue: 'ALARM',
          StateReason: 'x',
          StateReasonData: '{not json',
        }),
      ),
    );

    // Assess
    expect(badState).toBeInstanceOf(ValidationException);
    expect(badData).toBeInstanceOf(InvalidFormatFault);
    expect((badData as InvalidFormatFault).name).toBe('InvalidFormatFault');
    expect(sim.alarms('us-east-1')[0]?.state.value).toBe('OK');
    expect(changes).toEqual([]);
  });

  it('keeps alarms per Region: the SigV4 credential scope decides which Region is addressed', async () => {
    // Prepare
    const sim = await simulator({
      alarms: [
        { name: 'outage', region: 'us-east-1' },
        { name: 'outage', region: 'us-west-2' },
      ],
    });

    // Act
    await cloudWatch(sim, 'us-west-2').send(
      new SetAlarmStateCommand({ AlarmName: 'outage', StateValue: 'ALARM', StateReason: 'west only' }),
    );
    const elsewhere = await rejection(
      cloudWatch(sim, 'eu-west-2').send(
        new SetAlarmStateCommand({ AlarmName: 'outage', StateValue: 'ALARM', StateReason: 'x' }),
      ),
    );

    // Assess
    expect(sim.alarms('us-west-2')[0]?.state.value).toBe('ALARM');
    expect(sim.alarms('us-east-1')[0]?.state.value).toBe('OK');
    expect(elsewhere).toBeInstanceOf(ResourceNotFound);
    expect(sim.calls.map((c) => [c.operation, c.region])).toEqual([
      ['SetAlarmState', 'us-west-2'],
      ['SetAlarmState', 'eu-west-2'],
    ]);
  });
});

describe('PutMetricData', () => {
  it('records each datum with its Region, dimensions, unit and timestamp', async () => {
    // Prepare
    const sim = await simulator();
    const at = new Date('2026-11-28T17:00:00.250Z');

    // Act
    await cloudWatch(sim, 'us-west-2').send(
      new PutMetricDataCommand({
        Namespace: 'ConnectFailover',
        MetricData: [
          {
            MetricName: 'Heartbeat',
            Dimensions: [{ Name: 'Controller', Value: 'c1' }],
            Value: 1,
            Unit: 'Count',
            Timestamp: at,
          },
        ],
      }),
    );

    // Assess
    expect(sim.metricData).toEqual([
      expect.objectContaining({
        region: 'us-west-2',
        namespace: 'ConnectFailover',
        metricName: 'Heartbeat',
        dimensions: { Controller: 'c1' },
        value: 1,
        unit: 'Count',
        timestamp: at.getTime(),
      }),
    ]);
  });

  it('accepts a body the SDK gzip-compressed because it was over 10 KiB', async () => {
    // Prepare
    const sim = await simulator();
    const data = Array.from({ length: 200 }, (_, i) => ({
      MetricName: `Heartbeat${i}`,
      Dimensions: [{ Name: 'Controller', Value: `controller-${i}` }],
      Value: i,
      Unit: 'Count' as const,
    }));

    // Act
    await cloudWatch(sim).send(new PutMetricDataCommand({ Namespace: 'ConnectFailover', MetricData: data }));

    // Assess
    expect(sim.calls.at(-1)?.contentEncoding).toBe('gzip');
    expect(sim.metricData).toHaveLength(200);
    expect(sim.metricData[199]).toMatchObject({
      metricName: 'Heartbeat199',
      value: 199,
      dimensions: { Controller: 'controller-199' },
    });
  });
});

describe('errors and injected faults', () => {
  it('an operation the simulator does not implement surfaces as UnknownOperationException', async () => {
    // Prepare
    const client = cloudWatch(await simulator());

    // Act
    const error = await rejection(client.send(new ListMetricsCommand({})));

    // Assess
    expect(error).toBeInstanceOf(CloudWatchServiceException);
    expect((error as CloudWatchServiceException).name).toBe('UnknownOperationException');
    expect((error as CloudWatchServiceException).$metadata.httpStatusCode).toBe(400);
  });

  it('failNext answers the next N calls of that operation with a 500, then recovers', async () => {
    // Prepare
    const sim = await simulator({ alarms: [{ name: 'outage', region: 'us-east-1', type: 'metric' }] });
    const client = cloudWatch(sim);
    sim.faults.failNext('DescribeAlarms', 2, 500);

    // Act
    const first = await rejection(client.send(new DescribeAlarmsCommand({})));
    const second = await rejection(client.send(new DescribeAlarmsCommand({})));
    const third = await client.send(new DescribeAlarmsCommand({}));

    // Assess
    expect(first).toBeInstanceOf(InternalServiceFault);
    expect((second as InternalServiceFault).$metadata.httpStatusCode).toBe(500);
    expect(third.MetricAlarms).toHaveLength(1);
  });

  it('failNext with 400 answers Throttling, which the SDK names as such, for that operation only', async () => {
    // Prepare
    const sim = await simulator({ alarms: [{ name: 'outage', region: 'us-east-1' }] });
    const client = cloudWatch(sim);
    sim.faults.failNext('SetAlarmState', 1, 400);

    // Act
    await client.send(new DescribeAlarmsCommand({}));
    const error = await rejection(
      client.send(new SetAlarmStateCommand({ AlarmName: 'outage', StateValue: 'ALARM', StateReason: 'x' })),
    );

    // Assess
    expect(error).toBeInstanceOf(CloudWatchServiceException);
    expect((error as CloudWatchServiceException).name).toBe('Throttling');
    expect((error as CloudWatchServiceException).$metadata.httpStatusCode).toBe(400);
    expect(sim.alarms()[0]?.state.value).toBe('OK');
  });

  it('the SDK default retry strategy rides over one injected 500', async () => {
    // Prepare
    const sim = await simulator();
    sim.faults.failNext('*', 1, 500);

    // Act
    const out = await cloudWatch(sim, 'us-east-1', 3).send(new DescribeAlarmsCommand({}));

    // Assess
    expect(out.$metadata.attempts).toBe(2);
    expect(sim.calls.map((c) => c.status)).toEqual([500, 200]);
  });

  it('delay holds every call of that operation while other operations answer, until it is cleared', async () => {
    // Prepare
    const sim = await simulator({ alarms: [{ name: 'outage', region: 'us-east-1' }] });
    const client = cloudWatch(sim);
    sim.faults.delay('DescribeAlarms', 600_000);
    const abort = new AbortController();
    let describeSettled = false;
    const held = client
      .send(new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm'] }), { abortSignal: abort.signal })
      .finally(() => (describeSettled = true));

    // Act
    await client.send(new SetAlarmStateCommand({ AlarmName: 'outage', StateValue: 'ALARM', StateReason: 'x' }));
    const settledBeforeAbort = describeSettled;
    abort.abort();
    const error = await rejection(held);
    sim.faults.clear();
    const after = await client.send(new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm'] }));

    // Assess
    expect(settledBeforeAbort).toBe(false);
    expect((error as Error).name).toBe('AbortError');
    expect(after.CompositeAlarms?.[0]?.StateValue).toBe('ALARM');
    expect(() => sim.faults.delay('*', -1)).toThrow(/delay must be 0 or more ms/);
  });

  it('refuses an unsigned request with MissingAuthenticationToken', async () => {
    // Prepare
    const sim = await simulator();

    // Act
    const response = await fetch(`${sim.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'GraniteServiceVersion20100801.DescribeAlarms',
      },
      body: '{}',
    });

    // Assess
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-query-error')).toBe('MissingAuthenticationToken;Sender');
  });
});

describe('test hooks and admin endpoints', () => {
  it('the setAlarmState hook emits like the API and rejects unknown alarms', async () => {
    // Prepare
    const { sink, changes } = memorySink();
    const sim = await simulator({ sink, alarms: [{ name: 'outage', region: 'eu-west-2' }] });

    // Act
    const change = await sim.setAlarmState('eu-west-2', 'outage', 'ALARM', 'primary lost');
    const repeat = await sim.setAlarmState('eu-west-2', 'outage', 'ALARM');
    const unknown = await rejection(sim.setAlarmState('eu-central-1', 'outage', 'ALARM'));

    // Assess
    expect(change?.current).toMatchObject({ value: 'ALARM', reason: 'primary lost' });
    expect(repeat).toBeUndefined();
    expect(changes).toEqual([change]);
    expect(unknown).toBeInstanceOf(UnknownAlarmError);
    expect(() => sim.addAlarm({ name: 'outage', region: 'eu-west-2', type: 'metric' })).toThrow(DuplicateAlarmError);
  });

  it('admin endpoints create alarms, set their state and list alarms and metrics', async () => {
    // Prepare
    const { sink, changes } = memorySink();
    const sim = await simulator({ sink });
    const post = (path: string, body: unknown): Promise<Response> =>
      fetch(`${sim.endpoint}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    // Act
    const created = await post('/_simulator/alarms', { name: 'outage', region: 'ap-northeast-1' });
    const duplicate = await post('/_simulator/alarms', { name: 'outage', region: 'ap-northeast-1' });
    const set = await post('/_simulator/alarms/state', {
      region: 'ap-northeast-1',
      name: 'outage',
      state: 'ALARM',
      reason: 'drill',
    });
    const missing = await post('/_simulator/alarms/state', {
      region: 'ap-northeast-3',
      name: 'outage',
      state: 'ALARM',
    });
    const listed = (await (await fetch(`${sim.endpoint}/_simulator/alarms?region=ap-northeast-1`)).json()) as {
      alarms: Array<{ name: string; state: { value: string } }>;
    };
    await cloudWatch(sim, 'ap-northeast-1').send(
      new PutMetricDataCommand({ Namespace: 'ConnectFailover', MetricData: [{ MetricName: 'Heartbeat', Value: 1 }] }),
    );
    const metrics = (await (await fetch(`${sim.endpoint}/_simulator/metrics`)).json()) as {
      metricData: Array<{ metricName: string }>;
    };
    const described = await cloudWatch(sim, 'ap-northeast-1').send(
      new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm'] }),
    );

    // Assess
    expect(created.status).toBe(201);
    expect(duplicate.status).toBe(409);
    expect(set.status).toBe(200);
    expect(((await set.json()) as { changed: boolean }).changed).toBe(true);
    expect(missing.status).toBe(404);
    expect(listed.alarms.map((a) => [a.name, a.state.value])).toEqual([['outage', 'ALARM']]);
    expect(metrics.metricData.map((m) => m.metricName)).toEqual(['Heartbeat']);
    expect(described.CompositeAlarms?.[0]?.StateReason).toBe('drill');
    expect(changes).toHaveLength(1);
  });

  it('a failing sink does not fail SetAlarmState and is kept in sinkErrors', async () => {
    // Prepare
    const sim = await simulator({
      alarms: [{ name: 'outage', region: 'us-east-1' }],
      sink: async () => {
        throw new Error('queue unavailable');
      },
    });

    // Act
    await cloudWatch(sim).send(
      new SetAlarmStateCommand({ AlarmName: 'outage', StateValue: 'ALARM', StateReason: 'x' }),
    );

    // Assess
    expect(sim.alarms()[0]?.state.value).toBe('ALARM');
    expect(sim.transitions).toHaveLength(1);
    expect(sim.sinkErrors).toEqual([new Error('queue unavailable')]);
  });
});

/** A transition built by hand, so the body builders are tested without a server. */
function transitionFixture(type: 'metric' | 'composite', region = 'us-east-1'): AlarmTransition {
  const arn = `arn:aws:cloudwatch:${region}:123456789012:alarm:connect-primary-outage`;
  const topic = `arn:aws:sns:${region}:123456789012:alarms`;
  return {
    alarm: {
      name: 'connect-primary-outage',
      arn,
      region,
      accountId: '123456789012',
      type,
      description: 'primary Connect instance is failing',
      alarmRule:
        type === 'composite' ? 'ALARM("connect-primary-errors") AND ALARM("connect-primary-calls")' : undefined,
      metric:
        type === 'metric'
          ? {
              namespace: 'AWS/Connect',
              metricName: 'ContactFlowFatalErrors',
              dimensions: { InstanceId: 'abc' },
              period: 60,
              statistic: 'SampleCount',
              threshold: 5,
              comparisonOperator: 'GreaterThanThreshold',
              evaluationPeriods: 3,
              datapointsToAlarm: 2,
              treatMissingData: 'notBreaching',
            }
          : undefined,
      configurationUpdatedAt: Date.parse('2026-11-01T09:00:00.000Z'),
      actions: { ok: [topic], alarm: [topic], insufficientData: [] },
    },
    previous: { value: 'OK', reason: 'fine', timestamp: Date.parse('2026-11-28T16:00:00.000Z') },
    current: {
      value: 'ALARM',
      reason: 'Threshold Crossed',
      reasonData:
        type === 'composite'
          ? `{"triggeringAlarms":[{"arn":"arn:aws:cloudwatch:${region}:123456789012:alarm:connect-primary-errors","state":{"value":"ALARM","timestamp":"2026-11-28T17:04:40.500+0000"}}]}`
          : '{"version":"1.0"}',
      timestamp: Date.parse('2026-11-28T17:04:40.989Z'),
    },
  };
}

describe('alarm event bodies', () => {
  it('toEventBridgeEvent builds the CloudWatch Alarm State Change event of a metric alarm', () => {
    // Act
    const event = toEventBridgeEvent(transitionFixture('metric'));

    // Assess
    expect(event).toMatchObject({
      version: '0',
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: '123456789012',
      time: '2026-11-28T17:04:40Z',
      region: 'us-east-1',
      resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:connect-primary-outage'],
      detail: {
        alarmName: 'connect-primary-outage',
        configuration: {
          description: 'primary Connect instance is failing',
          metrics: [
            {
              metricStat: {
                metric: { namespace: 'AWS/Connect', name: 'ContactFlowFatalErrors', dimensions: { InstanceId: 'abc' } },
                period: 60,
                stat: 'SampleCount',
              },
              returnData: true,
            },
          ],
        },
        previousState: { value: 'OK', reason: 'fine', timestamp: '2026-11-28T16:00:00.000+0000' },
        state: {
          value: 'ALARM',
          reason: 'Threshold Crossed',
          reasonData: '{"version":"1.0"}',
          timestamp: '2026-11-28T17:04:40.989+0000',
        },
      },
    });
    expect(event.id).toMatch(UUID);
    expect(event.time).toMatch(EVENT_TIME);
    expect('reasonData' in (event.detail as { previousState: object }).previousState).toBe(false);
  });

  it('toEventBridgeEvent carries alarmRule and the triggering alarms of a composite alarm', () => {
    // Act
    const event = toEventBridgeEvent(transitionFixture('composite')) as {
      detail: { configuration: object; state: { reasonData: string } };
    };

    // Assess
    expect(event.detail.configuration).toEqual({
      alarmRule: 'ALARM("connect-primary-errors") AND ALARM("connect-primary-calls")',
      description: 'primary Connect instance is failing',
    });
    expect(JSON.parse(event.detail.state.reasonData)).toMatchObject({
      triggeringAlarms: [{ state: { value: 'ALARM' } }],
    });
  });

  it('toSnsRawMessage names the Region by display name and describes the metric as Trigger', () => {
    // Act
    const message = toSnsRawMessage(transitionFixture('metric', 'ap-northeast-3'));

    // Assess
    expect(message).toMatchObject({
      AlarmName: 'connect-primary-outage',
      AlarmDescription: 'primary Connect instance is failing',
      AWSAccountId: '123456789012',
      AlarmConfigurationUpdatedTimestamp: '2026-11-01T09:00:00.000+0000',
      NewStateValue: 'ALARM',
      NewStateReason: 'Threshold Crossed',
      StateChangeTime: '2026-11-28T17:04:40.989+0000',
      Region: 'Asia Pacific (Osaka)',
      AlarmArn: 'arn:aws:cloudwatch:ap-northeast-3:123456789012:alarm:connect-primary-outage',
      OldStateValue: 'OK',
      OKActions: ['arn:aws:sns:ap-northeast-3:123456789012:alarms'],
      InsufficientDataActions: [],
      Trigger: {
        MetricName: 'ContactFlowFatalErrors',
        Namespace: 'AWS/Connect',
        StatisticType: 'Statistic',
        Statistic: 'SAMPLE_COUNT',
        Unit: null,
        Dimensions: [{ value: 'abc', name: 'InstanceId' }],
        Period: 60,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 5,
      },
    });
    expect((message.Trigger as { TreatMissingData: string }).TreatMissingData).toMatch(/notBreaching$/);
    expect(message).not.toHaveProperty('AlarmRule');
  });

  it('toSnsRawMessage gives a composite alarm AlarmRule and TriggeringChildren instead of Trigger', () => {
    // Act
    const message = toSnsRawMessage(transitionFixture('composite', 'eu-west-2'));

    // Assess
    expect(message.Region).toBe('Europe (London)');
    expect(message.AlarmRule).toBe('ALARM("connect-primary-errors") AND ALARM("connect-primary-calls")');
    expect(message.TriggeringChildren).toEqual([
      {
        Arn: 'arn:aws:cloudwatch:eu-west-2:123456789012:alarm:connect-primary-errors',
        State: { Value: 'ALARM', Timestamp: '2026-11-28T17:04:40.500+0000' },
      },
    ]);
    expect(message).not.toHaveProperty('Trigger');
  });

  it('toSnsEnvelope wraps the raw message as a JSON string under a Subject naming state, alarm and Region', () => {
    // Prepare
    const change = transitionFixture('metric');

    // Act
    const envelope = toSnsEnvelope(change);

    // Assess
    expect(envelope).toMatchObject({
      Type: 'Notification',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:alarms',
      Subject: 'ALARM: "connect-primary-outage" in US East (N. Virginia)',
      Timestamp: '2026-11-28T17:04:40.989Z',
      SignatureVersion: '1',
    });
    expect(envelope.MessageId).toMatch(UUID);
    expect(typeof envelope.Message).toBe('string');
    expect(JSON.parse(envelope.Message as string)).toEqual({ ...toSnsRawMessage(change) });
    expect(envelope.SigningCertURL).toMatch(/^https:\/\/sns\.us-east-1\.amazonaws\.com\/.+\.pem$/);
  });
});

describe('sqsEventSink against the fauxqs SQS emulator', () => {
  async function fauxqs(): Promise<{ server: FauxqsServer; sqs: SQSClient }> {
    const server = await startFauxqs({ port: 0, logger: false });
    stops.push(() => server.stop());
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: server.address, credentials });
    stops.push(() => sqs.destroy());
    return { server, sqs };
  }

  async function receiveOne(sqs: SQSClient, queueUrl: string): Promise<Message> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
      );
      const [message, ...more] = out.Messages ?? [];
      if (message !== undefined) {
        expect(more).toEqual([]);
        return message;
      }
    }
    throw new Error(`no message on ${queueUrl} within 10 s`);
  }

  it('puts the body on the queue in each of the three shapes, as valid JSON of the reference shapes', async () => {
    // Prepare
    const { sqs } = await fauxqs();
    const urls = {
      eventbridge: (await sqs.send(new CreateQueueCommand({ QueueName: 'eventbridge' }))).QueueUrl ?? '',
      envelope: (await sqs.send(new CreateQueueCommand({ QueueName: 'sns-envelope' }))).QueueUrl ?? '',
      raw: (await sqs.send(new CreateQueueCommand({ QueueName: 'sns-raw' }))).QueueUrl ?? '',
    };
    const sinks = [
      sqsEventSink({ client: sqs, queueUrl: urls.eventbridge }),
      sqsEventSink({ client: sqs, queueUrl: urls.envelope, shape: 'sns-envelope' }),
      sqsEventSink({ client: sqs, queueUrl: urls.raw, shape: 'sns-raw' }),
    ];
    const sim = await simulator({
      accountId: '111122223333',
      now: () => START,
      alarms: [{ name: 'connect-primary-outage', region: 'us-east-1' }],
      sink: async (change, options) => void (await Promise.all(sinks.map((s) => s(change, options)))),
    });

    // Act
    await cloudWatch(sim).send(
      new SetAlarmStateCommand({ AlarmName: 'connect-primary-outage', StateValue: 'ALARM', StateReason: 'game day' }),
    );

    // Assess
    const arn = 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:connect-primary-outage';
    const event = JSON.parse((await receiveOne(sqs, urls.eventbridge)).Body ?? '') as Record<string, unknown>;
    expect(event).toMatchObject({
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: '111122223333',
      region: 'us-east-1',
      time: '2026-11-28T17:04:40Z',
      resources: [arn],
      detail: {
        alarmName: 'connect-primary-outage',
        configuration: { alarmRule: 'FALSE' },
        previousState: { value: 'OK' },
        state: { value: 'ALARM', reason: 'game day', timestamp: '2026-11-28T17:04:40.989+0000' },
      },
    });
    expect(event.id).toMatch(UUID);

    const envelope = JSON.parse((await receiveOne(sqs, urls.envelope)).Body ?? '') as Record<string, unknown>;
    expect(envelope).toMatchObject({
      Type: 'Notification',
      Subject: 'ALARM: "connect-primary-outage" in US East (N. Virginia)',
    });
    const inner = JSON.parse(envelope.Message as string) as Record<string, unknown>;
    expect(inner).toMatchObject({
      AlarmArn: arn,
      NewStateValue: 'ALARM',
      OldStateValue: 'OK',
      AlarmRule: 'FALSE',
      Region: 'US East (N. Virginia)',
    });
    expect(inner.StateChangeTime).toMatch(ALARM_TIMESTAMP);

    const raw = JSON.parse((await receiveOne(sqs, urls.raw)).Body ?? '') as Record<string, unknown>;
    expect(raw).toEqual(inner);
  });

  it('chooses the shape per change and keeps a FIFO queue grouped by alarm', async () => {
    // Prepare
    const { sqs } = await fauxqs();
    const queueUrl =
      (await sqs.send(new CreateQueueCommand({ QueueName: 'alarms.fifo', Attributes: { FifoQueue: 'true' } })))
        .QueueUrl ?? '';
    const sim = await simulator({
      alarms: [
        { name: 'metric-alarm', region: 'us-west-2', type: 'metric' },
        { name: 'composite-alarm', region: 'us-west-2' },
      ],
      sink: sqsEventSink({
        client: sqs,
        queueUrl,
        shape: (change) => (change.alarm.type === 'metric' ? 'sns-raw' : 'eventbridge'),
      }),
    });

    // Act
    await sim.setAlarmState('us-west-2', 'metric-alarm', 'ALARM');
    const first = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    await sim.setAlarmState('us-west-2', 'composite-alarm', 'ALARM');
    const second = await receiveOne(sqs, queueUrl);

    // Assess
    const [metricMessage] = first.Messages ?? [];
    expect(metricMessage?.Attributes?.MessageGroupId).toBe(
      'arn:aws:cloudwatch:us-west-2:000000000000:alarm:metric-alarm',
    );
    expect(JSON.parse(metricMessage?.Body ?? '')).toMatchObject({
      AlarmName: 'metric-alarm',
      Region: 'US West (Oregon)',
      Trigger: { Namespace: 'AWS/Connect' },
    });
    expect(JSON.parse(second.Body ?? '')).toMatchObject({
      'detail-type': 'CloudWatch Alarm State Change',
      detail: { alarmName: 'composite-alarm' },
    });
  });
});
