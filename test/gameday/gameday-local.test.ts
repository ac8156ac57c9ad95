import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { legsOf } from '../../src/gameday/analysis.ts';
import { defaultScenario } from '../../src/gameday/default-scenario.ts';
import { startLocalSession } from '../../src/gameday/local-session.ts';
import type { LocalSession } from '../../src/gameday/local-session.ts';
import { writeReport } from '../../src/gameday/report-files.ts';
import { duration, passed } from '../../src/gameday/report-format.ts';
import { runScenario } from '../../src/gameday/runner.ts';
import { checkScenario } from '../../src/gameday/scenario-check.ts';
import { ScenarioError } from '../../src/gameday/scenario-errors.ts';
import { parseScenario } from '../../src/gameday/scenario.ts';
import type { Scenario } from '../../src/gameday/scenario-types.ts';
import { checkHtml } from './html-check.ts';

let session: LocalSession | undefined;
let dir: string | undefined;
afterEach(async () => {
  await session?.stop().catch(() => undefined);
  session = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function runLocally(scenario: Scenario) {
  session = await startLocalSession({ scenario });
  checkScenario(scenario, session.config, 'local');
  const recording = await runScenario({
    scenario,
    target: session.target,
    recording: session.recording,
    signal: new AbortController().signal,
  });
  const logLines = session.logLines;
  await session.stop();
  session = undefined;
  return { recording, logLines };
}

describe('a game day on the local stack', () => {
  it('passes the default scenario: degraded, failed over through a throttling burst, failed back, each shift timed', async () => {
    const { recording, logLines } = await runLocally(defaultScenario());
    dir = await mkdtemp(join(tmpdir(), 'cf-gameday-'));
    const report = await writeReport(dir, recording, { logLines });

    expect(recording.checks.filter((c) => !c.passed)).toEqual([]);
    expect(passed(recording)).toBe(true);
    const { shifts, rto, apiErrors } = report.analysis;
    expect(shifts.map((s) => `${s.from}→${s.to}:${s.cause?.kind}`)).toEqual([
      'healthy→degraded:alarm',
      'degraded→failedOver:alarm',
      'failedOver→healthy:command',
    ]);
    for (const shift of shifts) {
      expect(
        legsOf(shift).every((leg) => leg.ms !== undefined && leg.ms >= 0),
        `shift ${shift.number} timings ${JSON.stringify(legsOf(shift))}`,
      ).toBe(true);
    }
    expect(rto.measuredMs).toBeGreaterThan(0);
    expect(rto.passed).toBe(true);
    // The burst hit the failover: its attempts include the throttled calls, and they are reported as API errors.
    expect(shifts[1]?.attempts.filter((c) => c.status === 429)).toHaveLength(5);
    expect(apiErrors.filter((c) => c.error === 'ThrottlingException')).toHaveLength(5);

    const html = await readFile(report.html, 'utf8');
    expect(checkHtml(html).problems).toEqual([]);
    expect(html).toMatch(/<svg [^>]*class="timeline"/);
    // Written as the report writes durations: under a second in ms, else in seconds.
    expect(html).toContain(`RTO ${duration(rto.measuredMs)}`);
    const failover = shifts[1]!;
    expect(html).toContain(`<td class="num">${Math.round(failover.decidedAt - failover.receivedAt!)} ms</td>`);
    expect(await readFile(report.markdown, 'utf8')).toContain(
      '| 2 | degraded → failedOver (0% primary) | connect-primary-outage → ALARM |',
    );
  });

  it('fails a scenario whose assertion does not hold, says why, and stops at a missed wait but still cleans up', async () => {
    const scenario = parseScenario(
      [
        'name: must fail',
        'steps:',
        '  - setAlarm: { signal: critical, state: ALARM }',
        '  - waitFor: { state: failedOver, split: failedOver }',
        '    timeout: 10s',
        '  - assert: { state: healthy }',
        '  - waitFor: { automation: paused }',
        '    timeout: 300ms',
        '  - setAlarm: { signal: degraded, state: ALARM }',
        'cleanup:',
        '  - setAlarm: { signal: critical, state: OK }',
      ].join('\n'),
    );

    const { recording } = await runLocally(scenario);

    expect(passed(recording)).toBe(false);
    expect(recording.checks.map((c) => [c.step, c.passed])).toEqual([
      ['steps[1]', true],
      ['steps[2]', false],
      ['steps[3]', false],
    ]);
    expect(recording.checks[1]?.detail).toMatch(/^state is failedOver \(want healthy\)/);
    expect(recording.checks[2]?.detail).toBe('not reached within 0.3s: automation is active (want paused)');
    expect(recording.steps.map((s) => `${s.path}:${s.status}`)).toEqual([
      'steps[0]:done',
      'steps[1]:passed',
      'steps[2]:failed',
      'steps[3]:failed',
      'steps[4]:skipped',
      'cleanup[0]:done',
    ]);
    expect(recording.alarmChanges.map((c) => `${c.alarm}:${c.state}`)).toEqual([
      'connect-primary-outage:ALARM',
      'connect-primary-outage:OK',
    ]);
  });

  it('rejects a local config override that makes an invalid config, with the key path under local.config', async () => {
    const scenario = parseScenario(
      'name: bad override\nlocal: { config: { timing: { cooldown: 2 minutes } } }\nsteps:\n  - hold: 1s\n',
    );

    const error = await startLocalSession({ scenario }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).issues).toEqual([
      { path: 'local.config.timing.cooldown', message: expect.stringContaining('"2 minutes" is not a duration') },
    ]);
  });
});
