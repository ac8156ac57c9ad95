import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatConfig } from '../../src/config/format.ts';
import { parseConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';

const INSTANCE = 'c0ffee00-1c0a-4e5e-9d1b-5a1e5e55e001';
const REPLICA_ARN = `arn:aws:connect:us-west-2:111122223333:instance/${INSTANCE}`;

/** The smallest valid config with `regions.replicaInstance` set to `replicaInstance` (left out when undefined). */
function configText(replicaInstance: unknown): string {
  return stringify({
    trafficDistributionGroup:
      'arn:aws:connect:us-east-1:111122223333:traffic-distribution-group/2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11',
    regions: {
      primary: 'us-east-1',
      replica: 'us-west-2',
      ...(replicaInstance === undefined ? {} : { replicaInstance }),
    },
    queue: { url: 'https://sqs.us-east-1.amazonaws.com/111122223333/connect-failover-events' },
    signals: { critical: ['connect-primary-outage'] },
  });
}

function issuesOf(text: string): Array<{ path: string; message: string }> {
  try {
    parseConfig(text, { baseDir: '/srv' });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('regions.replicaInstance', () => {
  it('is optional: without it the replica readiness check is skipped', () => {
    // Act
    const { config } = parseConfig(configText(undefined), { baseDir: '/srv' });

    // Assess
    expect(config.replicaInstance).toBeUndefined();
    expect(config.regions).toEqual({ primary: 'us-east-1', replica: 'us-west-2' });
  });

  it('takes the replica instance ARN, keeping its id, Region and ARN, and writes it back the same', () => {
    // Act
    const { config } = parseConfig(configText(REPLICA_ARN), { baseDir: '/srv' });
    const again = parseConfig(formatConfig(config), { baseDir: '/srv' }).config;

    // Assess
    expect(config.replicaInstance).toEqual({ id: INSTANCE, arn: REPLICA_ARN, region: 'us-west-2' });
    expect(formatConfig(config)).toContain(`  replicaInstance: ${REPLICA_ARN}\n`);
    expect(again.replicaInstance).toEqual(config.replicaInstance);
  });

  it('takes the bare id, which names the replica too (a replica keeps its source instance id)', () => {
    // Act
    const { config } = parseConfig(configText(INSTANCE), { baseDir: '/srv' });

    // Assess
    expect(config.replicaInstance).toEqual({ id: INSTANCE, arn: undefined, region: undefined });
  });

  it('refuses something that is neither an instance ARN nor an id, saying what it expects', () => {
    // Act
    const issues = issuesOf(configText('my-instance'));

    // Assess
    expect(issues).toEqual([
      {
        path: 'regions.replicaInstance',
        message:
          '"my-instance" is not a Connect instance ARN like arn:aws:connect:<region>:<account>:instance/<uuid>, or its id',
      },
    ]);
  });

  it("refuses the primary's instance ARN: its flows say nothing about the replica", () => {
    // Act
    const issues = issuesOf(configText(`arn:aws:connect:us-east-1:111122223333:instance/${INSTANCE}`));

    // Assess
    expect(issues).toEqual([
      {
        path: 'regions.replicaInstance',
        message: `the ARN's Region us-east-1 is regions.primary (us-east-1): this is the primary's instance; give the replica's ARN (its Region is us-west-2; a replica keeps the id ${INSTANCE}) or the bare id`,
      },
    ]);
  });

  it('refuses an instance ARN of a third Region', () => {
    // Act
    const issues = issuesOf(configText(`arn:aws:connect:eu-west-2:111122223333:instance/${INSTANCE}`));

    // Assess
    expect(issues.map((i) => [i.path, i.message.slice(0, 55)])).toEqual([
      ['regions.replicaInstance', "the ARN's Region eu-west-2 is not regions.replica (us-w"],
    ]);
  });
});
