import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadVariant, parseSetting } from '../../src/backtest/policy-variant.ts';
import { parseConfig } from '../../src/config/load.ts';
import { ConfigError, UsageError } from '../../src/errors.ts';
import { CONFIG_FIXTURE } from './fixture.ts';

const where = { file: 'config.yaml', baseDir: '/tmp' };

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('--set key=value', () => {
  it('reads the value as YAML would: durations, numbers, lists and words', () => {
    // Act
    const settings = [
      'timing.recoverAfter=5m',
      'timing.maxAutomaticShifts.count=6',
      'signals.degraded=[a, b]',
      'failback=automatic',
    ].map(parseSetting);

    // Assess
    expect(settings.map((s) => [s.path, s.value])).toEqual([
      [['timing', 'recoverAfter'], '5m'],
      [['timing', 'maxAutomaticShifts', 'count'], 6],
      [
        ['signals', 'degraded'],
        ['a', 'b'],
      ],
      [['failback'], 'automatic'],
    ]);
  });

  it('applies every setting to the config and validates the result as a config file', async () => {
    // Prepare
    const text = await readFile(CONFIG_FIXTURE, 'utf8');

    // Act
    const { config } = loadVariant(
      text,
      ['timing.recoverAfter=5m', 'timing.maxAutomaticShifts={ count: 6, per: 2h }'].map(parseSetting),
      where,
    );

    // Assess
    expect(config.timing).toMatchObject({
      recoverAfterMs: 300_000,
      escalateAfterMs: 300_000,
      maxAutomaticShifts: { count: 6, perMs: 7_200_000 },
    });
  });

  it('refuses a bad value with the message validate gives for the same value in the file', async () => {
    // Prepare
    const text = await readFile(CONFIG_FIXTURE, 'utf8');
    const inFile = thrown(() =>
      parseConfig(text.replace('recoverAfter: 10m', 'recoverAfter: 5 minutes'), where),
    ) as ConfigError;

    // Act
    const error = thrown(() => loadVariant(text, [parseSetting('timing.recoverAfter=5 minutes')], where));

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual(inFile.issues);
    expect((error as ConfigError).issues).toEqual([
      { path: 'timing.recoverAfter', message: '"5 minutes" is not a duration like 90s or 2m' },
    ]);
    expect((error as ConfigError).message).toContain('config.yaml with --set timing.recoverAfter=5 minutes');
  });

  it('refuses a relation the config forbids, as validate does', async () => {
    // Prepare
    const text = await readFile(CONFIG_FIXTURE, 'utf8');

    // Act
    const error = thrown(() =>
      loadVariant(text, [parseSetting('timing.maxAutomaticShifts.per=1m')], where),
    ) as ConfigError;

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues.map((i) => i.path)).toEqual(['timing.maxAutomaticShifts.per']);
  });

  it.each([
    ['no equals sign', 'timing.recoverAfter', /expected key=value/],
    ['an empty key part', 'timing..recoverAfter=5m', /expected key=value/],
    ['a key outside the policy', 'store.path=/tmp/x', /varies only what the statechart decides with/],
    ['a key only the adapters read', 'traffic.shiftAgents=false', /does not decide with it/],
  ])('refuses %s as a usage error', (_name, text, message) => {
    // Act
    const error = thrown(() => parseSetting(text));

    // Assess
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });
});
