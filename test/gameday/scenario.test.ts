import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO_YAML, defaultScenario } from '../../src/gameday/default-scenario.ts';
import { ScenarioError } from '../../src/gameday/scenario-errors.ts';
import { loadScenario, parseScenario } from '../../src/gameday/scenario.ts';

function problems(text: string): Array<{ path: string; message: string }> {
  try {
    parseScenario(text, { file: 'bad.yaml' });
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return [...(error as ScenarioError).issues];
  }
  throw new Error('the scenario was accepted');
}

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the scenario file', () => {
  it('reads every kind of step with its defaults', () => {
    const scenario = parseScenario(
      [
        'name: everything',
        'rto: { target: 45s, from: outage }',
        'local: { config: { failback: automatic } }',
        'steps:',
        '  - name: outage',
        '    setAlarm: { alarm: connect-primary-outage, state: ALARM }',
        '  - setAlarm: { signal: degraded, state: INSUFFICIENT_DATA, reason: testing }',
        '  - fault: { kind: throttle, count: 3 }',
        '  - fault: { kind: regionDown, region: primary }',
        '  - fault: { kind: random, seed: 7, rates: { throttle: 0.2, internal: 0.1 }, operations: [GetTrafficDistribution] }',
        '  - operator: { command: failover, force: true }',
        '    when: { failback: manual, mode: local }',
        '  - waitFor: { state: failedOver, primaryPercent: 0, lastShift: verified }',
        '    timeout: 1.5s',
        '  - waitFor: { signals: { critical: OK } }',
        '  - hold: 250ms',
        '  - assert: { automation: active, split: failedOver }',
        'cleanup:',
        '  - fault: { kind: clear }',
      ].join('\n'),
    );

    expect(scenario.rto).toEqual({ targetMs: 45_000, from: 'outage' });
    expect(scenario.local?.config).toEqual({ failback: 'automatic' });
    expect(scenario.steps.map((s) => s.action)).toEqual([
      {
        kind: 'setAlarm',
        alarm: 'connect-primary-outage',
        signal: undefined,
        state: 'ALARM',
        reason: 'connect-failover game day',
      },
      { kind: 'setAlarm', alarm: undefined, signal: 'degraded', state: 'INSUFFICIENT_DATA', reason: 'testing' },
      {
        kind: 'fault',
        fault: { kind: 'throttle', operation: 'UpdateTrafficDistribution', region: undefined, count: 3 },
      },
      { kind: 'fault', fault: { kind: 'regionDown', region: 'primary' } },
      {
        kind: 'fault',
        fault: {
          kind: 'random',
          seed: 7,
          rates: { throttle: 0.2, internal: 0.1 },
          operations: ['GetTrafficDistribution'],
        },
      },
      { kind: 'operator', command: 'failover', reason: 'connect-failover game day', force: true },
      {
        kind: 'waitFor',
        condition: { state: 'failedOver', primaryPercent: 0, lastShift: 'verified' },
        timeoutMs: 1500,
      },
      { kind: 'waitFor', condition: { signals: { critical: 'OK' } }, timeoutMs: 60_000 },
      { kind: 'hold', ms: 250 },
      { kind: 'assert', condition: { automation: 'active', split: 'failedOver' } },
    ]);
    expect(scenario.steps[5]?.when).toEqual({ failback: 'manual', mode: 'local' });
    expect(scenario.steps.map((s) => s.path).slice(0, 2)).toEqual(['steps[0]', 'steps[1]']);
    expect(scenario.cleanup[0]?.path).toBe('cleanup[0]');
  });

  it('rejects wrong values with the key path of each', () => {
    const found = problems(
      [
        'name: broken',
        'steps:',
        '  - setAlarm: { alarm: a, state: ALRM }',
        '  - waitFor: { state: failed, primaryPercent: 55 }',
        '    timeout: 2 minutes',
        '  - hold: 3',
        '  - fault: { kind: throttle, count: 0 }',
        '  - fault: { kind: regionDown }',
        'rto: { target: soon }',
      ].join('\n'),
    );

    expect(found).toEqual(
      expect.arrayContaining([
        { path: 'steps[0].setAlarm.state', message: '"ALRM" is not one of OK, ALARM, INSUFFICIENT_DATA' },
        {
          path: 'steps[1].waitFor.state',
          message: '"failed" is not one of healthy, degraded, failedOver, failingBack',
        },
        { path: 'steps[1].waitFor.primaryPercent', message: '55 is not a percentage from 0 to 100 in steps of 10' },
        { path: 'steps[1].timeout', message: expect.stringContaining('"2 minutes" is not a duration') },
        { path: 'steps[2].hold', message: '3 is not a duration like 30s or 2m (units are required)' },
        { path: 'steps[3].fault.count', message: '0 is not a whole number from 1 to 100' },
        { path: 'steps[4].fault.region', message: 'is required (a Region code, primary or replica)' },
        { path: 'rto.target', message: expect.stringContaining('"soon" is not a duration') },
      ]),
    );
    expect(found).toHaveLength(8);
  });

  it('rejects steps with no action, two actions, unknown keys, or nothing to check', () => {
    const found = problems(
      [
        'name: broken',
        'steps:',
        '  - {}',
        '  - { hold: 1s, assert: { state: healthy } }',
        '  - operator: { command: failback, reasn: typo }',
        '  - hold: 1s',
        '    timeout: 5s',
        '  - assert: {}',
        '  - setAlarm: { state: OK }',
        '  - fault: { kind: nope }',
      ].join('\n'),
    );

    expect(found).toEqual([
      { path: 'steps[0]', message: 'has no action; give one of setAlarm, fault, operator, waitFor, hold, assert' },
      { path: 'steps[1]', message: 'has 2 actions (hold, assert); give each its own step' },
      { path: 'steps[2].operator.reasn', message: 'unknown key (expected one of: command, reason, force)' },
      { path: 'steps[3].timeout', message: 'applies only to waitFor steps' },
      { path: 'steps[4].assert', message: expect.stringContaining('names nothing to check') },
      {
        path: 'steps[5].setAlarm',
        message: 'give exactly one of alarm (a name) or signal (a role: every alarm of it)',
      },
      { path: 'steps[6].fault.kind', message: expect.stringContaining('"nope" is not one of throttle, conflict') },
    ]);
  });

  it('rejects a file that is not a scenario at all, naming the file', () => {
    expect(problems('- just\n- a list')).toEqual([
      { path: '', message: 'is a list; expected a mapping with name and steps' },
    ]);
    expect(problems('name: x\nsteps: [')[0]?.message).toMatch(/^YAML syntax error/);
    expect(problems('steps: []')).toEqual([
      { path: 'name', message: 'is required (a name for the scenario)' },
      { path: 'steps', message: 'is empty; give at least one step' },
    ]);
    expect(() => parseScenario('name: x', { file: 'my.yaml' })).toThrow(
      /invalid scenario in my\.yaml \(1 problem\):\n {2}steps: is required/,
    );
  });

  it('names a scenario file that cannot be read', async () => {
    await expect(loadScenario('/nonexistent/scenario.yaml')).rejects.toThrow(
      'cannot read scenario file /nonexistent/scenario.yaml: no such file',
    );
  });

  it('loads a scenario from a file and remembers where it came from', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-scenario-'));
    const file = join(dir, 's.yaml');
    await writeFile(file, 'name: from a file\nsteps:\n  - hold: 1s\n');

    const scenario = await loadScenario(file);

    expect(scenario).toMatchObject({ name: 'from a file', file, steps: [{ action: { kind: 'hold', ms: 1000 } }] });
  });

  it('ships a default scenario that is itself a valid scenario file with an RTO target', () => {
    const scenario = defaultScenario();

    expect(parseScenario(DEFAULT_SCENARIO_YAML).steps).toHaveLength(scenario.steps.length);
    expect(scenario.rto?.targetMs).toBe(30_000);
    const faults = scenario.steps.filter((s) => s.action.kind === 'fault');
    expect(faults.length).toBeGreaterThan(0);
    expect(faults.every((s) => s.when?.mode === 'local')).toBe(true);
    expect(
      scenario.steps.some(
        (s) => s.action.kind === 'operator' && s.action.command === 'failback' && s.when?.failback === 'manual',
      ),
    ).toBe(true);
  });
});
