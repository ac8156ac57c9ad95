import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness } from '../helpers/controller-harness.ts';
import type { Harness } from '../helpers/controller-harness.ts';
import { eventually } from '../helpers/eventually.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const summary = (harness: Harness) =>
  harness.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('preflight: '));

describe('preflight when the controller starts', () => {
  it('logs every check and "ready" when nothing is wrong, leaving the split to start-up reconciliation', async () => {
    // Prepare
    h = await startHarness();
    const harness = h;

    // Act
    await harness.start({ heartbeatIntervalMs: 0 });
    await eventually(() => summary(harness), { what: 'the preflight summary' });

    // Assess
    expect(summary(harness)).toMatchObject({ level: 'info', msg: 'preflight: ready', fail: 0, warn: 0 });
    const checks = harness.logs.filter((l) => typeof l.preflight === 'string').map((l) => l.preflight);
    expect(checks).toContain('tdg.replica');
    expect(checks).toContain('store');
    expect(checks).not.toContain('traffic.split');
  });

  it('logs a failing check at error level and keeps running: it still fails over', async () => {
    // Prepare: a typo in a degraded alarm name; the critical alarm is right.
    h = await startHarness({
      config: {
        signals: {
          degraded: ['connect-primary-elevated-erors'],
          critical: ['connect-primary-outage'],
          replicaUnhealthy: ['connect-replica-outage'],
        },
      },
    });
    const harness = h;
    await harness.start({ heartbeatIntervalMs: 0 });
    await eventually(() => summary(harness), { what: 'the preflight summary' });

    // Act
    await harness.setAlarm('connect-primary-outage', 'ALARM');
    await harness.waitForPrimary(0);

    // Assess
    expect(harness.logs.find((l) => l.preflight === 'alarm:connect-primary-elevated-erors')).toMatchObject({
      level: 'error',
      status: 'fail',
      fix: expect.stringContaining('spelling'),
    });
    expect(summary(harness)).toMatchObject({ level: 'error', fail: 1 });
  });

  it("checks the replica's flows too, logging a flow that calls the primary Region at error level", async () => {
    // Prepare: a replica flow still calling the primary Region's Lambda function.
    h = await startHarness();
    const harness = h;
    const replica = harness.stack.regions.replica;
    const held = harness.stack.connect.contactFlows.snapshot(replica)!;
    const billing = await readFile(
      new URL('../fixtures/contact-flows/billing-primary-lambda.json', import.meta.url),
      'utf8',
    );
    harness.stack.connect.contactFlows.load(replica, {
      ...held,
      flows: [...held.flows, { name: 'Billing', content: billing }],
    });

    // Act
    await harness.start({ heartbeatIntervalMs: 0 });
    await eventually(() => summary(harness), { what: 'the preflight summary' });

    // Assess
    expect(harness.logs.find((l) => l.preflight === 'replica.flow:Billing/Fetch balance')).toMatchObject({
      level: 'error',
      msg: 'preflight failed: flow "Billing": InvokeLambdaFunction',
      detail: expect.stringContaining('arn:aws:lambda:us-east-1:111122223333:function:billing-balance'),
    });
    expect(summary(harness)).toMatchObject({ level: 'error', fail: 2 });
  });
});
