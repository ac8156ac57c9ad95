import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CONFIG_TEXT_ENV_VAR, loadConfigFrom, resolveConfigSource } from '../../src/config/load.ts';
import { ConfigError, UsageError } from '../../src/errors.ts';

const TDG_ARN =
  'arn:aws:connect:us-east-1:111122223333:traffic-distribution-group/2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11';

/** A valid config whose store is a relative path, to see what it resolves against. */
const CONFIG = {
  trafficDistributionGroup: TDG_ARN,
  regions: { primary: 'us-east-1', replica: 'us-west-2' },
  queue: { url: 'https://sqs.us-east-1.amazonaws.com/111122223333/connect-failover-events' },
  signals: { critical: ['connect-primary-outage'] },
  store: { type: 'file', path: 'state/connect-failover.json' },
  http: { host: '0.0.0.0', port: 9464 },
};

describe('resolveConfigSource', () => {
  it.each([
    [
      'the -c flag over both variables',
      'flag.yaml',
      { CONNECT_FAILOVER_CONFIG: 'env.yaml', CONNECT_FAILOVER_CONFIG_YAML: 'x: 1' },
      { kind: 'file', path: 'flag.yaml' },
    ],
    [
      'CONNECT_FAILOVER_CONFIG without a flag',
      undefined,
      { CONNECT_FAILOVER_CONFIG: 'env.yaml' },
      { kind: 'file', path: 'env.yaml' },
    ],
    [
      'CONNECT_FAILOVER_CONFIG_YAML when no file is named',
      undefined,
      { CONNECT_FAILOVER_CONFIG_YAML: 'x: 1' },
      { kind: 'text', variable: 'CONNECT_FAILOVER_CONFIG_YAML', text: 'x: 1' },
    ],
    [
      'the text when the file variable is empty',
      '',
      { CONNECT_FAILOVER_CONFIG: '', CONNECT_FAILOVER_CONFIG_YAML: 'x: 1' },
      { kind: 'text', variable: 'CONNECT_FAILOVER_CONFIG_YAML', text: 'x: 1' },
    ],
  ])('takes %s', (_case, flag, env, expected) => {
    expect(resolveConfigSource(flag, env)).toEqual(expected);
  });

  it('refuses both variables at once instead of silently ignoring one', () => {
    expect(() =>
      resolveConfigSource(undefined, { CONNECT_FAILOVER_CONFIG: 'env.yaml', CONNECT_FAILOVER_CONFIG_YAML: 'x: 1' }),
    ).toThrow(
      new UsageError(
        'both CONNECT_FAILOVER_CONFIG and CONNECT_FAILOVER_CONFIG_YAML are set: set one of them (or pass -c FILE)',
      ),
    );
  });

  it.each([
    ['nothing is given', undefined, {}],
    ['everything is empty', '', { CONNECT_FAILOVER_CONFIG: '', CONNECT_FAILOVER_CONFIG_YAML: '' }],
  ])('names all three ways when %s', (_case, flag, env) => {
    expect(() => resolveConfigSource(flag, env)).toThrow(
      new UsageError(
        'no config: pass -c FILE, or set CONNECT_FAILOVER_CONFIG (a file) or CONNECT_FAILOVER_CONFIG_YAML (the config text)',
      ),
    );
  });
});

describe('loadConfigFrom', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-config-source-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the text of the variable as a file would be read, a relative store path against the current directory', async () => {
    // Act
    const { config } = await loadConfigFrom({ kind: 'text', variable: CONFIG_TEXT_ENV_VAR, text: stringify(CONFIG) });

    // Assess
    expect(config.regions).toEqual({ primary: 'us-east-1', replica: 'us-west-2' });
    expect(config.http).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(config.store).toEqual({ type: 'file', path: resolve('state/connect-failover.json') });
  });

  it('gives the same config for the same text in a file (a relative store path there resolves beside the file)', async () => {
    // Prepare
    const file = join(dir, 'config.yaml');
    await writeFile(file, stringify(CONFIG));

    // Act
    const fromFile = await loadConfigFrom({ kind: 'file', path: file });
    const fromText = await loadConfigFrom({ kind: 'text', variable: CONFIG_TEXT_ENV_VAR, text: stringify(CONFIG) });

    // Assess
    expect({ ...fromFile.config, store: undefined }).toEqual({ ...fromText.config, store: undefined });
    expect(fromFile.config.store).toEqual({ type: 'file', path: join(dir, 'state/connect-failover.json') });
  });

  it('validates the text the same way, naming the variable and the key path', async () => {
    // Prepare
    const text = stringify({ ...CONFIG, timing: { cooldown: '2 minutes' } });

    // Act
    const error = await loadConfigFrom({ kind: 'text', variable: CONFIG_TEXT_ENV_VAR, text }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).file).toBe('CONNECT_FAILOVER_CONFIG_YAML');
    expect((error as ConfigError).message).toContain('invalid config in CONNECT_FAILOVER_CONFIG_YAML');
    expect((error as ConfigError).issues.map((issue) => issue.path)).toEqual(['timing.cooldown']);
  });

  it('reads JSON text (YAML is a superset) like YAML', async () => {
    const fromJson = await loadConfigFrom({
      kind: 'text',
      variable: CONFIG_TEXT_ENV_VAR,
      text: JSON.stringify(CONFIG),
    });
    const fromYaml = await loadConfigFrom({ kind: 'text', variable: CONFIG_TEXT_ENV_VAR, text: stringify(CONFIG) });
    expect(fromJson).toEqual(fromYaml);
  });
});
