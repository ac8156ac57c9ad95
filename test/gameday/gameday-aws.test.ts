import { afterEach, describe, expect, it } from 'vitest';
import { analyse } from '../../src/gameday/analysis.ts';
import { defaultScenario } from '../../src/gameday/default-scenario.ts';
import { configSummary, scenarioSummary } from '../../src/gameday/local-session.ts';
import { newRecording } from '../../src/gameday/recording.ts';
import { passed } from '../../src/gameday/report-format.ts';
import { runScenario } from '../../src/gameday/runner.ts';
import { checkScenario } from '../../src/gameday/scenario-check.ts';
import { AwsTarget } from '../../src/gameday/aws-target.ts';
import type { GameDayTarget } from '../../src/gameday/game-day-target.ts';
import { startHarness } from '../helpers/controller-harness.ts';
import type { Harness } from '../helpers/controller-harness.ts';

let h: Harness | undefined;
let target: GameDayTarget | undefined;
afterEach(async () => {
  await target?.close();
  await h?.close();
  target = undefined;
  h = undefined;
});

describe('a game day against a running controller (the AWS path, on the local stack)', () => {
  it('drives it only through SetAlarmState, the queue, the store and GetTrafficDistribution, and passes the default scenario', async () => {
    h = await startHarness();
    await h.start();
    const scenario = defaultScenario();
    checkScenario(scenario, h.config, 'aws');
    // No simulator handle: the same clients as against AWS, pointed at the stack's endpoints.
    target = new AwsTarget({ config: h.config, observeEveryMs: 100, aws: h.stack.clientSettings });
    const recording = newRecording({
      scenario: scenarioSummary(scenario),
      mode: 'aws',
      config: configSummary(h.config),
      insideView: false,
      startedAt: Date.now(),
    });

    await runScenario({ scenario, target, recording, signal: new AbortController().signal });

    expect(recording.checks.filter((c) => !c.passed)).toEqual([]);
    expect(passed(recording)).toBe(true);
    expect(recording.steps.filter((s) => s.status === 'skipped').map((s) => s.label)).toEqual([
      'Connect throttles the next updates',
      'Connect throttles the next reads',
      'inject fault: clear every fault',
    ]);
    const analysis = analyse(recording);
    expect(analysis.shifts.map((s) => `${s.from}→${s.to}`)).toEqual([
      'healthy→degraded',
      'degraded→failedOver',
      'failedOver→healthy',
    ]);
    expect(analysis.shifts.every((s) => s.verifiedAt !== undefined && s.observedAt !== undefined)).toBe(true);
    expect(analysis.rto).toMatchObject({
      passed: true,
      until: { what: expect.stringContaining('the game day saw 0%') },
    });
    expect(recording.connectCalls).toEqual([]);
    // Every alarm change went through CloudWatch's API, and the simulator saw it as SetAlarmState calls.
    expect(h.stack.cloudwatch.calls.filter((c) => c.operation === 'SetAlarmState')).toHaveLength(
      recording.alarmChanges.length,
    );
    expect(
      h.stack.connect.requests.some((r) => r.operation === 'GetTrafficDistribution' && r.region === 'us-east-1'),
    ).toBe(true);
  });
});
