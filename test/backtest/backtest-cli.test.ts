import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestReport, ComparisonReport } from '../../src/backtest/report.ts';
import { startCloudWatchSimulator } from '../../src/local/cloudwatch-simulator.ts';
import { CONFIG_FIXTURE, HISTORY_FIXTURE, recordedMonth } from './fixture.ts';

const exec = promisify(execFile);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bin/connect-failover.js` as a user would; returns the exit code and output instead of throwing. */
async function cli(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const child = exec(process.execPath, ['bin/connect-failover.js', ...args], {
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  child.child.stdin?.end(options.input ?? '');
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as CliResult;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const backtest = (...args: string[]) => ['backtest', '-c', CONFIG_FIXTURE, ...args];

/** What the replay decided, without where the history came from or the window it covered. */
function outcome(report: BacktestReport) {
  const { shifts, suspensions, blocked, operatorActions, episodes, summary, final } = report;
  return { shifts, suspensions, blocked, operatorActions, episodes, summary, final };
}

let fileReport: BacktestReport;
beforeAll(async () => {
  const r = await cli(backtest('--history', HISTORY_FIXTURE, '--json'));
  expect(r.stderr).toBe('');
  fileReport = JSON.parse(r.stdout) as BacktestReport;
});

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe('backtest --history FILE', () => {
  it('prints for a person each shift with time, change, split, trigger and reason, the suspension, and a summary', async () => {
    // Act
    const r = await cli(backtest('--history', HISTORY_FIXTURE));

    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /2026-10-11T14:04:10\.880Z +degraded -> failedOver +0% +automatic +critical alarm in ALARM +connect-primary-outage/,
    );
    expect(r.stdout).toMatch(
      /2026-10-17T07:45:12\.093Z +degraded -> failedOver +0% +automatic +still degraded after escalateAfter/,
    );
    expect(r.stdout).toMatch(/2026-10-24T18:40:30\.250Z +suspended; resumed 2026-10-24T19:16:30\.774Z/);
    expect(r.stdout).toMatch(
      /2026-10-20T02:20:30\.337Z +2026-10-20T02:24:10\.902Z +replicaUnhealthy +failover \(connect-primary-outage\) blocked/,
    );
    expect(r.stdout).toMatch(/time failed over +1h 53m 33s/);
    expect(r.stdout).toMatch(/longest outage \(failed over\) +1h 40m 50s/);
    expect(r.stdout).toMatch(/operator failbacks \(failback: manual\) +2/);
    expect(r.stdout).toMatch(/not signals, ignored: connect-queue-wait-time-high \(6 changes\)/);
    const runbook = await readFile('docs/runbook.md', 'utf8');
    expect(runbook, 'runbook §13 shows stale backtest output: paste the output of the command above it').toContain(
      r.stdout.trim(),
    );
  });

  it('with --json gives shifts, suspensions, blocked and summary in the documented shape', () => {
    // Assess
    expect(Object.keys(fileReport)).toEqual(
      expect.arrayContaining([
        'input',
        'policy',
        'window',
        'shifts',
        'suspensions',
        'blocked',
        'operatorActions',
        'episodes',
        'summary',
      ]),
    );
    expect(fileReport.shifts).toHaveLength(12);
    expect(fileReport.shifts[3]).toEqual({
      at: '2026-10-11T14:04:10.880Z',
      from: 'degraded',
      to: 'failedOver',
      primaryPercent: 0,
      trigger: 'automatic',
      reason: 'critical alarm in ALARM',
      alarms: ['connect-primary-outage'],
    });
    expect(fileReport.suspensions).toEqual([
      {
        at: '2026-10-24T18:40:30.250Z',
        resumedAt: '2026-10-24T19:16:30.774Z',
        reason: expect.stringContaining('maxAutomaticShifts'),
        alarms: ['connect-primary-elevated-errors'],
      },
    ]);
    expect(fileReport.summary).toMatchObject({
      shifts: 12,
      automaticFailovers: 2,
      suspensions: 1,
      timeFailedOverMs: 6_813_039,
      longestOutageMs: 6_049_522,
    });
    expect(fileReport.input).toMatchObject({ source: HISTORY_FIXTURE, items: 42, stateUpdates: 30, otherItems: 12 });
    expect(fileReport.policy).toMatchObject({
      timing: { recoverAfter: '10m', escalateAfter: '5m' },
      failback: 'manual',
    });
  });

  it('reads the history from standard input with --history -', async () => {
    // Act
    const r = await cli(backtest('--history', '-', '--json'), { input: await readFile(HISTORY_FIXTURE, 'utf8') });

    // Assess
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as BacktestReport;
    expect(report.input.source).toBe('standard input');
    expect(outcome(report)).toEqual(outcome(fileReport));
  });

  it('exits 2 on malformed history, naming the item index and the field, and prints no report', async () => {
    // Prepare
    const month = JSON.parse(await readFile(HISTORY_FIXTURE, 'utf8')) as {
      AlarmHistoryItems: Array<Record<string, unknown>>;
    };
    month.AlarmHistoryItems[4] = { ...month.AlarmHistoryItems[4], Timestamp: '04/10/2026 09:14' };

    // Act
    const r = await cli(backtest('--history', '-'), { input: JSON.stringify(month) });

    // Assess
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'malformed alarm history in standard input: AlarmHistoryItems[4].Timestamp: "04/10/2026 09:14" is not an ISO-8601 timestamp',
    );
  });

  it('exits 2 without a history source, and for a history file that does not exist', async () => {
    // Act
    const none = await cli(backtest());
    const missing = await cli(backtest('--history', 'no-such-history.json'));

    // Assess
    expect([none.code, missing.code]).toEqual([2, 2]);
    expect(none.stderr).toContain('--history FILE');
    expect(missing.stderr).toContain('cannot read history file no-such-history.json: no such file');
  });
});

describe('backtest --set (a variant side by side)', () => {
  it('replays the variant beside the config: recoverAfter 20m turns the suspension into two more failovers', async () => {
    // Act
    const r = await cli(backtest('--history', HISTORY_FIXTURE, '--json', '--set', 'timing.recoverAfter=20m'));

    // Assess
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ComparisonReport;
    expect(report.variant.set).toEqual({ 'timing.recoverAfter': '20m' });
    expect(report.baseline.summary).toEqual(fileReport.summary);
    expect([report.baseline.summary.automaticFailovers, report.variant.summary.automaticFailovers]).toEqual([2, 4]);
    expect([report.baseline.summary.suspensions, report.variant.summary.suspensions]).toEqual([1, 0]);
    expect(report.variant.summary.timeFailedOverMs - report.baseline.summary.timeFailedOverMs).toBe(2_206_014);
    expect(report.variant.policy).toMatchObject({ timing: { recoverAfter: '20m' } });
  });

  it('prints both summaries side by side for a person', async () => {
    // Act
    const r = await cli(
      backtest('--history', HISTORY_FIXTURE, '--set', 'timing.recoverAfter=20m', '--set', 'timing.escalateAfter=10m'),
    );

    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ +baseline +variant \(timing\.recoverAfter=20m, timing\.escalateAfter=10m\)/);
    expect(r.stdout).toMatch(/suspensions +1 \(36m 1s suspended\) +0/);
    expect(r.stdout).toContain('== Variant: timing.recoverAfter=20m, timing.escalateAfter=10m ==');
  });

  it('exits 2 with the message validate gives for a bad value', async () => {
    // Act
    const r = await cli(backtest('--history', HISTORY_FIXTURE, '--set', 'timing.recoverAfter=5 minutes'));

    // Assess
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('timing.recoverAfter: "5 minutes" is not a duration like 90s or 2m');
    expect(r.stdout).toBe('');
  });

  it('exits 2 for a key outside the policy, and for a setting that changes nothing', async () => {
    // Act
    const outside = await cli(backtest('--history', HISTORY_FIXTURE, '--set', 'queue.url=http://127.0.0.1:1/0/q'));
    const same = await cli(backtest('--history', HISTORY_FIXTURE, '--set', 'timing.recoverAfter=10m'));

    // Assess
    expect([outside.code, same.code]).toEqual([2, 2]);
    expect(outside.stderr).toContain('backtest varies only what the statechart decides with');
    expect(same.stderr).toContain('leaves the policy as the config has it');
  });
});

describe('backtest --from-cloudwatch', () => {
  /** The recorded month played into the CloudWatch simulator, so it answers DescribeAlarmHistory with it. */
  async function simulatorWithTheMonth() {
    let now = Date.parse('2026-09-20T00:00:00.000Z');
    const sim = await startCloudWatchSimulator({ now: () => now, accountId: '111122223333' });
    stops.push(() => sim.stop());
    const changes = (await recordedMonth()).changes.toSorted((a, b) => a.at - b.at);
    const regionOf = (name: string) => (name === 'connect-replica-outage' ? 'us-west-2' : 'us-east-1');
    for (const name of new Set(changes.map((c) => c.alarmName))) {
      const type = changes.find((c) => c.alarmName === name)?.alarmType === 'CompositeAlarm' ? 'composite' : 'metric';
      sim.addAlarm({ name, region: regionOf(name), type });
    }
    for (const change of changes) {
      now = change.at;
      await sim.setAlarmState(regionOf(change.alarmName), change.alarmName, change.to, change.reason);
    }
    return sim;
  }

  /** Records any request, to show that nothing is sent to Connect. */
  async function connectTrap(): Promise<{ endpoint: string; requests: string[] }> {
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
  }

  const awsEnv = (cloudwatch: string, connect: string) => ({
    AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch,
    AWS_ENDPOINT_URL_CONNECT: connect,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
  });

  it('fetches each signal in its Region over HTTP and decides exactly as from the file, calling nothing on Connect', async () => {
    // Prepare
    const sim = await simulatorWithTheMonth();
    const connect = await connectTrap();

    // Act
    const r = await cli(
      backtest('--from-cloudwatch', '--since', '2026-10-01T00:00:00Z', '--until', '2026-11-01T00:00:00Z', '--json'),
      {
        env: awsEnv(sim.endpoint, connect.endpoint),
      },
    );

    // Assess
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as BacktestReport;
    expect(outcome(report)).toEqual(outcome(fileReport));
    expect(report.window).toEqual({ from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' });
    expect(sim.calls.map((c) => [c.operation, c.region])).toEqual([
      ['DescribeAlarmHistory', 'us-east-1'],
      ['DescribeAlarmHistory', 'us-east-1'],
      ['DescribeAlarmHistory', 'us-west-2'],
    ]);
    expect(connect.requests).toEqual([]);
  });

  it('takes a signal with no change in the window to have been in its current state throughout (DescribeAlarms)', async () => {
    // Prepare
    const sim = await simulatorWithTheMonth();
    const connect = await connectTrap();

    // Act
    const r = await cli(
      backtest('--from-cloudwatch', '--since', '2026-10-21T00:00:00Z', '--until', '2026-11-01T00:00:00Z', '--json'),
      {
        env: awsEnv(sim.endpoint, connect.endpoint),
      },
    );

    // Assess
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as BacktestReport;
    expect(report.input.notes).toEqual([
      'connect-primary-outage has no state change in the window: OK throughout (its state now)',
      'connect-replica-outage has no state change in the window: OK throughout (its state now)',
    ]);
    expect(report.shifts.map((s) => s.at)).toEqual([
      '2026-10-24T18:00:05.117Z',
      '2026-10-24T18:13:10.420Z',
      '2026-10-24T18:20:40.008Z',
      '2026-10-24T18:32:15.663Z',
    ]);
    expect(report.summary.suspensions).toBe(1);
    expect(sim.calls.filter((c) => c.operation === 'DescribeAlarms').map((c) => c.region)).toEqual([
      'us-east-1',
      'us-west-2',
    ]);
  });
});
