import { afterEach, describe, expect, it } from 'vitest';
import { startHarness } from '../helpers/controller-harness.ts';
import type { Harness } from '../helpers/controller-harness.ts';

let h: Harness;
afterEach(async () => h?.close());

describe('the controller end to end on the local stack', () => {
  it('fails over on a critical alarm: one write, sent to the replica with the ARN, verified', async () => {
    h = await startHarness();
    await h.start();

    await h.setAlarm('connect-primary-outage', 'ALARM');
    await h.waitForPrimary(0);

    const writes = h.stack.connect.writes;
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({
      region: 'us-west-2',
      telephony: { 'us-east-1': 0, 'us-west-2': 100 },
      agents: { 'us-east-1': 0, 'us-west-2': 100 },
    });
    const put = h.stack.connect.requests.find((r) => r.operation === 'UpdateTrafficDistribution');
    expect(put?.id).toBe(h.stack.connect.tdgArn);
    const doc = await h.readDocument();
    expect(
      doc?.history.some(
        (e) => e.kind === 'transition' && e.to === 'failedOver' && e.alarms?.includes('connect-primary-outage'),
      ),
    ).toBe(true);
    const decision = h.logs.filter((l) => l.kind === 'decision');
    expect(decision).toHaveLength(1);
    expect(decision[0]).toMatchObject({ from: 'healthy', to: 'failedOver', alarms: ['connect-primary-outage'] });
  });
});
