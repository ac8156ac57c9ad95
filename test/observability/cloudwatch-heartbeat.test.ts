import { Writable } from 'node:stream';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { startCloudWatchSimulator } from '../../src/local/cloudwatch-simulator.ts';
import type { CloudWatchSimulator } from '../../src/local/cloudwatch-simulator.ts';
import { heartbeatData, runCloudWatchHeartbeat } from '../../src/observability/cloudwatch-heartbeat.ts';
import type { HeartbeatReading } from '../../src/observability/cloudwatch-heartbeat.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { startHarness } from '../helpers/controller-harness.ts';
import type { Harness } from '../helpers/controller-harness.ts';
import { eventually } from '../helpers/eventually.ts';
import { TEST_CREDENTIALS } from '../helpers/sqs.ts';

const REPLICA = 'us-west-2';
const healthy: HeartbeatReading = { alive: true, health: 'healthy', automation: 'active', shiftFailing: false };

describe('heartbeat data', () => {
  it('maps the state to numbers an alarm can compare: HealthState 0/1/2, automation and shift flags 0/1', () => {
    // Act
    const data = heartbeatData(
      { alive: true, health: 'failedOver', automation: 'suspended', shiftFailing: true },
      { Controller: 'tdg-1' },
      new Date(0),
    );

    // Assess
    expect(Object.fromEntries(data.map((d) => [d.MetricName, d.Value]))).toEqual({
      Heartbeat: 1,
      HealthState: 2,
      AutomationActive: 0,
      AutomationSuspended: 1,
      ShiftFailing: 1,
    });
    expect(data.every((d) => d.Dimensions?.[0]?.Name === 'Controller' && d.Dimensions[0].Value === 'tdg-1')).toBe(true);
  });

  it('leaves Heartbeat out while the receive loop is stuck, so the missing-heartbeat alarm fires', () => {
    // Act
    const data = heartbeatData({ ...healthy, alive: false }, { Controller: 'tdg-1' }, new Date(0));

    // Assess
    expect(data.map((d) => d.MetricName)).not.toContain('Heartbeat');
    expect(data.map((d) => d.MetricName)).toContain('HealthState');
  });

  it('leaves out states not known yet rather than guessing them', () => {
    // Act
    const data = heartbeatData(
      { alive: true, health: undefined, automation: undefined, shiftFailing: false },
      { Controller: 'tdg-1' },
      new Date(0),
    );

    // Assess
    expect(data.map((d) => d.MetricName)).toEqual(['Heartbeat', 'ShiftFailing']);
  });
});

describe('the CloudWatch heartbeat against the CloudWatch simulator', () => {
  let sim: CloudWatchSimulator;
  let client: CloudWatchClient;
  let stop: AbortController;
  let running: Promise<void> | undefined;
  let lines: Array<Record<string, unknown>>;
  const logger = () =>
    createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk, _encoding, done) {
          for (const line of String(chunk).split('\n').filter(Boolean))
            lines.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      }),
    });

  beforeEach(async () => {
    sim = await startCloudWatchSimulator({});
    // One attempt per beat, so each injected fault is one failed beat (the controller's client retries).
    client = new CloudWatchClient({
      region: REPLICA,
      endpoint: sim.endpoint,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    stop = new AbortController();
    lines = [];
  });
  afterEach(async () => {
    stop.abort();
    await running;
    running = undefined;
    client.destroy();
    await sim.stop();
  });

  const heartbeats = () => sim.metricData.filter((d) => d.metricName === 'Heartbeat');

  it('publishes at once and then once per interval, in the ConnectFailover namespace with the Controller dimension', async () => {
    // Prepare
    const clock = new ManualClock();
    const outcomes: string[] = [];

    // Act
    running = runCloudWatchHeartbeat(
      {
        client,
        dimensions: { Controller: 'tdg-1' },
        clock,
        read: () => healthy,
        logger: logger(),
        onResult: (o) => outcomes.push(o),
      },
      stop.signal,
    );
    await eventually(() => heartbeats().length === 1, { what: 'the first heartbeat' });
    clock.advance(60_000);
    await eventually(() => heartbeats().length === 2, { what: 'the second heartbeat' });

    // Assess
    expect(
      heartbeats().map((d) => ({ region: d.region, namespace: d.namespace, dimensions: d.dimensions, value: d.value })),
    ).toEqual([
      { region: REPLICA, namespace: 'ConnectFailover', dimensions: { Controller: 'tdg-1' }, value: 1 },
      { region: REPLICA, namespace: 'ConnectFailover', dimensions: { Controller: 'tdg-1' }, value: 1 },
    ]);
    expect(heartbeats()[1]!.timestamp - heartbeats()[0]!.timestamp).toBe(60_000);
    expect(outcomes).toEqual(['sent', 'sent']);
  });

  it('logs and counts failed publishes and keeps beating', async () => {
    // Prepare
    const clock = new ManualClock();
    const outcomes: string[] = [];
    sim.faults.failNext('PutMetricData', 2, 500);

    // Act
    running = runCloudWatchHeartbeat(
      {
        client,
        dimensions: { Controller: 'tdg-1' },
        clock,
        read: () => healthy,
        logger: logger(),
        onResult: (o) => outcomes.push(o),
      },
      stop.signal,
    );
    await eventually(() => outcomes.length === 1, { what: 'the first beat' });
    clock.advance(60_000);
    await eventually(() => outcomes.length === 2, { what: 'the second beat' });
    clock.advance(60_000);
    await eventually(() => outcomes.length === 3, { what: 'the third beat' });

    // Assess
    expect(outcomes).toEqual(['failed', 'failed', 'sent']);
    expect(heartbeats()).toHaveLength(1);
    const failures = lines.filter((l) => l.msg === 'CloudWatch heartbeat failed; trying again at the next beat');
    expect(failures.map((l) => [l.level, l.consecutiveFailures])).toEqual([
      ['warn', 1],
      ['warn', 2],
    ]);
    expect(lines.some((l) => l.msg === 'CloudWatch heartbeat published again')).toBe(true);
  });

  it('stops at once when its signal aborts, even between beats', async () => {
    // Prepare
    const clock = new ManualClock();
    running = runCloudWatchHeartbeat(
      { client, dimensions: { Controller: 'tdg-1' }, clock, read: () => healthy, logger: logger() },
      stop.signal,
    );
    await eventually(() => heartbeats().length === 1, { what: 'the first heartbeat' });

    // Act
    stop.abort();

    // Assess
    await expect(running).resolves.toBeUndefined();
    expect(heartbeats()).toHaveLength(1);
  });
});

describe('the heartbeat of a running controller', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('publishes Heartbeat and the health state in the replica Region, and the state follows a failover', async () => {
    // Prepare
    h = await startHarness();
    const harness = h;
    await harness.start({ heartbeatIntervalMs: 50 });
    const tdgId = harness.config.trafficDistributionGroup.id;
    const published = (name: string) =>
      harness.stack.cloudwatch.metricData.filter((d) => d.namespace === 'ConnectFailover' && d.metricName === name);
    await eventually(() => published('Heartbeat').length > 0, { what: 'a heartbeat' });

    // Act
    await harness.setAlarm('connect-primary-outage', 'ALARM');
    await harness.waitForPrimary(0);

    // Assess
    await eventually(() => published('HealthState').at(-1)?.value === 2, { what: 'HealthState 2 (failedOver)' });
    expect(published('Heartbeat')[0]).toMatchObject({
      region: 'us-west-2',
      dimensions: { Controller: tdgId },
      value: 1,
    });
    expect(published('HealthState')[0]?.value).toBe(0);
    expect(published('AutomationActive').at(-1)?.value).toBe(1);
  });
});
