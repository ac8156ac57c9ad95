import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatConfig } from '../../src/config/format.ts';
import { parseConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111122223333/connect-failover-events';

/** The smallest valid config with `queue.alarmSenders` set to `alarmSenders` (left out when undefined). */
function configText(alarmSenders: unknown): string {
  return stringify({
    trafficDistributionGroup:
      'arn:aws:connect:us-east-1:111122223333:traffic-distribution-group/2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11',
    regions: { primary: 'us-east-1', replica: 'us-west-2' },
    queue: { url: QUEUE_URL, ...(alarmSenders === undefined ? {} : { alarmSenders }) },
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

describe('queue.alarmSenders', () => {
  it('is optional: without it any sender may send alarm events, and validate prints no such key', () => {
    // Act
    const { config } = parseConfig(configText(undefined), { baseDir: '/srv' });

    // Assess
    expect(config.queue.alarmSenders).toBeUndefined();
    expect(formatConfig(config)).not.toContain('alarmSenders');
  });

  it('keeps the lists given, role ids, sessions and account ids, and writes them back the same', () => {
    // Prepare
    const given = { deny: ['AROAEXAMPLEOPERATOR01', 'AROAEXAMPLEOTHERROLE:alice@example.com'] };

    // Act
    const { config } = parseConfig(configText(given), { baseDir: '/srv' });
    const again = parseConfig(formatConfig(config), { baseDir: '/srv' }).config;

    // Assess
    expect(config.queue).toEqual({ url: QUEUE_URL, region: 'us-east-1', alarmSenders: given });
    expect(again.queue).toEqual(config.queue);
    expect(parseConfig(configText({ allow: ['111122223333'] })).config.queue.alarmSenders).toEqual({
      allow: ['111122223333'],
    });
  });

  it('refuses an empty allow list, a malformed entry and an unknown key, naming each path', () => {
    // Act
    const issues = issuesOf(configText({ allow: [], deny: ['arn:aws:iam::111122223333:role/operator'], alow: [] }));

    // Assess
    expect(issues.map((i) => i.path).sort()).toEqual([
      'queue.alarmSenders.allow',
      'queue.alarmSenders.alow',
      'queue.alarmSenders.deny[0]',
    ]);
    expect(issues.find((i) => i.path === 'queue.alarmSenders.allow')?.message).toMatch(
      /is empty, which would refuse every alarm event/,
    );
    expect(issues.find((i) => i.path === 'queue.alarmSenders.deny[0]')?.message).toMatch(
      /is not a SenderId or IAM unique id like AROAEXAMPLEID/,
    );
    expect(issues.find((i) => i.path === 'queue.alarmSenders.alow')?.message).toBe('unknown key (did you mean allow?)');
  });

  it('refuses a sender both allowed and denied: deny wins, so the allow entry could never send', () => {
    // Act
    const issues = issuesOf(
      configText({ allow: ['AIDAEXAMPLEEVENTBRIDGE', 'AROAEXAMPLEOPERATOR01:alice'], deny: ['AROAEXAMPLEOPERATOR01'] }),
    );

    // Assess
    expect(issues).toEqual([
      {
        path: 'queue.alarmSenders.allow[1]',
        message:
          'AROAEXAMPLEOPERATOR01:alice is also denied by queue.alarmSenders.deny[0] (AROAEXAMPLEOPERATOR01); deny wins, so it could never send',
      },
    ]);
  });
});
