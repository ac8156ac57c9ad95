import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig, parseConfig, resolveConfigPath } from '../../src/config/load.ts';
import type { Config } from '../../src/config/types.ts';
import { ConfigError, UsageError } from '../../src/errors.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/config/', import.meta.url));
const TDG_ID = '2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11';
const TDG_ARN = `arn:aws:connect:us-east-1:111122223333:traffic-distribution-group/${TDG_ID}`;
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111122223333/connect-failover-events';

/** The smallest valid config: only the required settings. */
const MINIMAL = {
  trafficDistributionGroup: TDG_ARN,
  regions: { primary: 'us-east-1', replica: 'us-west-2' },
  queue: { url: QUEUE_URL },
  signals: { critical: ['connect-primary-outage'] },
};

type Patch = { [key: string]: unknown };

/** MINIMAL with `patch` merged in, as YAML; `undefined` in the patch removes a key. */
function configText(patch: Patch = {}): string {
  return stringify(merge(MINIMAL, patch));
}

function merge(base: Patch, patch: Patch): Patch {
  const result: Patch = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = result[key];
    if (value === undefined) delete result[key];
    else if (isMapping(value) && isMapping(current)) result[key] = merge(current, value);
    else result[key] = value;
  }
  return result;
}

function isMapping(value: unknown): value is Patch {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The ConfigError parseConfig throws for `text`; fails the test when it does not throw one. */
function configErrorOf(text: string, options: { file?: string } = {}): ConfigError {
  try {
    parseConfig(text, { baseDir: '/srv', ...options });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const DEFAULT_CONFIG: Config = {
  trafficDistributionGroup: { id: TDG_ID, arn: TDG_ARN, region: 'us-east-1' },
  regions: { primary: 'us-east-1', replica: 'us-west-2' },
  queue: { url: QUEUE_URL, region: 'us-east-1' },
  signals: { degraded: [], critical: ['connect-primary-outage'], replicaUnhealthy: [] },
  traffic: { healthy: 100, degraded: 50, failedOver: 0, shiftAgents: true, failbackSteps: [100], agentsLead: 0 },
  timing: {
    escalateAfterMs: 300_000,
    recoverAfterMs: 600_000,
    cooldownMs: 120_000,
    maxAutomaticShifts: { count: 4, perMs: 3_600_000 },
    driftCheckMs: 300_000,
    alarmPollMs: 60_000,
    failbackStepHoldMs: 120_000,
  },
  failback: 'manual',
  drift: 'pause',
  store: { type: 'file', path: '/srv/connect-failover-state.json' },
  http: undefined,
  dryRun: false,
};

describe('parseConfig: valid configs', () => {
  it('fills in every default around the required settings', () => {
    // Prepare
    const text = configText();

    // Act
    const { config, warnings } = parseConfig(text, { baseDir: '/srv' });

    // Assess
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(warnings).toEqual([]);
  });

  it('reads timing.driftCheck, where 0s turns the running drift check off, and rejects a non-duration', () => {
    const off = parseConfig(configText({ timing: { driftCheck: '0s' } }), { baseDir: '/srv' }).config;
    const error = configErrorOf(configText({ timing: { driftCheck: 'hourly' } }));

    expect(off.timing.driftCheckMs).toBe(0);
    expect(error.issues).toContainEqual({
      path: 'timing.driftCheck',
      message: '"hourly" is not a duration like 90s or 2m',
    });
  });

  it('reads JSON, which is YAML too', () => {
    const { config } = parseConfig(JSON.stringify(MINIMAL), { baseDir: '/srv' });

    expect(config).toEqual(DEFAULT_CONFIG);
  });

  it('fills in the defaults of http when the section is given empty', () => {
    const { config } = parseConfig(configText({ http: {} }), { baseDir: '/srv' });

    expect(config.http).toEqual({ host: '127.0.0.1', port: 9464 });
  });

  it.each([
    ['an SQS URL', QUEUE_URL, undefined, 'us-east-1'],
    ['a legacy queue URL', 'https://eu-west-2.queue.amazonaws.com/111122223333/q', undefined, 'eu-west-2'],
    ['an emulator URL', 'http://127.0.0.1:4566/000000000000/events', undefined, undefined],
    ['an emulator URL and a region', 'http://127.0.0.1:4566/000000000000/events', 'us-west-2', 'us-west-2'],
  ])('takes the queue Region from %s', (_case, url, region, expected) => {
    const { config } = parseConfig(configText({ queue: { url, region } }));

    expect(config.queue).toEqual({ url, region: expected });
  });

  it.each([
    ['a relative path against the base directory', './state/s.json', '/srv/state/s.json'],
    ['an absolute path as it is', '/var/lib/cf/s.json', '/var/lib/cf/s.json'],
  ])('resolves %s', (_case, path, expected) => {
    const { config } = parseConfig(configText({ store: { type: 'file', path } }), { baseDir: '/srv' });

    expect(config.store).toEqual({ type: 'file', path: expected });
  });

  it('takes a file store when store.type is left out', () => {
    const { config } = parseConfig(configText({ store: { path: 's.json' } }), { baseDir: '/srv' });

    expect(config.store).toEqual({ type: 'file', path: '/srv/s.json' });
  });

  it('reads a DynamoDB store with and without a Region', () => {
    const withRegion = parseConfig(
      configText({ store: { type: 'dynamodb', table: 'cf.state_1', region: 'us-west-2' } }),
    );
    const withoutRegion = parseConfig(configText({ store: { type: 'dynamodb', table: 'cf-state' } }));

    // The Region defaults to regions.replica; the item key is the group's id; the lease lasts 15 s.
    expect(withRegion.config.store).toEqual({
      type: 'dynamodb',
      table: 'cf.state_1',
      region: 'us-west-2',
      leaseDurationMs: 15_000,
      key: TDG_ID,
    });
    expect(withoutRegion.config.store).toEqual({
      type: 'dynamodb',
      table: 'cf-state',
      region: 'us-west-2',
      leaseDurationMs: 15_000,
      key: TDG_ID,
    });
  });

  it('reads a DynamoDB lease duration, and keys the item by the group id whether the config gives its ARN or its id', () => {
    const byArn = parseConfig(configText({ store: { type: 'dynamodb', table: 'cf-state', leaseDuration: '30s' } }));
    const byId = parseConfig(
      configText({
        trafficDistributionGroup: TDG_ID,
        store: { type: 'dynamodb', table: 'cf-state', leaseDuration: '1s' },
      }),
    );

    expect(byArn.config.store).toMatchObject({ leaseDurationMs: 30_000, key: TDG_ID });
    expect(byId.config.store).toMatchObject({ leaseDurationMs: 1_000, key: TDG_ID });
  });

  it('accepts a bare TDG id with a warning that it resolves only in the home Region', () => {
    const { config, warnings } = parseConfig(configText({ trafficDistributionGroup: TDG_ID }));

    expect(config.trafficDistributionGroup).toEqual({ id: TDG_ID, arn: undefined, region: undefined });
    expect(warnings).toEqual([
      "trafficDistributionGroup: a bare id resolves only in the TDG's home Region; give the ARN so failover calls from the replica Region work",
    ]);
  });

  it('accepts a TDG ARN in the replica Region with a warning that the primary should be its home', () => {
    const arn = `arn:aws:connect:us-west-2:111122223333:traffic-distribution-group/${TDG_ID}`;

    const { config, warnings } = parseConfig(configText({ trafficDistributionGroup: arn }));

    expect(config.trafficDistributionGroup).toEqual({ id: TDG_ID, arn, region: 'us-west-2' });
    expect(warnings).toEqual([
      "trafficDistributionGroup: the ARN's Region us-west-2 is regions.replica; regions.primary should be the TDG's home Region",
    ]);
  });

  it('accepts an alarm ARN as a signal and keeps it as written', () => {
    const arn = 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:connect-primary-outage';

    const { config } = parseConfig(configText({ signals: { critical: [arn], degraded: ['elevated errors'] } }));

    expect(config.signals).toEqual({ critical: [arn], degraded: ['elevated errors'], replicaUnhealthy: [] });
  });

  it('accepts the Region codes and alarm ARNs of every partition alarm events come from', () => {
    // Prepare: the same Region and ARN shapes the event parser accepts (src/aws/identifiers.ts).
    const govTdg = `arn:aws-us-gov:connect:us-gov-west-1:111122223333:traffic-distribution-group/${TDG_ID}`;
    const isoAlarm = 'arn:aws-iso-b:cloudwatch:us-isob-east-1:111122223333:alarm:connect-primary-outage';
    const euscAlarm = 'arn:aws-eusc:cloudwatch:eusc-de-east-1:111122223333:alarm:connect-primary-errors';

    // Act
    const { config } = parseConfig(
      configText({
        trafficDistributionGroup: govTdg,
        regions: { primary: 'us-gov-west-1', replica: 'us-gov-east-1' },
        queue: { url: 'https://sqs.us-gov-west-1.amazonaws.com/111122223333/events' },
        signals: { critical: [isoAlarm], degraded: [euscAlarm] },
        store: { type: 'dynamodb', table: 'cf-state', region: 'eusc-de-east-1' },
      }),
    );

    // Assess
    expect(config.trafficDistributionGroup).toEqual({ id: TDG_ID, arn: govTdg, region: 'us-gov-west-1' });
    expect(config.queue.region).toBe('us-gov-west-1');
    expect(config.signals).toMatchObject({ critical: [isoAlarm], degraded: [euscAlarm] });
    expect(config.store).toMatchObject({ type: 'dynamodb', table: 'cf-state', region: 'eusc-de-east-1' });
  });

  it('accepts a config whose only signals are degraded ones', () => {
    const { config } = parseConfig(
      configText({ signals: { critical: [], degraded: ['connect-primary-elevated-errors'] } }),
    );

    expect(config.signals.critical).toEqual([]);
  });
});

describe('parseConfig: one problem per config', () => {
  const ALARM_ARN = 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:connect-primary-outage';
  it.each<{ problem: string; patch: Patch; path: string; message: string }>([
    {
      problem: 'a missing TDG',
      patch: { trafficDistributionGroup: undefined },
      path: 'trafficDistributionGroup',
      message:
        'is required (a traffic distribution group ARN like arn:aws:connect:<region>:<account>:traffic-distribution-group/<uuid>, or its id)',
    },
    {
      problem: 'a TDG that is neither ARN nor id',
      patch: { trafficDistributionGroup: 'my-tdg' },
      path: 'trafficDistributionGroup',
      message:
        '"my-tdg" is not a traffic distribution group ARN like arn:aws:connect:<region>:<account>:traffic-distribution-group/<uuid>, or its id',
    },
    {
      problem: 'a TDG ARN in neither configured Region',
      patch: { trafficDistributionGroup: TDG_ARN.replace('us-east-1', 'eu-west-2') },
      path: 'trafficDistributionGroup',
      message: "the ARN's Region eu-west-2 is neither regions.primary (us-east-1) nor regions.replica (us-west-2)",
    },
    {
      problem: 'a missing regions section',
      patch: { regions: undefined },
      path: 'regions',
      message: 'is required (a mapping with primary and replica)',
    },
    {
      problem: 'a malformed Region code',
      patch: { regions: { primary: 'US-East-1' } },
      path: 'regions.primary',
      message: '"US-East-1" is not a Region code like us-east-1',
    },
    {
      problem: 'the same Region twice',
      patch: { regions: { replica: 'us-east-1' } },
      path: 'regions.replica',
      message: 'is the same Region as regions.primary (us-east-1); failover needs two Regions',
    },
    {
      problem: 'a queue URL that is not http(s)',
      patch: { queue: { url: 'sqs://us-east-1/111122223333/q' } },
      path: 'queue.url',
      message:
        '"sqs://us-east-1/111122223333/q" is not a queue URL like https://sqs.us-east-1.amazonaws.com/111122223333/my-queue',
    },
    {
      problem: 'a queue URL without an account part',
      patch: { queue: { url: 'https://sqs.us-east-1.amazonaws.com/q' } },
      path: 'queue.url',
      message:
        '"https://sqs.us-east-1.amazonaws.com/q" is not a queue URL like https://sqs.us-east-1.amazonaws.com/111122223333/my-queue',
    },
    {
      problem: 'a queue Region that contradicts the URL',
      patch: { queue: { region: 'us-west-2' } },
      path: 'queue.region',
      message: 'us-west-2 differs from the Region in queue.url (us-east-1)',
    },
    {
      problem: 'missing critical signals',
      patch: { signals: { critical: undefined, degraded: ['a'] } },
      path: 'signals.critical',
      message: 'is required (a list of alarm names or ARNs)',
    },
    {
      problem: 'a signal list that is a single name',
      patch: { signals: { critical: 'connect-primary-outage' } },
      path: 'signals.critical',
      message: '"connect-primary-outage" is not a list of alarm names or ARNs; write [connect-primary-outage]',
    },
    {
      problem: 'an empty alarm name',
      patch: { signals: { critical: [''] } },
      path: 'signals.critical[0]',
      message: 'an alarm name cannot be empty',
    },
    {
      problem: 'an alarm name longer than 255 characters',
      patch: { signals: { critical: ['x'.repeat(256)] } },
      path: 'signals.critical[0]',
      message: 'is longer than 255 characters, the limit for an alarm name',
    },
    {
      problem: 'a control character in an alarm name',
      patch: { signals: { degraded: ['bad\tname'] } },
      path: 'signals.degraded[0]',
      message: '"bad\\tname" contains a control character, which alarm names cannot',
    },
    {
      problem: 'a malformed alarm ARN',
      patch: { signals: { critical: ['arn:aws:cloudwatch:us-east-1:alarm:x'] } },
      path: 'signals.critical[0]',
      message:
        '"arn:aws:cloudwatch:us-east-1:alarm:x" is not a CloudWatch alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>)',
    },
    {
      problem: 'no degraded and no critical alarm',
      patch: { signals: { critical: [], replicaUnhealthy: ['connect-replica-outage'] } },
      path: 'signals',
      message: 'needs at least one alarm in degraded or critical; without one nothing can trigger a failover',
    },
    {
      problem: 'an alarm listed twice in one list',
      patch: { signals: { critical: ['connect-primary-outage', 'connect-primary-outage'] } },
      path: 'signals.critical[1]',
      message: 'alarm "connect-primary-outage" is listed twice (also at signals.critical[0])',
    },
    {
      problem: 'an alarm by name in one list and by ARN in another',
      patch: { signals: { replicaUnhealthy: [ALARM_ARN] } },
      path: 'signals.replicaUnhealthy[0]',
      message: 'alarm "connect-primary-outage" is also in signals.critical[0]; an alarm can have only one role',
    },
    {
      problem: 'a percentage that is not a multiple of 10',
      patch: { traffic: { degraded: 55 } },
      path: 'traffic.degraded',
      message: '55 is not a percentage from 0 to 100 in steps of 10',
    },
    {
      problem: 'a percentage above 100',
      patch: { traffic: { healthy: 110 } },
      path: 'traffic.healthy',
      message: '110 is not a percentage from 0 to 100 in steps of 10',
    },
    {
      problem: 'failed-over traffic not below healthy traffic',
      patch: { traffic: { healthy: 50, degraded: 50, failedOver: 50 } },
      path: 'traffic.failedOver',
      message: '50 must be less than traffic.healthy (50); failing over has to move traffic away from the primary',
    },
    {
      problem: 'degraded traffic that is not between healthy and failedOver',
      patch: { traffic: { healthy: 80, degraded: 90 } },
      path: 'traffic.degraded',
      message: '90 is not between traffic.failedOver (0 (the default)) and traffic.healthy (80)',
    },
    {
      problem: 'a default degraded traffic below a configured failedOver',
      patch: { traffic: { failedOver: 60 } },
      path: 'traffic.degraded',
      message: '50 (the default) is not between traffic.failedOver (60) and traffic.healthy (100 (the default))',
    },
    {
      problem: 'a flag that is not a boolean',
      patch: { traffic: { shiftAgents: 'yes' } },
      path: 'traffic.shiftAgents',
      message: '"yes" is not true or false',
    },
    {
      problem: 'a duration in words',
      patch: { timing: { cooldown: '2 minutes' } },
      path: 'timing.cooldown',
      message: '"2 minutes" is not a duration like 90s or 2m',
    },
    {
      problem: 'a duration without a unit',
      patch: { timing: { recoverAfter: 600 } },
      path: 'timing.recoverAfter',
      message: '600 is not a duration like 90s or 2m (units are required)',
    },
    {
      problem: 'a duration longer than a timer can wait',
      patch: { timing: { recoverAfter: '600h' } },
      path: 'timing.recoverAfter',
      message: '"600h" is longer than 596h, the longest wait a timer supports',
    },
    {
      problem: 'escalating after no time',
      patch: { timing: { escalateAfter: '0s' } },
      path: 'timing.escalateAfter',
      message: 'must be longer than 0s: to fail over at once, list the alarm under signals.critical',
    },
    {
      problem: 'recovering after no time',
      patch: { timing: { recoverAfter: '0ms' } },
      path: 'timing.recoverAfter',
      message: 'must be longer than 0s: recovery needs a quiet period, or a single OK would shift traffic back',
    },
    {
      problem: 'a shift limit of zero',
      patch: { timing: { maxAutomaticShifts: { count: 0 } } },
      path: 'timing.maxAutomaticShifts.count',
      message: '0 is not a whole number of at least 1',
    },
    {
      problem: 'a fractional shift limit',
      patch: { timing: { maxAutomaticShifts: { count: 2.5 } } },
      path: 'timing.maxAutomaticShifts.count',
      message: '2.5 is not a whole number of at least 1',
    },
    {
      problem: 'a shift window of no length',
      patch: { timing: { maxAutomaticShifts: { per: '0s' } } },
      path: 'timing.maxAutomaticShifts.per',
      message: 'must be longer than 0s: a window of no length counts nothing',
    },
    {
      problem: 'automatic failback with a limit of one shift',
      patch: { failback: 'automatic', timing: { maxAutomaticShifts: { count: 1 } } },
      path: 'timing.maxAutomaticShifts.count',
      message:
        '1 must be at least 2 with failback: automatic; a failover and its automatic failback must both fit in the window',
    },
    {
      problem: 'a shift window shorter than the cooldown',
      patch: { timing: { maxAutomaticShifts: { per: '90s' } } },
      path: 'timing.maxAutomaticShifts.per',
      message:
        '90s is shorter than timing.cooldown (2m (the default)); the window could never count repeated failbacks',
    },
    {
      problem: 'an unknown failback mode',
      patch: { failback: 'auto' },
      path: 'failback',
      message: '"auto" is not manual or automatic',
    },
    {
      problem: 'an unknown store type',
      patch: { store: { type: 's3' } },
      path: 'store.type',
      message: '"s3" is not a store type (file or dynamodb)',
    },
    {
      problem: 'a DynamoDB store without a table',
      patch: { store: { type: 'dynamodb' } },
      path: 'store.table',
      message: 'is required (a DynamoDB table name (3-255 characters of a-z, A-Z, 0-9, _ . -))',
    },
    {
      problem: 'a malformed DynamoDB table name',
      patch: { store: { type: 'dynamodb', table: 'cf' } },
      path: 'store.table',
      message: '"cf" is not a DynamoDB table name (3-255 characters of a-z, A-Z, 0-9, _ . -)',
    },
    {
      problem: 'a DynamoDB lease shorter than a second',
      patch: { store: { type: 'dynamodb', table: 'cf-state', leaseDuration: '500ms' } },
      path: 'store.leaseDuration',
      message: 'must be at least 1s: the leader renews every third of it, each time a round trip to DynamoDB',
    },
    {
      problem: 'an HTTP port out of range',
      patch: { http: { port: 65536 } },
      path: 'http.port',
      message: '65536 is not a port number from 0 to 65535',
    },
    {
      problem: 'a setting left empty',
      patch: { dryRun: null },
      path: 'dryRun',
      message: 'is empty; expected true or false',
    },
  ])('reports $problem at its path', ({ patch, path, message }) => {
    // Prepare
    const text = configText(patch);

    // Act
    const error = configErrorOf(text);

    // Assess
    expect(error.issues).toEqual([{ path, message }]);
  });

  it('prints a bad duration as `path: message`, as the contract shows', () => {
    const error = configErrorOf(configText({ timing: { cooldown: '2 minutes' } }), { file: 'cf.yaml' });

    expect(error.message).toBe(
      'invalid config in cf.yaml (1 problem):\n  timing.cooldown: "2 minutes" is not a duration like 90s or 2m',
    );
  });

  it.each([
    [
      'a typo, suggesting the key meant',
      'timing:\n  cooldwon: 2m\n',
      'timing.cooldwon',
      'unknown key (did you mean cooldown?)',
    ],
    [
      'another spelling, suggesting the key meant',
      'traffic:\n  failed_over: 0\n',
      'traffic.failed_over',
      'unknown key (did you mean failedOver?)',
    ],
    [
      'a key at the wrong level, suggesting where it goes',
      'cooldown: 2m\n',
      'cooldown',
      'unknown key here (did you mean timing.cooldown?)',
    ],
    [
      "another store type's key, naming that type",
      'store:\n  type: file\n  table: cf\n',
      'store.table',
      'applies only to store type dynamodb',
    ],
    [
      'a key like no other, listing the known ones',
      'http:\n  tls: true\n',
      'http.tls',
      'unknown key (expected one of: host, port)',
    ],
  ])('reports an unknown key: %s', (_case, extra, path, message) => {
    const error = configErrorOf(configText() + extra);

    expect(error.issues).toEqual([{ path, message }]);
  });

  it.each([
    ['an empty file', '', 'is empty; expected a mapping with trafficDistributionGroup, regions, queue and signals'],
    [
      'a file with comments only',
      '# nothing yet\n',
      'is empty; expected a mapping with trafficDistributionGroup, regions, queue and signals',
    ],
    ['a list at the top', '- a\n- b\n', 'a list is not a mapping of settings'],
  ])('reports %s as a problem of the whole file', (_case, text, message) => {
    const error = configErrorOf(text);

    expect(error.issues).toEqual([{ path: '', message }]);
  });

  it.each([
    ['an unclosed flow list', 'regions:\n  primary: us-east-1\nsignals: { critical: [a }\n', 'line 3, column 25'],
    ['a duplicate key', 'dryRun: true\ndryRun: false\n', 'line 2, column 1'],
  ])('reports a YAML syntax error (%s) with its line and column, and nothing else', (_case, text, position) => {
    const error = configErrorOf(text);

    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe('');
    expect(error.issues[0]?.message).toMatch(new RegExp(`^YAML syntax error at ${position}: \\S`));
  });
});

describe('parseConfig: several problems at once', () => {
  it('reports every problem in one error, in file order, checking relations between the fields that are valid', () => {
    // Prepare: broken fields beside valid fields whose relations are broken too.
    const text = [
      `trafficDistributionGroup: ${TDG_ARN.replace('us-east-1', 'ap-northeast-1')}`,
      'regions: { primary: us-east-1, replica: us-west-2 }',
      'queue: { url: "not a url" }',
      'signals:',
      '  degraded: [connect-primary-outage, 42]',
      '  critical: [connect-primary-outage]',
      'traffic: { healthy: 100, degraded: 50, failedOver: 100 }',
      'timing:',
      '  escalateAfter: soon',
      '  cooldown: 10m',
      '  maxAutomaticShifts: { count: 1, per: 5m }',
      'failback: automatic',
      'dryrun: true',
    ].join('\n');

    // Act
    const error = configErrorOf(text);

    // Assess
    expect(error.issues).toEqual([
      {
        path: 'trafficDistributionGroup',
        message:
          "the ARN's Region ap-northeast-1 is neither regions.primary (us-east-1) nor regions.replica (us-west-2)",
      },
      {
        path: 'queue.url',
        message: '"not a url" is not a queue URL like https://sqs.us-east-1.amazonaws.com/111122223333/my-queue',
      },
      { path: 'signals.degraded[1]', message: '42 is not an alarm name or ARN' },
      {
        path: 'signals.critical[0]',
        message: 'alarm "connect-primary-outage" is also in signals.degraded[0]; an alarm can have only one role',
      },
      {
        path: 'traffic.failedOver',
        message: '100 must be less than traffic.healthy (100); failing over has to move traffic away from the primary',
      },
      { path: 'timing.escalateAfter', message: '"soon" is not a duration like 90s or 2m' },
      {
        path: 'timing.maxAutomaticShifts.count',
        message:
          '1 must be at least 2 with failback: automatic; a failover and its automatic failback must both fit in the window',
      },
      {
        path: 'timing.maxAutomaticShifts.per',
        message: '5m is shorter than timing.cooldown (10m); the window could never count repeated failbacks',
      },
      { path: 'dryrun', message: 'unknown key (did you mean dryRun?)' },
    ]);
  });
});

describe('loadConfig', () => {
  it("reads the contract's example config, resolving the store path against the file's directory", async () => {
    // Prepare
    const file = join(FIXTURES, 'contract-example.yaml');

    // Act
    const { config, warnings } = await loadConfig(file);

    // Assess
    expect(warnings).toEqual([]);
    expect(config).toEqual({
      ...DEFAULT_CONFIG,
      signals: {
        degraded: ['connect-primary-elevated-errors'],
        critical: ['connect-primary-outage'],
        replicaUnhealthy: ['connect-replica-outage'],
      },
      store: { type: 'file', path: resolve(FIXTURES, 'connect-failover-state.json') },
      http: { host: '127.0.0.1', port: 9464 },
    });
  });

  it('reports a file it cannot read as a problem of the whole file, naming it', async () => {
    const file = join(FIXTURES, 'no-such-config.yaml');

    const error = await loadConfig(file).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      { path: '', message: `cannot read config file ${file}: no such file` },
    ]);
    expect((error as ConfigError).file).toBe(file);
  });
});

describe('resolveConfigPath', () => {
  it.each([
    ['the -c flag over the environment', 'flag.yaml', { CONNECT_FAILOVER_CONFIG: 'env.yaml' }, 'flag.yaml'],
    ['CONNECT_FAILOVER_CONFIG without a flag', undefined, { CONNECT_FAILOVER_CONFIG: 'env.yaml' }, 'env.yaml'],
  ])('takes %s', (_case, flag, env, expected) => {
    expect(resolveConfigPath(flag, env)).toBe(expected);
  });

  it.each([
    ['neither is given', undefined, {}],
    ['both are empty', '', { CONNECT_FAILOVER_CONFIG: '' }],
  ])('refuses with usage advice when %s', (_case, flag, env) => {
    expect(() => resolveConfigPath(flag, env)).toThrow(
      new UsageError('no config file: pass -c FILE or set CONNECT_FAILOVER_CONFIG'),
    );
  });
});
