/**
 * The signal path when things are really broken (issue 11): a lost event, a CloudWatch endpoint that
 * hangs, a forged event, and readiness. The real controller, fauxqs, the simulators, real SDK clients.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudWatchAlarmReader } from '../../src/cloudwatch/alarm-reader.ts';
import { toMessageBody } from '../../src/local/alarm-event-sink.ts';
import { LOCAL_CREDENTIALS } from '../../src/local/local-stack.ts';
import { startHarness } from '../helpers/controller-harness.ts';
import type { Harness } from '../helpers/controller-harness.ts';
import { eventually } from '../helpers/eventually.ts';

const CRITICAL = 'connect-primary-outage';
let h: Harness | undefined;
let hanging: Server | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  hanging?.closeAllConnections();
  await new Promise((resolve) => hanging?.close(resolve) ?? resolve(undefined));
  hanging = undefined;
});

/** An endpoint that accepts requests and never answers: a CloudWatch API in a Regional impairment. */
async function hangingEndpoint(): Promise<string> {
  hanging = createServer(() => undefined);
  await new Promise<void>((resolve) => hanging!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
}

describe('a lost alarm event', () => {
  it('is caught by the alarm poll: the alarm change acts within alarmPoll with no message on the queue', async () => {
    h = await startHarness();
    await h.start({ alarmPollMs: 300 });
    await h.waitForPrimary(100);

    h.stack.deliverEvents(false);
    await h.setAlarm(CRITICAL, 'ALARM');
    expect(await h.queueDepth()).toBe(0);

    await h.waitForPrimary(0, 10_000);
    const transitions = (await h.readDocument())!.history.filter((e) => e.kind === 'transition');
    expect(transitions.at(-1)).toMatchObject({ from: 'healthy', to: 'failedOver', alarms: [CRITICAL] });
  });
});

describe('a CloudWatch endpoint that hangs', () => {
  it('at start-up delays neither readiness nor acting on a queued event (acted on unconfirmed)', async () => {
    h = await startHarness();
    const primary = h.stack.regions.primary;
    const stuck = await hangingEndpoint();
    const endpointFor = (region: string) =>
      region === primary ? stuck : h!.stack.clientSettings.endpoints!.cloudwatch!;
    const reader = new CloudWatchAlarmReader(
      (region) => new CloudWatchClient({ region, endpoint: endpointFor(region), credentials: LOCAL_CREDENTIALS }),
    );
    // The alarm's event is already waiting when the controller starts.
    await h.setAlarm(CRITICAL, 'ALARM');

    try {
      await h.start({ alarms: reader });
      await h.waitForPrimary(0, 15_000);
    } finally {
      await h.stopController();
      reader.destroy();
    }
    const doc = (await h.readDocument())!;
    expect(doc.history.filter((e) => e.kind === 'unconfirmed')).toHaveLength(1);
    // The replica's alarms were read meanwhile: one Region's silence held back nothing else.
    expect(h.logs.some((l) => l.msg === 'alarm states read' && l.awsRegion === h!.stack.regions.replica)).toBe(true);
  });
});

describe('a forged alarm event', () => {
  it('moves nothing when CloudWatch contradicts it, and is reported in the log, the history and a metric', async () => {
    h = await startHarness({ config: { http: { host: '127.0.0.1', port: 0 } } });
    let metricsUrl = '';
    await h.start({ hooks: { httpListening: (server) => void (metricsUrl = `${server.url}/metrics`) } });
    await h.waitForPrimary(100);
    // A real transition supplies the event's shape; its twin claims ALARM while CloudWatch stays OK.
    const real = await h.setAlarm(CRITICAL, 'ALARM');
    await h.waitForPrimary(0);
    await h.setAlarm(CRITICAL, 'OK');
    await h.command('failback', { reason: 'back before the forgery' });
    await h.waitForPrimary(100);
    const writes = h.stack.connect.writes.length;

    const forged = { ...real!, current: { ...real!.current, value: 'ALARM' as const, timestamp: Date.now() } };
    await h.sendBody(toMessageBody(forged, 'eventbridge'));
    await eventually(() => h!.logs.find((l) => l.msg === 'alarm event contradicted by CloudWatch; moves nothing'), {
      what: 'the contradiction reported',
    });

    expect(h.stack.connect.writes).toHaveLength(writes);
    expect(h.primaryPercent()).toBe(100);
    await eventually(
      async () => (await h!.readDocument())!.history.some((e) => e.kind === 'disputed' && e.alarms?.includes(CRITICAL)),
      { what: 'disputed in history' },
    );
    const metrics = await (await fetch(metricsUrl)).text();
    expect(metrics).toMatch(/connect_failover_alarm_confirmations_total\{outcome="contradicted"\} 1/);
  });
});

describe('readiness', () => {
  it('/readyz answers 200 within 2 s of start on an empty queue', async () => {
    h = await startHarness({ config: { http: { host: '127.0.0.1', port: 0 } } });
    let url = '';
    const startedAt = Date.now();
    await h.start({ waitTimeSeconds: 10, hooks: { httpListening: (server) => void (url = `${server.url}/readyz`) } });
    await eventually(async () => (await fetch(url)).status === 200, { timeoutMs: 10_000, what: '/readyz 200' });
    // Not a timed assertion of speed: it tells "after a short poll" from "after the first 10 s long poll".
    expect(Date.now() - startedAt).toBeLessThan(8_000);
  });
});
