/**
 * The leader killed in the middle of a shift, with a standby on the same DynamoDB store (issue 10's "restart
 * during a shift"): whatever the leader had got to, the standby takes over and finishes the one logical
 * shift. Its write already applied: the new leader verifies it and writes nothing. Its write never applied
 * (the request hung): the new leader writes once. The checker holds over everything Connect applied.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/app/status.ts';
import { cliWithEnv } from '../helpers/cli-env.ts';
import { eventually } from '../helpers/eventually.ts';
import { CRITICAL, TOOK_LEASE, leaderAndStandbys, logMatching, startLeaseCluster } from '../helpers/lease-cluster.ts';
import type { LeaseCluster } from '../helpers/lease-cluster.ts';

const LEASE_MS = 2_000;

let cluster: LeaseCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** What `status --json` from a third process says: the split verified and who acts. */
async function statusOf(c: LeaseCluster): Promise<StatusReport> {
  const out = await cliWithEnv(c.ps, ['status', '--json'], c.env);
  expect(out.code, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as StatusReport;
}

describe('the leader killed during a shift, a standby on the same store', () => {
  it('killed after its write was applied, while verifying: the new leader verifies it and writes nothing', async () => {
    // Prepare: Connect keeps each update in progress for 4 s, so the leader is still verifying when killed.
    cluster = await startLeaseCluster({ lease: '2s', stack: { updateWindowMs: 4_000 } });
    const [a, b] = await leaderAndStandbys(cluster, 1);
    const { ps } = cluster;

    // Act
    await ps.stack.cloudwatch.setAlarmState(ps.stack.regions.primary, CRITICAL, 'ALARM');
    await eventually(() => ps.stack.connect.writes.length === 1, { timeoutMs: 15_000, what: "the leader's write" });
    expect(ps.stack.connect.state().status).toBe('UPDATE_IN_PROGRESS');
    await a!.kill();
    await b!.waitForLog(logMatching(TOOK_LEASE), { timeoutMs: LEASE_MS * 3 + 15_000, what: 'B taking over' });
    const settled = await eventually(
      async () => {
        const status = await statusOf(cluster!);
        return status.lastShift?.outcome === 'verified' && status.controller?.pid === b!.pid ? status : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: 'the shift verified by B' },
    );

    // Assess
    expect(settled).toMatchObject({ state: 'failedOver', desiredPrimaryPercent: 0, actualPrimaryPercent: 0 });
    expect(cluster.writers()).toEqual([String(a!.pid)]);
    expect(cluster.violations()).toEqual([]);
  });

  it('killed while its write hung unanswered: the new leader writes once and verifies', async () => {
    // Prepare: the first UpdateTrafficDistribution is never answered (and never applied).
    cluster = await startLeaseCluster({ lease: '2s' });
    const [a, b] = await leaderAndStandbys(cluster, 1);
    const { ps } = cluster;
    ps.stack.connect.faults.script([{ operation: 'UpdateTrafficDistribution', fault: 'hang' }]);

    // Act
    await ps.stack.cloudwatch.setAlarmState(ps.stack.regions.primary, CRITICAL, 'ALARM');
    await eventually(
      () => ps.stack.connect.requests.some((r) => r.operation === 'UpdateTrafficDistribution' && r.fault === 'hang'),
      { timeoutMs: 15_000, what: "the leader's write hanging" },
    );
    await a!.kill();
    await b!.waitForLog(logMatching(TOOK_LEASE), { timeoutMs: LEASE_MS * 3 + 15_000, what: 'B taking over' });
    await eventually(() => ps.primaryPercent() === 0 && ps.stack.connect.state().status === 'ACTIVE', {
      timeoutMs: 20_000,
      what: 'the failover by B',
    });

    // Assess
    expect(cluster.writers()).toEqual([String(b!.pid)]);
    expect(cluster.violations()).toEqual([]);
  });
});
