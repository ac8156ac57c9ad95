import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatConfig } from '../../src/config/format.ts';
import { parseConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';

/** The smallest valid config, with `traffic` and `timing` as given. */
function configText(traffic: Record<string, unknown> = {}, timing: Record<string, unknown> = {}): string {
  return stringify({
    trafficDistributionGroup:
      'arn:aws:connect:us-east-1:111122223333:traffic-distribution-group/2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11',
    regions: { primary: 'us-east-1', replica: 'us-west-2' },
    queue: { url: 'https://sqs.us-east-1.amazonaws.com/111122223333/connect-failover-events' },
    signals: { critical: ['connect-primary-outage'] },
    traffic,
    timing,
  });
}

function issuesOf(text: string) {
  try {
    parseConfig(text, { baseDir: '/srv' });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('traffic.failbackSteps, traffic.agentsLead and timing.failbackStepHold', () => {
  it('default to one step straight back to traffic.healthy, agents with telephony, and a 2m hold', () => {
    const { config } = parseConfig(configText({ healthy: 90 }), { baseDir: '/srv' });

    expect(config.traffic).toMatchObject({ failbackSteps: [90], agentsLead: 0 });
    expect(config.timing.failbackStepHoldMs).toBe(120_000);
  });

  it('reads steps, a lead and a hold, and writes them back as validate shows them', () => {
    const { config, warnings } = parseConfig(
      configText({ failbackSteps: [20, 50, 100], agentsLead: 10 }, { failbackStepHold: '90s' }),
      { baseDir: '/srv' },
    );
    const again = parseConfig(formatConfig(config), { baseDir: '/srv' }).config;

    expect(config.traffic).toMatchObject({ failbackSteps: [20, 50, 100], agentsLead: 10 });
    expect(config.timing.failbackStepHoldMs).toBe(90_000);
    expect(warnings).toEqual([]);
    expect(again).toEqual(config);
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, { path: string; message: string }]>([
    [
      'a step above healthy',
      { healthy: 90, failbackSteps: [50, 100] },
      {},
      {
        path: 'traffic.failbackSteps[1]',
        message: '100 is above traffic.healthy (90); a failback ends at traffic.healthy',
      },
    ],
    [
      'steps not increasing',
      { failbackSteps: [50, 20, 100] },
      {},
      {
        path: 'traffic.failbackSteps[1]',
        message: '20 is not above the step before it (50); failback steps must increase',
      },
    ],
    [
      'a repeated step',
      { failbackSteps: [50, 50, 100] },
      {},
      {
        path: 'traffic.failbackSteps[1]',
        message: '50 is not above the step before it (50); failback steps must increase',
      },
    ],
    [
      'a last step short of healthy',
      { failbackSteps: [20, 50] },
      {},
      {
        path: 'traffic.failbackSteps',
        message: 'ends with 50; the last step must be traffic.healthy (100 (the default))',
      },
    ],
    [
      'a first step at failedOver',
      { failedOver: 10, failbackSteps: [10, 100] },
      {},
      {
        path: 'traffic.failbackSteps[0]',
        message: '10 is not above traffic.failedOver (10); each step must move traffic back toward the primary',
      },
    ],
    [
      'a step Connect cannot take',
      { failbackSteps: [25, 100] },
      {},
      { path: 'traffic.failbackSteps[0]', message: '25 is not a percentage from 0 to 100 in steps of 10' },
    ],
    [
      'no steps at all',
      { failbackSteps: [] },
      {},
      { path: 'traffic.failbackSteps', message: 'is empty; list at least traffic.healthy (a failback in one step)' },
    ],
    [
      'a single number',
      { failbackSteps: 100 },
      {},
      { path: 'traffic.failbackSteps', message: '100 is not a list of primary percentages like [20, 50, 100]' },
    ],
    [
      'a lead Connect cannot take',
      { agentsLead: 15 },
      {},
      { path: 'traffic.agentsLead', message: '15 is not percentage points from 0 to 100 in steps of 10' },
    ],
    [
      'a lead without agents to move',
      { shiftAgents: false, failbackSteps: [50, 100], agentsLead: 10 },
      {},
      {
        path: 'traffic.agentsLead',
        message: '10 needs traffic.shiftAgents: true; with shiftAgents false no agents are moved, so none can lead',
      },
    ],
    [
      'a hold of no time',
      {},
      { failbackStepHold: '0s' },
      {
        path: 'timing.failbackStepHold',
        message:
          'must be longer than 0s: a step held for no time is no step; for a failback in one step leave traffic.failbackSteps at [traffic.healthy]',
      },
    ],
  ])('refuses %s, naming the key', (_what, traffic, timing, issue) => {
    expect(issuesOf(configText(traffic, timing))).toContainEqual(issue);
  });

  it('warns that a lead does nothing without a step before healthy', () => {
    const { warnings } = parseConfig(configText({ agentsLead: 20 }), { baseDir: '/srv' });

    expect(warnings).toEqual([expect.stringContaining('traffic.agentsLead: has no effect')]);
  });
});
