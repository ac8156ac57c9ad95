import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/types.ts';
import { defaultScenario } from '../../src/gameday/default-scenario.ts';
import { alarmsOf, applies, checkScenario } from '../../src/gameday/scenario-check.ts';
import { GameDayRefusedError } from '../../src/gameday/scenario-errors.ts';
import { parseScenario } from '../../src/gameday/scenario.ts';

const CONTRACT_EXAMPLE = readFileSync(new URL('../fixtures/config/contract-example.yaml', import.meta.url), 'utf8');

function config(extra = ''): Config {
  return parseConfig(`${CONTRACT_EXAMPLE}\n${extra}`.replace(/^dryRun: false$/m, ''), { baseDir: '/tmp' }).config;
}

function refusal(run: () => void): GameDayRefusedError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GameDayRefusedError);
    return error as GameDayRefusedError;
  }
  throw new Error('the scenario was not refused');
}

describe('checking a scenario against the config it runs with', () => {
  it('accepts the default scenario against AWS, because its fault steps are for the local stack only', () => {
    const scenario = defaultScenario();
    const cfg = config();

    expect(() => checkScenario(scenario, cfg, 'aws')).not.toThrow();
    expect(scenario.steps.filter((s) => s.action.kind === 'fault').some((s) => applies(s, cfg, 'aws'))).toBe(false);
  });

  it('refuses fault injection against AWS, naming each step', () => {
    const scenario = parseScenario(
      'name: chaos\nsteps:\n  - hold: 1s\n  - fault: { kind: throttle, count: 2 }\n  - fault: { kind: clear }\n',
    );

    const error = refusal(() => checkScenario(scenario, config(), 'aws'));

    expect(error.issues.map((i) => i.path)).toEqual(['steps[1].fault', 'steps[2].fault']);
    expect(error.message).toContain('fault injection works only on the local stack (--local)');
    expect(() => checkScenario(scenario, config(), 'local')).not.toThrow();
  });

  it('refuses a scenario that asserts shifts when the config is a dry run', () => {
    const error = refusal(() => checkScenario(defaultScenario(), config('dryRun: true'), 'aws'));

    expect(error.message).toContain('dryRun: true');
  });

  it('lets a dry-run config run a scenario that only watches the controller state', () => {
    const scenario = parseScenario(
      'name: watch\nsteps:\n  - setAlarm: { signal: critical, state: ALARM }\n  - waitFor: { state: failedOver }\n',
    );

    expect(() => checkScenario(scenario, config('dryRun: true'), 'aws')).not.toThrow();
  });

  it('refuses alarms, signal names, Regions and an RTO start the config does not know', () => {
    const scenario = parseScenario(
      [
        'name: typos',
        'rto: { target: 30s, from: nowhere }',
        'steps:',
        '  - setAlarm: { alarm: connect-primary-outag, state: ALARM }',
        '  - waitFor: { signals: { mystery: OK } }',
        '  - fault: { kind: regionDown, region: eu-west-1 }',
      ].join('\n'),
    );

    const error = refusal(() => checkScenario(scenario, config(), 'local'));

    expect(error.issues.map((i) => i.path)).toEqual([
      'steps[0].setAlarm.alarm',
      'steps[1].waitFor.signals.mystery',
      'steps[2].fault.region',
      'rto.from',
    ]);
    expect(error.issues[0]?.message).toContain(
      '"connect-primary-outag" is not one of the config\'s signals (connect-primary-elevated-errors',
    );
  });

  it('sets every alarm of a role, in the Region the role reads it from', () => {
    const cfg = config();

    expect(alarmsOf({ alarm: undefined, signal: 'replicaUnhealthy' }, cfg)).toEqual([
      { key: 'connect-replica-outage', role: 'replicaUnhealthy', name: 'connect-replica-outage', region: 'us-west-2' },
    ]);
    expect(alarmsOf({ alarm: 'connect-primary-outage', signal: undefined }, cfg).map((r) => r.region)).toEqual([
      'us-east-1',
    ]);
  });
});
