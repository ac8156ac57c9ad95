import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatConfig } from '../../src/config/format.ts';
import { parseConfig } from '../../src/config/load.ts';

const CONTRACT_EXAMPLE = readFileSync(new URL('../fixtures/config/contract-example.yaml', import.meta.url), 'utf8');
const TDG_ID = '2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11';

const UNUSUAL = `
trafficDistributionGroup: ${TDG_ID}
regions: { primary: eu-west-2, replica: eu-central-1 }
queue: { url: "http://127.0.0.1:4566/000000000000/events" }
signals:
  degraded: ["elevated errors: 5xx", "true"]
  critical: ["arn:aws:cloudwatch:eu-west-2:111122223333:alarm:outage"]
traffic: { healthy: 90, degraded: 40, failedOver: 10, shiftAgents: false }
timing: { escalateAfter: 1.5s, recoverAfter: 250ms, cooldown: 0s, maxAutomaticShifts: { count: 2, per: 90m } }
failback: automatic
store: { type: dynamodb, table: connect-failover }
dryRun: true
`;

describe('formatConfig', () => {
  it('writes the file shape with durations as strings, the TDG ARN and the absolute store path', () => {
    // Prepare
    const { config } = parseConfig(CONTRACT_EXAMPLE, { baseDir: '/etc/connect-failover' });

    // Act
    const lines = formatConfig(config).split('\n');

    // Assess
    expect(lines).toEqual(
      expect.arrayContaining([
        `trafficDistributionGroup: arn:aws:connect:us-east-1:111122223333:traffic-distribution-group/${TDG_ID}`,
        '  region: us-east-1',
        '  escalateAfter: 5m',
        '  recoverAfter: 10m',
        '  cooldown: 2m',
        '  maxAutomaticShifts: { count: 4, per: 1h }',
        '  path: /etc/connect-failover/connect-failover-state.json',
        '  port: 9464',
      ]),
    );
  });

  it('writes a bare TDG id as the id and leaves out what is not configured', () => {
    const { config } = parseConfig(UNUSUAL);

    const text = formatConfig(config);

    expect(text).toContain(`trafficDistributionGroup: ${TDG_ID}\n`);
    // The store's defaults filled in (Region: regions.replica); the item key is derived, not written.
    expect(text).toContain(
      'store:\n  type: dynamodb\n  table: connect-failover\n  region: eu-central-1\n  leaseDuration: 15s\n',
    );
    expect(text).not.toMatch(/^http:/m);
    expect(text).not.toMatch(/^queue:\n(?: {2}.*\n)* {2}region:/m);
  });

  it.each([
    ['the contract example', CONTRACT_EXAMPLE],
    ['a config of unusual values', UNUSUAL],
  ])('writes %s so that parsing it gives the same config back', (_case, source) => {
    // Prepare
    const { config } = parseConfig(source, { baseDir: '/etc/connect-failover' });

    // Act
    const reparsed = parseConfig(formatConfig(config), { baseDir: '/elsewhere' });

    // Assess
    expect(reparsed.config).toEqual(config);
  });
});
